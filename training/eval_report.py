"""The ``training.evaluate`` report as a markdown table and a bar chart (pass@1 per arm and problem set)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

ARM_NAMES = {"base": "base", "rl": "base+GRPO", "sft": "SFT", "grpo": "SFT+GRPO"}


def _sets(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(name for r in results.values() for name in r["by_set"]))


def results_table(results: Mapping[str, Mapping[str, Any]]) -> str:
    """One row per arm: pass@1 overall and per problem set, the share of ``\\boxed{}`` answers, the model."""
    sets = _sets(results)
    lines = [
        "| arm | pass@1 | " + " | ".join(sets) + " | boxed | model |",
        "|---|---|" + "---|" * len(sets) + "---|---|",
    ]
    for label, r in results.items():
        per_set = [
            f"{r['by_set'][s]['correct']}/{r['by_set'][s]['n']}" if s in r["by_set"] else "" for s in sets
        ]
        lines.append(
            f"| {ARM_NAMES.get(label, label)} | {r['pass_at_1']:.3f} ({r['correct']}/{r['n']}) | "
            + " | ".join(per_set)
            + f" | {r['boxed_rate']:.2f} | `{r['model']}` |"
        )
    return "\n".join(lines)


def bar_chart(results: Mapping[str, Mapping[str, Any]]) -> bytes:
    """A PNG of grouped bars: pass@1 of each arm, overall and per problem set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = ["all", *_sets(results)]
    fig, ax = plt.subplots(figsize=(1.2 + 1.1 * len(groups) * max(1, len(results)) / 2, 3), dpi=100)
    width = 0.8 / max(1, len(results))
    for i, (label, r) in enumerate(results.items()):
        values = [r["pass_at_1"]] + [r["by_set"].get(s, {}).get("pass_at_1", 0.0) for s in groups[1:]]
        ax.bar([g + i * width for g in range(len(groups))], values, width, label=ARM_NAMES.get(label, label))
    ax.set_xticks([g + width * (len(results) - 1) / 2 for g in range(len(groups))], groups)
    ax.set_ylabel("pass@1")
    ax.set_ylim(0, 1)
    ax.legend(fontsize="small")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
