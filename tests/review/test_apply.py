"""Review decisions applied when a collection is materialized again."""

from __future__ import annotations

from distill.core.kinds import ErrorKind
from distill.core.records import ProblemRow, TranslatedRow
from distill.problems.pairs import finish_answers
from distill.review.apply import ANSWER_RULE, apply_to_problems, apply_to_translations
from distill.review.decisions import ProblemReview, ReviewStatus
from tests.rows import stage_row


def test_corrections_and_rejections_reach_the_rows():
    rows = [
        stage_row(ProblemRow, "a", problem="Find x if 2x=4", answer_raw="3"),
        stage_row(ProblemRow, "b", problem="Figure shows ..."),
        stage_row(ProblemRow, "c", problem="Untouched"),
    ]
    states = {
        "a": ProblemReview(
            ReviewStatus.CORRECTED, {"problem": "Find x if 2x=4.", "options": ["A. 1", "B. 2"], "answer": "2"}
        ),
        "b": ProblemReview(ReviewStatus.REJECTED, reason="the figure is missing", reviewer="ann"),
    }
    answered = apply_to_problems(rows, states)
    finish_answers(answered)
    a, b, c = rows
    assert (a.problem, a.options, a.answer_raw, a.answer, a.answer_rule, a.review) == (
        "Find x if 2x=4.",
        ["A. 1", "B. 2"],
        "2",
        "2",
        ANSWER_RULE,
        "corrected",
    )
    assert a.answer_parses and not a.answer_issue
    assert (
        b.error == "rejected in review by ann: the figure is missing"
        and b.error_kind is ErrorKind.REJECTED_IN_REVIEW
    )
    assert b.review == "rejected" and c.review == "" and c.error is None


def test_an_english_text_written_by_a_person_replaces_the_translation():
    row = stage_row(
        TranslatedRow, "a", problem="Find x。", options=["A. 1"], translated=True, translation_flags=["x"]
    )
    states = {"a": ProblemReview(ReviewStatus.CORRECTED, {"translation": "Find $x$."})}
    assert apply_to_translations([row], states) == 1
    assert (row.problem, row.problem_text, row.translation_flags) == ("Find $x$.", "Find $x$.\nA. 1", [])
