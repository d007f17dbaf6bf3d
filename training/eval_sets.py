"""Held-out problem sets for pass@1: Parquet/JSONL files and the bundled benchmarks (``samples/benchmarks``).

Every problem is a dict with ``id``, ``problem``, ``answer`` and ``set`` (the benchmark name or the file's
stem), so results can be broken down per set. The bundled benchmarks (MATH-500, AIME 2024, AMC 2023,
Gaokao 2024; MIT licences beside them) are the ones ``distill_dataset`` decontaminates against.

``arith`` is not a benchmark but a smoke set generated here (two-operand integer arithmetic): a 135M CPU
student scores 0 on every real benchmark, and about 0.2 on it, so a CPU demo can show that the evaluation
measures something and how training moves it.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from distill.core.storage import read_jsonl

BENCHMARKS_DIR = Path(__file__).resolve().parent.parent / "samples" / "benchmarks"
BENCHMARKS = ("math500", "aime24", "amc23", "gaokao2024", "arith")
_COLUMNS = ("id", "problem", "answer")


def read_problems(path: str | Path, limit: int = 0, max_level: int | None = None) -> list[dict[str, Any]]:
    """The first ``limit`` problems (0: all) of a ``.parquet`` or ``.jsonl`` file, after keeping only those
    whose ``level`` is at most ``max_level`` when given (problems without a level are kept)."""
    path = Path(path)
    if path.suffix == ".parquet":
        rows = pq.read_table(path).to_pylist()
    else:
        rows = read_jsonl(path)
    if max_level is not None:
        rows = [row for row in rows if row.get("level") is None or row["level"] <= max_level]
    rows = rows[:limit] if limit else rows
    return [{**{key: str(row[key]) for key in _COLUMNS}, "set": path.stem} for row in rows]


def benchmark(name: str, limit: int = 0, max_level: int | None = None) -> list[dict[str, Any]]:
    """A bundled benchmark by name (see :data:`BENCHMARKS`), optionally its first ``limit`` problems."""
    if name not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; bundled: {', '.join(BENCHMARKS)}")
    if name == "arith":
        return arithmetic(limit or 50)
    return read_problems(BENCHMARKS_DIR / f"{name}.jsonl", limit, max_level)


def arithmetic(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` problems "What is $a + b$?" (then -, then x, in turn) with a, b in 2..20; the same for a seed."""
    rng = random.Random(seed)
    problems = []
    for i in range(n):
        a, b = rng.randint(2, 20), rng.randint(2, 20)
        symbol, value = [("+", a + b), ("-", a - b), ("\\times", a * b)][i % 3]
        problems.append(
            {
                "id": f"arith-{i}",
                "problem": f"What is ${a} {symbol} {b}$?",
                "answer": str(value),
                "set": "arith",
            }
        )
    return problems
