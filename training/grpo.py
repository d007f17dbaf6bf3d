"""GRPO of the student with verifiable math rewards (TRL ``GRPOTrainer``).

    python -m training.grpo --recipe configs/recipes/grpo_cpu.yaml --dataset D --output-dir OUT [--model PATH]

Reads ``D/grpo/train.parquet`` (``prompt`` conversations, ``answer`` and ``solution`` columns for the
accuracy reward). ``--model`` is usually the SFT output (``SFT_OUT/final``). Rewards and their weights come
from the recipe (``reward_funcs``, ``trainer.reward_weights``); see ``training.rewards``. Saves the model
to ``OUT/final`` and the metrics (mean reward, kl, loss, ...) to ``OUT/metrics.json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from datasets import load_dataset
from trl import GRPOConfig, GRPOTrainer

from training.recipes import load_recipe, output_dir_for
from training.reporting import PipesLogCallback, pipes_session, save_and_report
from training.rewards import get_reward_funcs

LOGGED = ("reward", "reward_std", "frac_reward_zero_std", "kl", "loss", "completions/mean_length")


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
    path = Path(args.dataset) / "grpo" / "train.parquet"
    train_dataset = load_dataset("parquet", data_files=str(path), split="train")
    with pipes_session() as pipes:
        trainer = GRPOTrainer(
            model=recipe.load_model(args.model),
            reward_funcs=get_reward_funcs(recipe.reward_funcs),
            args=config,
            train_dataset=train_dataset,
            callbacks=[PipesLogCallback(pipes, "grpo")] if pipes else None,
        )
        result = trainer.train()
        return save_and_report(trainer, result, recipe, output_dir, pipes, logged_keys=LOGGED)


if __name__ == "__main__":
    main()
