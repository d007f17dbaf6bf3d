"""Teacher samples -> verdicts against the reference answers (pure logic).

The verdict is a column, never a silent filter: ``correct``, ``incorrect``, ``no_answer`` (the sample
has no final answer), ``no_reference`` (the problem has none, e.g. a proof), ``unverifiable`` (the
reference could not be parsed, or verification timed out), ``error`` (no sample: the request failed).
Each sample also gets its problem's pass rate (correct over checked samples: ``correct``, ``incorrect``,
``no_answer``), which picks GRPO problems later, and the reasons R1's filters would reject it.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from distill.answers.bounded import verify_many
from distill.answers.normalize import last_boxed, normalize_answer
from distill.core.kinds import Verdict
from distill.core.records import CotRow, VerifiedRow, extend
from distill.core.versions import verifier
from distill.verification.r1_filters import r1_flags


def teacher_answer(row: CotRow) -> str:
    boxed = last_boxed(row.final_text) or last_boxed(row.reasoning)
    return normalize_answer(boxed, row.type) if boxed else ""


def verify_rows(
    rows: list[CotRow], timeout_s: float = 5.0, workers: int = 1
) -> tuple[list[VerifiedRow], Counter]:
    answers = ["" if row.error else teacher_answer(row) for row in rows]
    to_check = [i for i, row in enumerate(rows) if row.answer and answers[i]]
    outcomes = verify_many(
        [(rows[i].answer, answers[i]) for i in to_check], timeout_s=timeout_s, workers=workers
    )
    checked = dict(zip(to_check, outcomes, strict=True))
    out: list[VerifiedRow] = []
    verdicts: Counter = Counter()
    verify_method = verifier()
    for i, row in enumerate(rows):
        if row.error:
            verdict = Verdict.ERROR
        elif not row.answer:
            verdict = Verdict.NO_REFERENCE
        elif not answers[i]:
            verdict = Verdict.NO_ANSWER
        else:
            outcome = checked[i]
            verdict = (
                Verdict.UNVERIFIABLE if outcome is None else Verdict.CORRECT if outcome else Verdict.INCORRECT
            )
        verdicts[verdict] += 1
        method = verify_method if i in checked else ""
        flags = [] if row.error else r1_flags(row.reasoning, row.final_text)
        out.append(
            extend(
                row,
                VerifiedRow,
                teacher_answer=answers[i],
                verdict=verdict,
                verify_method=method,
                filter_flags=flags,
            )
        )
    for row, rate in zip(out, pass_rates(out), strict=True):
        row.pass_rate = rate
    return out, verdicts


def pass_rates(rows: list[VerifiedRow]) -> list[float | None]:
    """Per row, the share of its problem's checked samples that are correct (None: none checked)."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row.verdict and Verdict(row.verdict).checked:
            tally[row.id][0] += row.verdict == Verdict.CORRECT
            tally[row.id][1] += 1
    return [tally[r.id][0] / tally[r.id][1] if r.id in tally else None for r in rows]
