"""A key planted in the environment reaches the endpoint and nothing else: not the logs, the Dagster
metadata and event log, the ledger or the Parquet files, not even when the endpoint echoes it back."""

import logging
import uuid

import dagster as dg

from assets.resources import CotResource, StorageResource, TeacherResource
from assets.teacher_cot import teacher_cot
from assets.translated_pairs import translated_pairs
from assets.verified_cot import verified_cot


def test_a_planted_key_is_sent_and_never_written(
    tmp_path, monkeypatch, caplog, capfd, fault_proxy, local_model_dir, two_problems
):
    key = f"sk-planted-{uuid.uuid4().hex}"
    monkeypatch.setenv("PLANTED_API_KEY", key)
    caplog.set_level(logging.DEBUG)  # openai and httpx log requests at DEBUG
    data = two_problems
    proxy, echo = fault_proxy(), fault_proxy({"401_echo": 1.0})

    def resources(base_url: str) -> dict:
        teacher = TeacherResource(
            base_url=base_url,
            model=str(local_model_dir),
            api_key=dg.EnvVar("PLANTED_API_KEY"),
            max_tokens=8,
            timeout_s=120,
        )
        return {
            "storage": StorageResource(data_root=str(data), inbox_root=str(tmp_path / "inbox")),
            "teacher": teacher,
            "translator": teacher,
            "cot": CotResource(samples_per_problem=2, translate_max_tokens=8),
        }

    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        instance.add_dynamic_partitions("collections", ["c"])
        ok = dg.materialize(
            [translated_pairs, teacher_cot, verified_cot],
            partition_key="c",
            instance=instance,
            resources=resources(proxy.base_url),
        )
        failed = dg.materialize(
            [teacher_cot],
            partition_key="c",
            instance=instance,
            raise_on_error=False,
            resources={**resources(echo.base_url), "cot": CotResource(samples_per_problem=3)},
        )
        events = "\n".join(repr(e) for run in (ok, failed) for e in instance.all_logs(run.run_id))

    assert ok.success and not failed.success
    assert proxy.authorization == {f"Bearer {key}"} and echo.attempts > 0  # the key was in play
    assert "401" in events and "re-run the step to resume" in events
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in written) and any(p.name == "requests.sqlite" for p in written)
    leaks = [str(p) for p in written if key.encode() in p.read_bytes()]
    out, err = capfd.readouterr()
    assert leaks == [] and key not in events and key not in caplog.text and key not in out + err
