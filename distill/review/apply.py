"""Review decisions applied to a collection's rows when its assets are materialized again.

``problem_pairs`` applies the problem, options and answer edits and the rejections (a rejected problem
becomes an error row with the reviewer's reason, dropped from the dataset with it); ``translated_pairs``
applies the edited English text. An edited problem asks the translator and the teacher anew: their
requests hold the text, so their ledger keys change. Every reviewed row carries ``review``.
"""

from __future__ import annotations

from distill.core.kinds import ErrorKind
from distill.core.records import ProblemRow, TranslatedRow, problem_with_options
from distill.review.decisions import ProblemReview, ReviewStatus

ANSWER_RULE = "review"  # the answer_rule of an answer a person wrote


def apply_to_problems(rows: list[ProblemRow], states: dict[str, ProblemReview]) -> list[ProblemRow]:
    """Apply the reviews to the problem rows in place; returns the rows whose answer a person set (their
    ``answer`` must be normalized again)."""
    answered = []
    for row in rows:
        state = states.get(row.id)
        if state is None or row.error:
            continue
        row.review = state.status
        if state.status is ReviewStatus.REJECTED:
            row.error = (
                f"rejected in review by {state.reviewer or 'a reviewer'}: {state.reason or 'no reason given'}"
            )
            row.error_kind = ErrorKind.REJECTED_IN_REVIEW
            continue
        edits = state.edits
        if "problem" in edits:
            row.problem = edits["problem"]
        if "options" in edits:
            row.options = list(edits["options"])
        if "answer" in edits:
            row.answer_raw, row.answer_rule, row.answer_issue = edits["answer"], ANSWER_RULE, ""
            answered.append(row)
    return answered


def apply_to_translations(rows: list[TranslatedRow], states: dict[str, ProblemReview]) -> int:
    """Put the reviewer's English text in place of the translation; returns how many rows changed."""
    changed = 0
    for row in rows:
        state = states.get(row.id)
        if state is None or row.error or "translation" not in state.edits:
            continue
        row.problem = state.edits["translation"]
        row.problem_text = problem_with_options(row.problem, row.options)
        row.translation_flags = []  # a person wrote it: the automatic check no longer applies
        changed += 1
    return changed
