"""One real CPU chain on the tiny fixture: SFT 2 steps -> GRPO 2 steps -> pass@1 on 3 problems.

The scripts run as subprocesses through their CLIs, SFT under a (file-based) Dagster Pipes session.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import yaml
from dagster_pipes import DAGSTER_PIPES_CONTEXT_ENV_VAR, DAGSTER_PIPES_MESSAGES_ENV_VAR, encode_param

ROOT = Path(__file__).resolve().parents[2]


def run(module: str, *args: str, env: dict[str, str] | None = None) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, f"{module} failed:\n{proc.stderr[-4000:]}"


def smaller_recipe(name: str, tmp_path: Path, **trainer: object) -> Path:
    raw = yaml.safe_load((ROOT / "configs" / "recipes" / name).read_text())
    raw["trainer"].update(trainer)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw))
    return path


def pipes_env(messages: Path) -> dict[str, str]:
    context = {
        "asset_keys": ["sft_model"],
        "code_version_by_asset_key": None,
        "provenance_by_asset_key": None,
        "partition_key": None,
        "partition_key_range": None,
        "partition_time_window": None,
        "run_id": "test-run",
        "job_name": None,
        "retry_number": 0,
        "extras": {},
    }
    return {
        DAGSTER_PIPES_CONTEXT_ENV_VAR: encode_param({"data": context}),
        DAGSTER_PIPES_MESSAGES_ENV_VAR: encode_param({"path": str(messages)}),
    }


def assert_saved_model(final: Path) -> None:
    assert (final / "config.json").is_file() and (final / "model.safetensors").is_file()
    assert (final / "tokenizer.json").is_file() and (final / "tokenizer_config.json").is_file()


def test_sft_then_grpo_then_evaluate(dataset_dir, tmp_path):
    sft_out, grpo_out, report = tmp_path / "sft", tmp_path / "grpo", tmp_path / "eval.json"
    messages = tmp_path / "pipes_messages.jsonl"

    sft_recipe = smaller_recipe("sft_cpu.yaml", tmp_path, max_steps=2, max_length=256)
    run("training.sft", "--recipe", str(sft_recipe), "--dataset", str(dataset_dir), "--output-dir", str(sft_out),
        env=pipes_env(messages))  # fmt: skip
    assert_saved_model(sft_out / "final")
    sft = json.loads((sft_out / "metrics.json").read_text())
    assert sft["steps"] == 2 and math.isfinite(sft["train_loss"]) and sft["tokens_per_s"] > 0
    sent = [json.loads(line) for line in messages.read_text().splitlines()]
    logs = [m["params"]["message"] for m in sent if m["method"] == "log"]
    assert any(line.startswith("sft step 1:") for line in logs)
    [materialization] = [m["params"] for m in sent if m["method"] == "report_asset_materialization"]
    assert materialization["metadata"]["train_loss"]["raw_value"] == sft["train_loss"]
    assert materialization["metadata"]["final_model"]["raw_value"] == str((sft_out / "final").resolve())

    grpo_recipe = smaller_recipe("grpo_cpu.yaml", tmp_path, max_steps=2, max_completion_length=48)
    run("training.grpo", "--recipe", str(grpo_recipe), "--dataset", str(dataset_dir),
        "--model", str(sft_out / "final"), "--output-dir", str(grpo_out))  # fmt: skip
    assert_saved_model(grpo_out / "final")
    grpo = json.loads((grpo_out / "metrics.json").read_text())
    assert grpo["steps"] == 2 and math.isfinite(grpo["train_loss"]) and grpo["reward"] is not None
    steps = [row for row in grpo["log_history"] if "reward_std" in row]
    assert any(row["reward_std"] > 0 or row["loss"] != 0 for row in steps), steps

    run("training.evaluate", "--model", str(grpo_out / "final"), "--label", "grpo",
        "--problems", str(dataset_dir / "eval" / "heldout.parquet"), "--output", str(report),
        "--max-new-tokens", "48")  # fmt: skip
    result = json.loads(report.read_text())["results"]["grpo"]
    assert result["n"] == 3 and len(result["per_item"]) == 3 and 0.0 <= result["pass_at_1"] <= 1.0
