"""Every shipped recipe parses into its TRL config on CPU (GPU ones up to the GPU boundary: vLLM, bf16,
DeepSpeed configs, the accelerate command line); malformed recipes fail early."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
import yaml
from accelerate.commands.config.config_args import load_config_from_file
from accelerate.commands.launch import launch_command_parser
from trl import GRPOConfig, SFTConfig

from assets.resources import TrainingResource
from distill.llm.local_model import LOCAL_MODEL_ALIAS
from pipelines.environment import load_resources
from training.recipes import load_recipe
from training.rewards import get_reward_funcs

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "configs" / "recipes"
CONFIGS = {"sft": SFTConfig, "grpo": GRPOConfig}
CPU = ["sft_cpu", "grpo_cpu", "../../tests/e2e/sft_tiny", "../../tests/e2e/grpo_tiny"]
GPU = ["sft_gpu", "sft_gpu_7b", "grpo_gpu", "grpo_gpu_7b_server"]


def test_every_recipe_file_is_tested():
    assert sorted(p.stem for p in RECIPES.glob("*.yaml")) == sorted(
        Path(n).name for n in CPU + GPU if "/" not in n
    )


@pytest.mark.parametrize("name", CPU)
def test_cpu_recipe_builds_a_cpu_config(name, tmp_path):
    recipe = load_recipe(RECIPES / f"{name}.yaml")
    config = recipe.config(CONFIGS[recipe.kind], tmp_path)
    assert recipe.model == LOCAL_MODEL_ALIAS and config.output_dir == str(tmp_path) and config.report_to == []
    assert config.use_cpu and not config.bf16 and 0 < config.max_steps <= 8 and config.save_strategy == "no"
    if recipe.kind == "sft":
        assert (
            config.completion_only_loss
            and not config.assistant_only_loss
            and config.label_smoothing_factor == 0
        )
    else:
        assert not config.use_vllm and config.num_generations == 4 and config.max_completion_length <= 64
        assert (
            len(config.reward_weights)
            == len(recipe.reward_funcs)
            == len(get_reward_funcs(recipe.reward_funcs))
        )


@pytest.mark.parametrize("name", GPU)
def test_gpu_recipe_builds_its_config_up_to_the_gpu(name, tmp_path):
    recipe = load_recipe(RECIPES / f"{name}.yaml")
    assert recipe.model_path().startswith("Qwen/Qwen2.5-Math-")  # hub ids pass through unresolved
    assert recipe.trainer["model_init_kwargs"]["dtype"] == "bfloat16" and recipe.trainer["bf16"]
    # bf16 validates only on a GPU; every other field is checked as is.
    cpu = dataclasses.replace(recipe, trainer={**recipe.trainer, "use_cpu": True})
    config = cpu.config(CONFIGS[recipe.kind], tmp_path)
    assert config.activation_checkpointing and config.save_strategy == "steps"
    if recipe.kind == "sft":
        assert config.completion_only_loss and config.max_length == 4096
        return
    assert config.use_vllm and config.vllm_mode == ("server" if "server" in name else "colocate")
    assert config.loss_type == "dapo" and config.mask_truncated_completions and config.num_generations == 16
    funcs = get_reward_funcs(recipe.reward_funcs, {"soft_overlong_punishment": {"max_completion_len": 3072}})
    assert len(funcs) == len(config.reward_weights) and funcs[0].__name__ == "accuracy_reward"
    assert config.generation_batch_size % config.num_generations == 0


@pytest.mark.parametrize(("name", "stage"), [("zero2", 2), ("zero3", 3)])
def test_accelerate_configs_load(name, stage):
    config = load_config_from_file(str(ROOT / "configs" / "accelerate" / f"{name}.yaml"))
    assert config.distributed_type == "DEEPSPEED" and config.deepspeed_config["zero_stage"] == stage
    assert config.mixed_precision == "bf16" and config.num_processes == 8


def test_accelerate_command_line_parses_as_accelerate_launch():
    training = TrainingResource(
        launcher="accelerate",
        accelerate_config="configs/accelerate/zero3.yaml",
        accelerate_args=["--num_processes", "7"],
    )
    command = training.command(
        "training.grpo", "--recipe", "configs/recipes/grpo_gpu_7b_server.yaml", "--dataset", "D"
    )
    assert command[:3] == [sys.executable, "-m", "accelerate.commands.launch"]
    args = launch_command_parser().parse_args(command[3:])
    assert args.config_file == "configs/accelerate/zero3.yaml" and args.num_processes == 7 and args.module
    assert args.training_script == "training.grpo"
    assert args.training_script_args == [
        "--recipe",
        "configs/recipes/grpo_gpu_7b_server.yaml",
        "--dataset",
        "D",
    ]
    evaluate = training.command("training.evaluate", "--model", "m", distributed=False)
    assert evaluate == [sys.executable, "-m", "training.evaluate", "--model", "m"]


@pytest.mark.parametrize("env", ["local", "vllm", "deepseek"])
def test_environment_training_sections_point_at_existing_files(env):
    training = load_resources(ROOT / "configs" / f"{env}.yaml")["training"]
    for recipe in (training.sft_recipe, training.grpo_recipe):
        assert load_recipe(ROOT / recipe).kind in recipe
    assert training.accelerate_config is None or (ROOT / training.accelerate_config).is_file()
    assert set(training.eval_arms) == {"base", "rl", "sft", "grpo"}
    assert training.eval_benchmarks or training.eval_heldout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"epochs": 3}, "unknown keys"),
        ({"kind": "dpo"}, "kind"),
        ({"reward_funcs": ["accuracy", "cosines"]}, "reward_funcs"),
        ({"reward_funcs": [{"cosine": {"max_length": 5}}]}, "reward_funcs"),
        ({"reward_funcs": []}, "reward_funcs"),
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
