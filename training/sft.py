"""Supervised fine-tuning of the student on the distilled CoT dataset (TRL ``SFTTrainer``).

    python -m training.sft --recipe configs/recipes/sft_cpu.yaml --dataset D --output-dir OUT [--model PATH]

Reads ``D/sft/train.parquet`` (and ``D/sft/test.parquet`` when the recipe evaluates), saves the model and
tokenizer to ``OUT/final`` and the metrics to ``OUT/metrics.json``; with ``save_strategy: steps`` it writes
``OUT/checkpoint-N`` and resumes from the last one when rerun. Runs as is under ``accelerate launch``.

Each ``messages`` conversation is split into ``prompt`` (the turns before the answer) and ``completion``
(the final assistant turn), so TRL's ``completion_only_loss`` trains on the assistant turn only. That works
with any chat template. A recipe with ``assistant_only_loss: true`` keeps ``messages`` whole instead (every
assistant turn is trained); that needs a chat template with ``{% generation %}`` markers (``chat_template_path``),
which SmolLM2's and Qwen2.5-Math's own templates lack.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from datasets import Dataset, load_dataset
from trl import SFTConfig, SFTTrainer

from training.recipes import load_recipe, output_dir_for
from training.reporting import PipesLogCallback, pipes_session, train_and_report

LOGGED = ("loss", "grad_norm", "learning_rate", "mean_token_accuracy", "entropy", "eval_loss")


def to_prompt_completion(row: dict[str, Any]) -> dict[str, Any]:
    messages = row["messages"]
    if not messages or messages[-1]["role"] != "assistant":
        raise ValueError(f"row {row.get('id')!r}: the last message must be the assistant's answer")
    return {"prompt": messages[:-1], "completion": messages[-1:]}


def load_split(dataset_dir: str | Path, split: str, whole_conversations: bool = False) -> Dataset:
    """``D/sft/<split>`` as ``prompt``/``completion`` pairs, or as ``messages`` when whole."""
    path = Path(dataset_dir) / "sft" / f"{split}*.parquet"  # one file, or shards {split}-0000i-of-0000n
    dataset = load_dataset("parquet", data_files=str(path), split="train")
    if whole_conversations:
        return dataset.select_columns(["messages"])
    return dataset.map(to_prompt_completion, remove_columns=dataset.column_names)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", required=True)
    parser.add_argument("--dataset", required=True, help="dataset dir written by the distill_dataset asset")
    parser.add_argument("--output-dir", help="defaults to the recipe's output_dir")
    parser.add_argument("--model", help="overrides the recipe's model (hub id, path or local alias)")
    args = parser.parse_args(argv)

    recipe = load_recipe(args.recipe)
    output_dir = output_dir_for(recipe, args.output_dir)
    config = recipe.config(SFTConfig, output_dir)
    train_dataset = load_split(args.dataset, "train", config.assistant_only_loss)
    eval_dataset = (
        load_split(args.dataset, "test", config.assistant_only_loss) if config.eval_strategy != "no" else None
    )
    with pipes_session() as pipes:
        trainer = SFTTrainer(
            model=recipe.load_model(args.model),
            args=config,
            train_dataset=train_dataset,
            eval_dataset=eval_dataset,
            callbacks=[PipesLogCallback(pipes, "sft", LOGGED)] if pipes else None,
        )
        return train_and_report(trainer, recipe, output_dir, pipes, LOGGED)


if __name__ == "__main__":
    main()
