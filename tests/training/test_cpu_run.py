"""The training half through Dagster on the tiny fixture dataset, on CPU: sft_model (2 steps) -> grpo_model and
rl_model (1 GRPO step each, from the SFT and from the base model) -> student_eval of the four arms. The scripts
run as Pipes subprocesses; a second materialization with the same dataset and recipes retrains nothing."""

from __future__ import annotations

import json
import math
from pathlib import Path

import dagster as dg
import yaml

from assets.grpo_model import grpo_model
from assets.resources import DatasetResource, StorageResource, TrainingResource
from assets.rl_model import rl_model
from assets.sft_model import sft_model
from assets.student_eval import student_eval

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("sft_model", "grpo_model", "rl_model")


def smaller_recipe(name: str, tmp_path: Path, **trainer: object) -> str:
    raw = yaml.safe_load((ROOT / "configs" / "recipes" / name).read_text())
    raw["trainer"].update(trainer)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def assert_saved_model(final: Path) -> None:
    assert (final / "config.json").is_file() and (final / "model.safetensors").is_file()
    assert (final / "tokenizer.json").is_file() and (final / "tokenizer_config.json").is_file()


def test_train_both_grpo_arms_evaluate_four_arms_and_reuse(data_root, tmp_path):
    data = data_root
    training = TrainingResource(
        sft_recipe=smaller_recipe("sft_cpu.yaml", tmp_path, max_steps=2, max_length=256),
        grpo_recipe=smaller_recipe("grpo_cpu.yaml", tmp_path, max_steps=1, max_completion_length=32),
        torch_threads=1,
        eval_arms=["base", "rl", "sft", "grpo"],
        eval_benchmarks={"arith": 2},
        eval_max_new_tokens=24,
    )
    resources = {
        "storage": StorageResource(data_root=str(data), inbox_root=str(tmp_path / "inbox")),
        "dataset": DatasetResource(),
        "training": training,
        "pipes_subprocess_client": dg.PipesSubprocessClient(),
    }
    instance = dg.DagsterInstance.ephemeral()

    result = dg.materialize(
        [sft_model, grpo_model, rl_model, student_eval], resources=resources, instance=instance
    )
    assert result.success
    meta = {stage: result.asset_materializations_for_node(stage)[0].metadata for stage in STAGES}
    for stage in STAGES:
        checkpoint = Path(meta[stage]["checkpoint"].value)
        assert_saved_model(checkpoint)
        metrics = json.loads((checkpoint.parent / "metrics.json").read_text())
        assert meta[stage]["dataset_version"].value == "v-test" and meta[stage]["reused"].value is False
        assert meta[stage]["train_loss"].value == metrics["train_loss"] and math.isfinite(
            metrics["train_loss"]
        )
        assert meta[stage]["tokens_per_s"].value > 0 and "| step |" in meta[stage]["history"].value
    assert meta["grpo_model"]["start_model"].value == meta["sft_model"]["checkpoint"].value
    assert meta["rl_model"]["start_model"].value == training.base_model
    assert (
        meta["grpo_model"]["recipe"].value == training.grpo_recipe
        and meta["grpo_model"]["kl"].value is not None
    )
    grpo_metrics = json.loads(
        (Path(meta["grpo_model"]["checkpoint"].value).parent / "metrics.json").read_text()
    )
    steps = [row for row in grpo_metrics["log_history"] if "reward_std" in row]
    assert any(row["reward_std"] > 0 or row["loss"] != 0 for row in steps), steps  # a learning signal

    logs = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert any(line.startswith("sft step 1/2: loss=") and "tokens/s=" in line for line in logs)
    assert any(
        line.startswith("grpo step 1/1: loss=") and "reward=" in line and "kl=" in line for line in logs
    )

    evaluation = result.asset_materializations_for_node("student_eval")[0].metadata
    report = json.loads(Path(evaluation["path"].value).read_text())["results"]
    assert (
        list(report) == ["base", "rl", "sft", "grpo"] and evaluation["problems"].value == 5
    )  # 3 held out + 2 arith
    assert all(0.0 <= evaluation[f"pass_at_1_{arm}"].value <= 1.0 for arm in report)
    assert report["grpo"]["model"] == meta["grpo_model"]["checkpoint"].value
    assert set(report["base"]["by_set"]) == {"heldout", "arith"}
    versions = {arm: r["prompt_version"] for arm, r in report.items()}  # each arm's training prompt
    assert versions == {"base": "cot-distill-v1", "rl": "grpo-v1", "sft": "cot-distill-v1", "grpo": "grpo-v1"}
    assert all(evaluation[f"prompt_{arm}"].value == versions[arm] for arm in report)
    assert (
        "| SFT+GRPO |" in evaluation["results"].value
        and "data:image/png;base64," in evaluation["chart"].value
    )

    again = dg.materialize([sft_model, grpo_model, rl_model], resources=resources, instance=instance)
    for stage in STAGES:
        reused = again.asset_materializations_for_node(stage)[0].metadata
        assert (
            reused["reused"].value is True and reused["checkpoint"].value == meta[stage]["checkpoint"].value
        )
        assert len(list((data / "models" / stage).iterdir())) == 1
