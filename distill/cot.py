"""Chain-of-thought requests and R1 output parsing (pure logic)."""

from __future__ import annotations

import re

from distill.prompts import Prompt
from distill.records import CotRow, TranslatedRow, extend
from distill.teacher import ChatRequest, Progress, RunStats, TeacherClient

COT_MODES = ("distill", "realign")

_THINK_OPEN = re.compile(r"^\s*<think>\s*")
_THINK_CLOSE = "</think>"


def cot_messages(prompt: Prompt, row: TranslatedRow) -> list[dict]:
    """Messages for one problem; options are appended to the problem text as a choice list."""
    problem = row.problem
    if row.options:
        problem = problem.rstrip() + "\n" + "\n".join(row.options)
    return prompt.messages(problem=problem, solution=row.solution, answer=row.answer)


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


def assistant_turn(reasoning: str, final: str) -> str:
    """The R1-style assistant message used for SFT."""
    return f"<think>\n{reasoning}\n</think>\n{final}"


def generate_cot(
    rows: list[TranslatedRow],
    client: TeacherClient,
    prompt: Prompt,
    mode: str,
    samples: int,
    progress: Progress | None = None,
) -> tuple[list[CotRow], RunStats]:
    """``samples`` teacher samples per usable problem, each its own request (``sample_index`` is part
    of the ledger key). Failed or empty replies become error rows, and so does a problem that realign
    mode cannot use (no reference solution to rewrite); truncated replies are kept and marked."""
    if mode not in COT_MODES:
        raise ValueError(f"unknown CoT mode {mode!r}; choose one of {COT_MODES}")
    live = [row for row in rows if not row.error]
    usable = [row for row in live if mode != "realign" or row.solution.strip()]
    unusable = [row for row in live if mode == "realign" and not row.solution.strip()]
    pairs = [
        (row, ChatRequest(cot_messages(prompt, row), prompt.version, sample_index=k))
        for row in usable
        for k in range(samples)
    ]
    results, stats = client.run([request for _, request in pairs], progress)
    provenance = dict(teacher_model=client.settings.model, prompt_version=prompt.version, cot_mode=mode)
    out: list[CotRow] = [
        extend(row, CotRow, **provenance, error="no reference solution to realign") for row in unusable
    ]
    for (row, request), result in zip(pairs, results, strict=True):
        reasoning, final, source = split_reasoning(result.content, result.reasoning)
        error = result.error
        if not error and not (reasoning or final):
            error = "empty teacher reply"
        out.append(
            extend(
                row,
                CotRow,
                **provenance,
                sample_index=request.sample_index,
                request_key=result.key,
                reasoning=reasoning,
                final_text=final,
                reasoning_source=source if not result.error else "",
                finish_reason=result.finish_reason,
                truncated=result.finish_reason == "length",
                attempts=result.attempts,
                prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens,
                latency_s=result.latency_s,
                cost_usd=result.cost_usd,
                error=error,
            )
        )
    return out, stats
