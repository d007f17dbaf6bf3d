"""The four shipped recipes parse into TRL configs on CPU; malformed recipes fail early."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from trl import GRPOConfig, SFTConfig

from distill.local_model import LOCAL_MODEL_ALIAS
from training.recipes import load_recipe

RECIPES = Path(__file__).resolve().parents[2] / "configs" / "recipes"
CONFIGS = {"sft": SFTConfig, "grpo": GRPOConfig}


@pytest.mark.parametrize("name", ["sft_cpu", "sft_gpu", "grpo_cpu", "grpo_gpu"])
def test_recipe_builds_its_trl_config(name, tmp_path):
    recipe = load_recipe(RECIPES / f"{name}.yaml")
    assert recipe.kind == name.split("_")[0]
    if name.endswith("_gpu"):
        # bf16 needs a GPU to validate; everything else is checked as is.
        recipe = dataclasses.replace(recipe, trainer={**recipe.trainer, "use_cpu": True})
    config = recipe.config(CONFIGS[recipe.kind], tmp_path)
    assert config.output_dir == str(tmp_path)
    assert config.report_to == []
    if name.endswith("_cpu"):
        assert recipe.model == LOCAL_MODEL_ALIAS
        assert config.use_cpu and not config.bf16 and 0 < config.max_steps <= 8
    else:
        assert recipe.model_path() == "Qwen/Qwen2.5-Math-1.5B-Instruct"  # hub ids pass through unresolved
        assert config.bf16 and recipe.trainer["model_init_kwargs"]["dtype"] == "bfloat16"
    if recipe.kind == "sft":
        assert config.completion_only_loss and not config.assistant_only_loss
    else:
        assert recipe.reward_funcs == ["accuracy", "r1_format", "tag_count", "reasoning_steps"]
        assert len(config.reward_weights) == len(recipe.reward_funcs)
        assert config.use_vllm == name.endswith("_gpu")


def test_cpu_recipes_fit_a_smoke_run():
    sft = load_recipe(RECIPES / "sft_cpu.yaml").trainer
    grpo = load_recipe(RECIPES / "grpo_cpu.yaml").trainer
    assert sft["max_length"] == 512 and sft["save_strategy"] == "no"
    assert grpo["num_generations"] == 4 and grpo["per_device_train_batch_size"] == 4
    assert grpo["max_completion_length"] <= 64 and grpo["max_steps"] <= 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"epochs": 3}, "unknown keys"),
        ({"kind": "dpo"}, "kind"),
        ({"reward_funcs": ["accuracy", "cosine"]}, "reward_funcs"),
        ({"trainer": {"reward_weights": [1.0]}}, "reward_weights"),
        ({"trainer": {"output_dir": "x"}}, "output_dir"),
    ],
)
def test_malformed_recipe_is_rejected(change, message, tmp_path):
    raw = {"kind": "grpo", "model": "some/model", "reward_funcs": ["accuracy", "tag_count"], "trainer": {}}
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump({**raw, **change}))
    with pytest.raises(ValueError, match=message):
        load_recipe(path)
