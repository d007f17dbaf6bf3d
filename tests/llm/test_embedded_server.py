"""The embedded teacher is started by the first request a run has to send: one server for the teacher and
the translator, stopped after the run; a re-run that the ledger answers entirely starts none."""

import logging
import socket

import dagster as dg
import pytest

from assets.resources import CotResource, StorageResource, TeacherResource
from assets.teacher_cot import teacher_cot
from assets.translated_pairs import translated_pairs


def test_server_starts_for_the_first_request_to_send_only(tmp_path, caplog, local_model_dir, two_problems):
    caplog.set_level(logging.INFO, logger="distill.llm.local_server")
    resources = {
        "storage": StorageResource(data_root=str(two_problems), inbox_root=str(tmp_path / "inbox")),
        "teacher": TeacherResource(model=str(local_model_dir), max_tokens=8, timeout_s=120),
        "translator": TeacherResource(model=str(local_model_dir), max_tokens=8, timeout_s=120),
        "cot": CotResource(translate_max_tokens=8),
    }
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        instance.add_dynamic_partitions("collections", ["c"])

        def run() -> tuple[dict, list[logging.LogRecord]]:
            caplog.clear()
            result = dg.materialize(
                [translated_pairs, teacher_cot], partition_key="c", instance=instance, resources=resources
            )
            assert result.success
            meta = {
                step: result.asset_materializations_for_node(step)[0].metadata
                for step in ("translated_pairs", "teacher_cot")
            }
            starts = [r for r in caplog.records if r.getMessage().startswith("starting transformers serve")]
            if starts:  # the steps that called the server say how it served
                assert {m["teacher_server"].value for m in meta.values()} == {"continuous batching"}
            return {
                step: (m["requests"].value, m["sent"].value, m["cached"].value) for step, m in meta.items()
            }, starts

        first, starts = run()
        assert first == {"translated_pairs": (1, 1, 0), "teacher_cot": (2, 2, 0)}
        assert len(starts) == 1  # one server for both resources
        with pytest.raises(ConnectionRefusedError):  # and it was stopped with the run
            socket.create_connection(("127.0.0.1", starts[0].args[1]), timeout=5)

        again, starts = run()
        assert again == {"translated_pairs": (1, 0, 1), "teacher_cot": (2, 0, 2)} and starts == []
