"""Translation of non-English problems to English through the translator endpoint (pure logic).

Only fields with CJK text are sent; English rows pass through with ``translated = False``. The
original texts are kept. A translation that loses numbers of the original is flagged on the row
(``translation_flags``), not silently accepted.
"""

from __future__ import annotations

import re
from collections import Counter

from distill.prompts import Prompt
from distill.records import ProblemRow, TranslatedRow, extend
from distill.teacher import ChatRequest, RunStats, TeacherClient

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def cjk_share(text: str) -> float:
    letters = len(_LETTER.findall(text))
    return len(_CJK.findall(text)) / letters if letters else 0.0


def needs_translation(text: str, threshold: float = 0.05) -> bool:
    return cjk_share(text) > threshold


def lost_numbers(original: str, translated: str) -> list[str]:
    """Numbers of the original that the translation lost (a cheap guard against rewritten math)."""
    kept = _NUMBER.findall(translated)
    lost = []
    for number in _NUMBER.findall(original):
        if number in kept:
            kept.remove(number)
        else:
            lost.append(number)
    return lost


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
    results, stats = client.run([request for _, _, request in wanted])
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
        lost = [n for name, text in values.items() for n in lost_numbers(texts[name], text)]
        error = None
        if failed:
            error = "translation failed: " + "; ".join(failed)[:500]
            flags["translation failed"] += 1
        elif lost:
            flags["translation lost numbers"] += 1
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
                translation_flags=["lost_numbers:" + ",".join(lost)] if lost else [],
                error=error,
            )
        )
    return out, stats, flags
