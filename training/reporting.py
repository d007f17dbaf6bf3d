"""Run reporting shared by the training scripts: ``OUT/metrics.json`` always, Dagster Pipes when present.

When Dagster Pipes launched the process (``DAGSTER_PIPES_CONTEXT`` is set), every logging step is streamed
to Dagster as a log line and one asset materialization reports the final metrics.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster_pipes import DAGSTER_PIPES_CONTEXT_ENV_VAR, PipesContext, open_dagster_pipes
from transformers import Trainer, TrainerCallback
from transformers.trainer_utils import TrainOutput

from training.recipes import Recipe


@contextmanager
def pipes_session() -> Iterator[PipesContext | None]:
    """The Dagster Pipes context when Dagster launched this process, else ``None`` (no mock, no warning)."""
    if DAGSTER_PIPES_CONTEXT_ENV_VAR not in os.environ:
        yield None
        return
    with open_dagster_pipes() as pipes:
        yield pipes


class PipesLogCallback(TrainerCallback):
    """Sends every logging step (loss, reward, kl, ...) to Dagster as a log line."""

    def __init__(self, pipes: PipesContext, prefix: str) -> None:
        self.pipes = pipes
        self.prefix = prefix

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs:
            self.pipes.log.info(f"{self.prefix} step {state.global_step}: {json.dumps(logs, default=str)}")


def _mean_logged(history: Sequence[dict[str, Any]], key: str) -> float | None:
    values = [
        row[key] for row in history if isinstance(row.get(key), int | float) and math.isfinite(row[key])
    ]
    return sum(values) / len(values) if values else None


def save_and_report(
    trainer: Trainer,
    result: TrainOutput,
    recipe: Recipe,
    output_dir: Path,
    pipes: PipesContext | None,
    logged_keys: Sequence[str] = (),
) -> dict[str, Any]:
    """Save model + tokenizer to ``OUT/final``, write ``OUT/metrics.json``, report to Dagster if launched by it.

    ``logged_keys`` are per-step log entries (e.g. ``reward``, ``kl``) whose mean over the run is reported.
    """
    final_dir = output_dir / "final"
    trainer.save_model(str(final_dir))  # also saves the tokenizer (trainer.processing_class)
    if not trainer.is_world_process_zero():
        return {}
    history = trainer.state.log_history
    runtime = float(result.metrics.get("train_runtime", 0.0))
    num_tokens = next((row["num_tokens"] for row in reversed(history) if "num_tokens" in row), 0)
    metrics: dict[str, Any] = {
        "train_loss": float(result.training_loss),
        "steps": result.global_step,
        "runtime_s": round(runtime, 2),
        "num_tokens": int(num_tokens),
        "tokens_per_s": round(num_tokens / runtime, 2) if runtime else None,
        **{key: _mean_logged(history, key) for key in logged_keys},
        "final_model": str(final_dir.resolve()),
        "recipe": str(recipe.path.resolve()),
        "log_history": history,
    }
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str), encoding="utf-8")
    if pipes is not None:
        scalars = {k: v for k, v in metrics.items() if isinstance(v, int | float)}
        pipes.report_asset_materialization(
            metadata={
                **scalars,
                "final_model": {"raw_value": metrics["final_model"], "type": "path"},
                "recipe": {"raw_value": metrics["recipe"], "type": "path"},
            }
        )
    return metrics
