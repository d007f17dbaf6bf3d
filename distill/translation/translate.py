"""Translation of non-English problems to English through the translator endpoint (pure logic).

Only fields whose prose is mostly in another script (Chinese, Japanese, Korean, Russian, ...) are sent;
English fields and pure formulas pass through, and a row with nothing to translate keeps
``translated = False``. The originals are kept. A translation that changed numbers, formulas or the
option letter is flagged on the row (``translation_flags``), not silently accepted.
"""

from __future__ import annotations

from collections import Counter

from distill.core.kinds import ErrorKind
from distill.core.records import ProblemRow, TranslatedRow, extend
from distill.core.scripts import other_script_share
from distill.llm.client import ChatRequest, Progress, RunStats, TeacherClient
from distill.llm.prompts import Prompt
from distill.translation.check import math_changes


def needs_translation(text: str, threshold: float = 0.05) -> bool:
    return other_script_share(text) > threshold


def _fields(row: ProblemRow, include_solution: bool = True) -> dict[str, str]:
    fields = {"problem": row.problem, "solution": row.solution if include_solution else ""}
    fields.update({f"option{i}": option for i, option in enumerate(row.options)})
    return fields


def translate_rows(
    rows: list[ProblemRow],
    client: TeacherClient,
    prompt: Prompt,
    max_tokens: int,
    include_solution: bool = True,
    progress: Progress | None = None,
) -> tuple[list[TranslatedRow], RunStats, Counter]:
    """Translate problems and options (and solutions unless ``include_solution`` is off: the distill
    mode needs only the problem and the reference answer, which was extracted before translation)."""
    wanted: list[tuple[int, str, ChatRequest]] = []
    for index, row in enumerate(rows):
        if row.error:
            continue
        for name, text in _fields(row, include_solution).items():
            if text.strip() and needs_translation(text):
                wanted.append(
                    (
                        index,
                        name,
                        ChatRequest(prompt.messages(text=text), prompt.version, max_tokens=max_tokens),
                    )
                )
    results, stats = client.run([request for _, _, request in wanted], progress)
    done: dict[int, dict[str, object]] = {}
    for (index, name, _), result in zip(wanted, results, strict=True):
        done.setdefault(index, {})[name] = result

    out: list[TranslatedRow] = []
    flags: Counter = Counter()
    for index, row in enumerate(rows):
        got = done.get(index, {})
        if not got:
            out.append(
                extend(row, TranslatedRow, problem_original=row.problem, solution_original=row.solution)
            )
            continue
        failed = [
            f"{name}: {r.error or 'empty reply'}"
            for name, r in got.items()
            if r.error or not r.content.strip()
        ]
        values = {name: r.content.strip() for name, r in got.items() if not r.error}
        texts = _fields(row)
        changes = {name: math_changes(texts[name], text) for name, text in values.items()}
        error, kind = None, None
        if failed:
            error = "translation failed: " + "; ".join(failed)[:500]
            kind = ErrorKind.REQUEST_FAILED if any(r.error for r in got.values()) else ErrorKind.EMPTY_REPLY
            flags["translation failed"] += 1
        flags.update(f"{kind} changed" for found in changes.values() for kind in found)
        out.append(
            extend(
                row,
                TranslatedRow,
                problem=values.get("problem", row.problem),
                solution=values.get("solution", row.solution),
                options=[values.get(f"option{i}", o) for i, o in enumerate(row.options)],
                problem_original=row.problem,
                solution_original=row.solution,
                translated=True,
                translator_model=client.settings.model,
                translation_prompt_version=prompt.version,
                translation_flags=[
                    f"{name}: {kind} changed: {detail}"
                    for name, found in changes.items()
                    for kind, detail in found.items()
                ],
                error=error,
                error_kind=kind,
            )
        )
    return out, stats, flags
