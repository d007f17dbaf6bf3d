"""The code location loads, validates and lists the graph the way the README says."""

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import dagster as dg

from assets.resources import StorageResource, TeacherResource, translator_pool
from pipelines.definitions import defs
from pipelines.environment import load_resources
from pipelines.sensors import build_inbox_sensor, inbox_collections, register_collections

ASSETS = [
    "pdf_pages",
    "problem_pairs",
    "translated_pairs",
    "teacher_cot",
    "verified_cot",
    "distill_dataset",
    "sft_model",
    "grpo_model",
    "rl_model",
    "student_eval",
]
DAGSTER = str(Path(sys.executable).parent / "dagster")


def test_graph_has_every_stage_in_order():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert set(ASSETS) <= keys
    for upstream, downstream in zip(ASSETS[:5], ASSETS[1:6], strict=True):
        assert dg.AssetKey(upstream) in graph.get(dg.AssetKey(downstream)).parent_keys
    assert dg.AssetKey("sft_model") in graph.get(dg.AssetKey("grpo_model")).parent_keys


def test_training_stages_share_one_shape():
    graph = defs.resolve_asset_graph()
    parents = {"sft_model": "distill_dataset", "grpo_model": "sft_model", "rl_model": "distill_dataset"}
    for stage, parent in parents.items():
        asset = defs.resolve_assets_def(stage)
        assert asset.op.name == stage and graph.get(dg.AssetKey(stage)).parent_keys == {dg.AssetKey(parent)}
        assert asset.group_names_by_key[dg.AssetKey(stage)] == "training"
        assert {"storage", "training", "pipes_subprocess_client"} <= asset.required_resource_keys


def test_the_translator_has_its_own_pool_when_its_endpoint_differs():
    pools = {}
    for env in ("local", "vllm", "deepseek"):  # deepseek: the translator is deepseek-chat, the teacher R1
        resources = load_resources(f"configs/{env}.yaml")
        pools[env] = translator_pool(resources["teacher"], resources["translator"])
    assert pools == {"local": "teacher", "vllm": "teacher", "deepseek": "translator"}
    assert translator_pool(TeacherResource(), TeacherResource(model="other")) == "translator"  # 2nd server
    steps = ("problem_pairs", "translated_pairs", "teacher_cot")
    assert {defs.resolve_assets_def(step).op.pool for step in steps} == {"teacher"}  # local.yaml
    code = "import pipelines.definitions as p; print(p.defs.resolve_assets_def('translated_pairs').op.pool)"
    env = {**os.environ, "PIPELINE_CONFIG": "configs/deepseek.yaml"}  # the code location of that config
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0 and result.stdout.split()[-1] == "translator", result.stderr[-2000:]


def test_definitions_validate_with_the_workspace_file():
    result = subprocess.run(
        [DAGSTER, "definitions", "validate", "-w", "workspace.yaml"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_asset_list_with_module_flag_shows_the_graph():
    result = subprocess.run(
        [DAGSTER, "asset", "list", "-m", "pipelines.definitions"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert all(name in result.stdout for name in ASSETS)


def test_sensor_registers_new_folders_and_requests_one_run_per_change(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "amc-2019").mkdir(parents=True)
    (inbox / "amc-2019" / "a.pdf").write_bytes(b"%PDF-1.4 stub")
    (inbox / "empty").mkdir()
    instance = dg.DagsterInstance.ephemeral()
    sensor = build_inbox_sensor(defs.resolve_job_def("collection_job"))
    resources = {"storage": StorageResource(data_root=str(tmp_path / "data"), inbox_root=str(inbox))}

    result = sensor(dg.build_sensor_context(instance=instance, resources=resources))
    assert [r.partition_key for r in result.run_requests] == ["amc-2019"]
    assert result.dynamic_partitions_requests[0].partition_keys == ["amc-2019"]

    instance.add_dynamic_partitions("collections", ["amc-2019"])
    again = sensor(dg.build_sensor_context(instance=instance, resources=resources))
    assert again.run_requests[0].run_key == result.run_requests[0].run_key  # unchanged: deduplicated
    assert not again.dynamic_partitions_requests

    (inbox / "amc-2019" / "b.pdf").write_bytes(b"%PDF-1.4 other")
    changed = sensor(dg.build_sensor_context(instance=instance, resources=resources))
    assert changed.run_requests[0].run_key != result.run_requests[0].run_key


def test_register_and_schedule_cover_every_collection(tmp_path):
    inbox = tmp_path / "inbox"
    for name in ("a", "b"):
        (inbox / name).mkdir(parents=True)
        (inbox / name / "x.pdf").write_bytes(b"%PDF")
    with dg.instance_for_test() as instance:
        check_register_and_schedule(instance, inbox)


def check_register_and_schedule(instance: dg.DagsterInstance, inbox: Path) -> None:
    assert register_collections(instance, sorted(inbox_collections(inbox))) == ["a", "b"]
    assert register_collections(instance, ["a"]) == []
    schedule = defs.resolve_schedule_def("nightly_collections_backfill")
    requests = schedule(
        dg.build_schedule_context(instance=instance, scheduled_execution_time=datetime(2026, 11, 25, 2))
    )
    assert sorted(r.partition_key for r in requests) == ["a", "b"]


def test_secrets_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-planted-secret")
    configured = load_resources("configs/deepseek.yaml")["teacher"]
    assert "sk-planted-secret" not in repr(configured)  # the config holds the variable's name only
    with dg.build_resources({"teacher": configured}) as resources:
        settings = resources.teacher.settings()
    assert settings.api_key == "sk-planted-secret" and "sk-planted-secret" not in repr(settings)
    assert not configured.embedded and settings.model == "deepseek-reasoner"
