"""Translation of non-English problems to English through the translator endpoint (pure logic).

Only fields whose prose is mostly in another script (Chinese, Japanese, Korean, Russian, ...) are sent;
English fields and pure formulas pass through, and a row with nothing to translate keeps
``translated = False``. The originals are kept. A translation that changed numbers, formulas or the
option letter is asked for once more (with a ``retry`` client: temperature 0, its earlier answer and what
it changed named in the conversation); one still changed is flagged on the row (``translation_flags``)
and, with ``drop_flagged``, the row becomes an error row that says why (``translation_changed``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from distill.core.kinds import ErrorKind
from distill.core.records import ProblemRow, TranslatedRow, extend
from distill.core.scripts import other_script_share
from distill.llm.client import ChatRequest, Progress, RunStats, TeacherClient
from distill.llm.prompts import Prompt
from distill.translation.check import math_changes

RETRY = (
    "Your translation changed the mathematics: {changes}. Translate the text again. Keep every number, "
    "every formula and every option letter exactly as in the source; output only the translation."
)


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
    retry: TeacherClient | None = None,
    drop_flagged: bool = True,
) -> tuple[list[TranslatedRow], RunStats, Counter]:
    """Translate problems and options (and solutions unless ``include_solution`` is off: the distill
    mode needs only the problem and the reference answer, which was extracted before translation).
    ``retry`` asks once more for each field whose translation changed the mathematics."""
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
    flags: Counter = Counter()
    if retry is not None:
        _retry(rows, wanted, done, retry, prompt, include_solution, progress, flags)

    out: list[TranslatedRow] = []
    for index, row in enumerate(rows):
        got = done.get(index, {})
        if not got:
            out.append(
                extend(
                    row,
                    TranslatedRow,
                    problem_original=row.problem,
                    solution_original=row.solution,
                    options_original=list(row.options),
                )
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
        changed = [
            f"{name}: {kind} changed: {detail}"
            for name, found in changes.items()
            for kind, detail in found.items()
        ]
        if changed and drop_flagged and error is None:
            error, kind = (
                "translation changed the mathematics: " + "; ".join(changed)[:500],
                ErrorKind.TRANSLATION_CHANGED,
            )
            flags["dropped: translation changed the mathematics"] += 1
        out.append(
            extend(
                row,
                TranslatedRow,
                problem=values.get("problem", row.problem),
                solution=values.get("solution", row.solution),
                options=[values.get(f"option{i}", o) for i, o in enumerate(row.options)],
                problem_original=row.problem,
                solution_original=row.solution,
                options_original=list(row.options),
                translated=True,
                translator_model=client.settings.model,
                translation_prompt_version=prompt.version,
                translation_flags=changed,
                error=error,
                error_kind=kind,
            )
        )
    return out, stats, flags


def _retry(
    rows: list[ProblemRow],
    wanted: list[tuple[int, str, ChatRequest]],
    done: dict[int, dict[str, object]],
    client: TeacherClient,
    prompt: Prompt,
    include_solution: bool,
    progress: Progress | None,
    flags: Counter,
) -> None:
    """Each field whose translation changed the mathematics asked once more; a retry that keeps it
    replaces the first answer in ``done``."""
    again: list[tuple[int, str, ChatRequest]] = []
    for index, name, request in wanted:
        first = done[index][name]
        if first.error or not first.content.strip():
            continue
        found = math_changes(_fields(rows[index], include_solution)[name], first.content.strip())
        if found:
            changes = "; ".join(f"{kind} changed: {detail}" for kind, detail in found.items())
            messages = [
                *request.messages,
                {"role": "assistant", "content": first.content},
                {"role": "user", "content": RETRY.format(changes=changes)},
            ]
            again.append(
                (index, name, replace(request, messages=messages, prompt_version=f"{prompt.version}+retry"))
            )
    if not again:
        return
    results, _ = client.run([request for _, _, request in again], progress)
    flags["retried"] += len(again)
    for (index, name, _), result in zip(again, results, strict=True):
        source = _fields(rows[index], include_solution)[name]
        if not result.error and result.content.strip() and not math_changes(source, result.content.strip()):
            done[index][name] = result
            flags["kept by the retry"] += 1
