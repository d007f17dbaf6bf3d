"""The reasoning of an R1-style reply, apart from its final text, whatever shape the endpoint gives it."""

from __future__ import annotations

import re

_THINK_OPEN = re.compile(r"^\s*<think>\s*")
_THINK_CLOSE = "</think>"


def split_reasoning(content: str, reasoning_field: str = "") -> tuple[str, str, str]:
    """(reasoning, final text, where the reasoning came from) for the three R1 output shapes.

    - DeepSeek API / vLLM ``--reasoning-parser``: the reasoning arrives in its own field;
    - raw R1 text: ``<think>...</think>final``;
    - a chat template that pre-fills ``<think>``: the content starts inside the reasoning and holds only
      the closing tag.
    A reply with no reasoning at all (a non-reasoning teacher) keeps its whole text as the final text.
    """
    if reasoning_field.strip():
        return reasoning_field.strip(), content.strip(), "field"
    if _THINK_CLOSE in content:
        head, _, tail = content.partition(_THINK_CLOSE)
        source = "inline" if _THINK_OPEN.match(head) else "prefilled"
        return _THINK_OPEN.sub("", head).strip(), tail.strip(), source
    if _THINK_OPEN.match(content):  # opened but never closed: the generation was cut inside its reasoning
        return _THINK_OPEN.sub("", content).strip(), "", "unclosed"
    return "", content.strip(), "none"
