"""GRPO of the student with verifiable math rewards (TRL ``GRPOTrainer``).

    python -m training.grpo --recipe configs/recipes/grpo_cpu.yaml --dataset D --output-dir OUT [--model PATH]

Reads ``D/grpo/train.parquet`` (``prompt`` conversations, ``answer`` and ``solution`` columns for the
accuracy reward). ``--model`` is usually the SFT output (``SFT_OUT/final``). Rewards and their weights come
from the recipe (``reward_funcs``, ``trainer.reward_weights``); see ``training.rewards``; the soft overlong
punishment defaults to the recipe's ``max_completion_length``. Saves the model to ``OUT/final`` and the
metrics (mean reward, kl, loss, ...) to ``OUT/metrics.json``; resumes from the last ``OUT/checkpoint-N``.
With ``use_vllm`` the generations come from vLLM (``vllm_mode: colocate`` or ``server``), see the GPU recipes.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from datasets import load_dataset
from trl import GRPOConfig, GRPOTrainer

from training.recipes import load_recipe, output_dir_for
from training.reporting import PipesLogCallback, pipes_session, train_and_report
from training.rewards import get_reward_funcs

LOGGED = (
    "loss",
    "reward",
    "reward_std",
    "frac_reward_zero_std",
    "kl",
    "entropy",
    "clip_ratio/region_mean",
    "completions/mean_length",
    "completions/clipped_ratio",
)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", required=True)
    parser.add_argument("--dataset", required=True, help="dataset dir written by the distill_dataset asset")
    parser.add_argument("--output-dir", help="defaults to the recipe's output_dir")
    parser.add_argument("--model", help="overrides the recipe's model, e.g. the SFT output's final dir")
    args = parser.parse_args(argv)

    recipe = load_recipe(args.recipe)
    output_dir = output_dir_for(recipe, args.output_dir)
    config = recipe.config(GRPOConfig, output_dir)
    path = Path(args.dataset) / "grpo" / "train*.parquet"  # one file, or shards train-0000i-of-0000n
    train_dataset = load_dataset("parquet", data_files=str(path), split="train")
    overlong = {"soft_overlong_punishment": {"max_completion_len": config.max_completion_length}}
    with pipes_session() as pipes:
        trainer = GRPOTrainer(
            model=recipe.load_model(args.model),
            reward_funcs=get_reward_funcs(recipe.reward_funcs, defaults=overlong),
            args=config,
            train_dataset=train_dataset,
            callbacks=[PipesLogCallback(pipes, "grpo", LOGGED)] if pipes else None,
        )
        return train_and_report(trainer, recipe, output_dir, pipes, LOGGED)


if __name__ == "__main__":
    main()
