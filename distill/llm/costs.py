"""Token prices (``configs/prices.yaml``) and the cost of one response.

Prices are USD per million tokens, per model name as configured. ``input_cached`` is the price of
prompt tokens the provider served from its context cache (DeepSeek, OpenAI); a model missing from
the table (self-hosted) costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Price:
    input: float = 0.0
    output: float = 0.0
    input_cached: float | None = None  # None: cached prompt tokens cost as much as the others

    def cost(self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float:
        cached = min(cached_tokens, prompt_tokens)
        cached_rate = self.input if self.input_cached is None else self.input_cached
        return (
            (prompt_tokens - cached) * self.input + cached * cached_rate + completion_tokens * self.output
        ) / 1e6


def load_price(table: str | Path, model: str) -> Price:
    """The price of ``model`` in the table file (a mapping model -> {input, output, input_cached})."""
    data = yaml.safe_load(Path(table).read_text(encoding="utf-8")) or {}
    entry = data.get(model)
    return Price(**entry) if entry else Price()
