"""Chain-of-thought requests: one teacher sample per (problem, sample index), distill or realign (pure logic)."""

from __future__ import annotations

from distill.core.kinds import CotMode, ErrorKind, TeacherInput
from distill.core.records import CotRow, TranslatedRow, extend, problem_with_options
from distill.llm.client import ChatRequest, Progress, RunStats, TeacherClient
from distill.llm.prompts import Prompt
from distill.llm.reasoning import split_reasoning


def cot_messages(
    prompt: Prompt, row: TranslatedRow, teacher_input: TeacherInput = TeacherInput.TRANSLATED
) -> list[dict]:
    """Messages for one problem: its text with the options as a choice list (``problem_text``), or, for
    ``TeacherInput.ORIGINAL``, the source text of a translated problem (and its source solution)."""
    if teacher_input is TeacherInput.ORIGINAL and row.translated:
        problem = problem_with_options(row.problem_original, row.options_original)
        return prompt.messages(problem=problem, solution=row.solution_original, answer=row.answer)
    return prompt.messages(problem=row.problem_text, solution=row.solution, answer=row.answer)


def generate_cot(
    rows: list[TranslatedRow],
    client: TeacherClient,
    prompt: Prompt,
    mode: str,
    samples: int,
    progress: Progress | None = None,
    teacher_input: TeacherInput = TeacherInput.TRANSLATED,
) -> tuple[list[CotRow], RunStats]:
    """``samples`` teacher samples per usable problem, each its own request (``sample_index`` is part
    of the ledger key). Failed or empty replies become error rows, and so does a problem that realign
    mode cannot use (no reference solution to rewrite); truncated replies are kept and marked."""
    mode = CotMode(mode)
    live = [row for row in rows if not row.error]
    usable = [row for row in live if mode != CotMode.REALIGN or row.solution.strip()]
    unusable = [row for row in live if mode == CotMode.REALIGN and not row.solution.strip()]
    pairs = [
        (row, ChatRequest(cot_messages(prompt, row, teacher_input), prompt.version, sample_index=k))
        for row in usable
        for k in range(samples)
    ]
    results, stats = client.run([request for _, request in pairs], progress)
    provenance = dict(
        teacher_model=client.settings.model,
        prompt_version=prompt.version,
        cot_mode=mode,
        teacher_input=teacher_input,
    )
    out: list[CotRow] = [
        extend(
            row,
            CotRow,
            **provenance,
            error="no reference solution to realign",
            error_kind=ErrorKind.NO_SOLUTION,
        )
        for row in unusable
    ]
    for (row, request), result in zip(pairs, results, strict=True):
        reasoning, final, source = split_reasoning(result.content, result.reasoning)
        error, kind = result.error, ErrorKind.REQUEST_FAILED if result.error else None
        if not error and not (reasoning or final):
            error, kind = "empty teacher reply", ErrorKind.EMPTY_REPLY
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
                error_kind=kind,
            )
        )
    return out, stats
