"""The run lifecycle shared by the training scripts: resume, train, save, and report the figures.

``OUT/metrics.json`` is always written. When Dagster Pipes launched the process (``DAGSTER_PIPES_CONTEXT``
is set), every logging step is streamed to Dagster as a log line (loss, reward, kl, tokens/s, ...) and one
asset materialization reports the final figures, the per-step history as a table, and the checkpoint.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster_pipes import DAGSTER_PIPES_CONTEXT_ENV_VAR, PipesContext, open_dagster_pipes
from transformers import Trainer, TrainerCallback
from transformers.trainer_utils import get_last_checkpoint

from distill.core.versions import MODEL_TOOLS, tool_versions
from training.recipes import Recipe


@contextmanager
def pipes_session() -> Iterator[PipesContext | None]:
    """The Dagster Pipes context when Dagster launched this process, else ``None`` (no mock, no warning)."""
    if DAGSTER_PIPES_CONTEXT_ENV_VAR not in os.environ:
        yield None
        return
    with open_dagster_pipes() as pipes:
        yield pipes


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


class PipesLogCallback(TrainerCallback):
    """Streams every logging step to Dagster as one log line; ``tokens/s`` is measured between two steps."""

    def __init__(self, pipes: PipesContext, prefix: str, keys: Sequence[str]) -> None:
        self.pipes = pipes
        self.prefix = prefix
        self.keys = keys
        self._last = (time.perf_counter(), 0.0)

    def on_train_begin(self, args, state, control, **kwargs):
        self._last = (time.perf_counter(), 0.0)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not (state.is_world_process_zero and logs):
            return
        figures = {key: logs[key] for key in self.keys if _number(logs.get(key)) is not None}
        tokens = _number(logs.get("num_tokens"))
        if tokens is not None:
            now = time.perf_counter()
            figures["tokens/s"] = round((tokens - self._last[1]) / max(now - self._last[0], 1e-9), 1)
            self._last = (now, tokens)
        line = ", ".join(f"{k}={v:.4g}" for k, v in figures.items())
        self.pipes.log.info(f"{self.prefix} step {state.global_step}/{state.max_steps}: {line}")


def history_table(history: Sequence[dict[str, Any]], keys: Sequence[str]) -> str:
    """The per-step log as a markdown table with a ``step`` column and one column per key present."""
    rows = [row for row in history if any(_number(row.get(key)) is not None for key in keys)]
    shown = [key for key in keys if any(_number(row.get(key)) is not None for row in rows)]
    lines = ["| step | " + " | ".join(shown) + " |", "|---" * (len(shown) + 1) + "|"]
    for row in rows:
        cells = ["" if _number(row.get(key)) is None else f"{row[key]:.4g}" for key in shown]
        lines.append(f"| {row.get('step', '')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def train_and_report(
    trainer: Trainer,
    recipe: Recipe,
    output_dir: Path,
    pipes: PipesContext | None,
    logged_keys: Sequence[str],
) -> dict[str, Any]:
    """Train (resuming from the last ``OUT/checkpoint-*`` when there is one), save model + tokenizer to
    ``OUT/final``, write ``OUT/metrics.json`` and report it to Dagster when launched by it.

    ``logged_keys`` are per-step log entries (``loss``, ``reward``, ``kl``, ...): the run's mean of each is
    reported, and the history of all of them.
    """
    resume = get_last_checkpoint(str(output_dir)) if output_dir.is_dir() else None
    result = trainer.train(resume_from_checkpoint=resume)
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
        **{key: _mean(history, key) for key in logged_keys},
        "resumed_from": resume,
        "final_model": str(final_dir.resolve()),
        "recipe": str(recipe.path.resolve()),
        "versions": tool_versions(MODEL_TOOLS),
        "log_history": history,
    }
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str), encoding="utf-8")
    if pipes is not None:
        scalars = {k: v for k, v in metrics.items() if isinstance(v, int | float)}
        pipes.report_asset_materialization(
            metadata={
                **scalars,
                "history": {"raw_value": history_table(history, logged_keys), "type": "md"},
                "final_model": {"raw_value": metrics["final_model"], "type": "path"},
                "recipe": {"raw_value": metrics["recipe"], "type": "path"},
                "versions": {"raw_value": metrics["versions"], "type": "json"},
            }
        )
    return metrics


def _mean(history: Sequence[dict[str, Any]], key: str) -> float | None:
    values = [v for v in (_number(row.get(key)) for row in history) if v is not None]
    return sum(values) / len(values) if values else None
