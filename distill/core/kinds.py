"""The closed sets of values that travel with the rows, defined once. Each is a ``StrEnum``: a member is
its string (Parquet stores the string), and reading a table back turns the string into the member, so
an unknown value fails where it is read instead of quietly matching nothing."""

from __future__ import annotations

from enum import StrEnum

# The page flags of ``ocr`` that say the extracted math may not be the page's: they travel from the page to
# its problems (``ProblemRow.page_flags``) and on to the dataset, where ``drop_flags`` can drop them.
FIDELITY_FLAGS = ("math_lost", "low_confidence", "repaired", "downscaled")


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    FILL = "fill"
    COMPUTATION = "computation"
    PROOF = "proof"
    UNKNOWN = "unknown"


class SplitMethod(StrEnum):
    RULES = "rules"
    TEACHER = "teacher"  # the teacher re-split a page the rules were in doubt about
    FORUM = "forum"


class CotMode(StrEnum):
    DISTILL = "distill"  # R1: the teacher solves, its answer is verified
    REALIGN = "realign"  # NuminaMath: the teacher rewrites the reference solution


class TeacherInput(StrEnum):
    """Which text of a problem the CoT teacher reads (the dataset keeps the English problem either way)."""

    TRANSLATED = "translated"  # the English translation
    ORIGINAL = (
        "original"  # the source text (R1 reads Chinese): a bad translation cannot corrupt the reasoning
    )


class Verdict(StrEnum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    NO_ANSWER = "no_answer"  # the sample has no final answer
    NO_REFERENCE = "no_reference"  # the problem has none (a proof)
    UNVERIFIABLE = "unverifiable"  # the reference does not parse, or verification timed out
    ERROR = "error"  # no sample: the request failed

    @property
    def checked(self) -> bool:
        """Counts in a problem's pass rate."""
        return self in (Verdict.CORRECT, Verdict.INCORRECT, Verdict.NO_ANSWER)


class ErrorKind(StrEnum):
    """Why a row holds no result; the row's ``error`` says it in words for a person."""

    BAD_FILE = "bad_file"  # not a readable PDF (missing, empty, too large, encrypted, corrupt)
    PAGE_FAILED = "page_failed"  # extracting or OCR-ing one page failed
    NO_TEXT = "no_text"  # no page of the file has text
    NO_PROBLEMS = "no_problems"  # the splitting rules found no problem in a file with text
    UNMATCHED_ANSWERS = "unmatched_answers"  # answer key entries without a problem
    BAD_FORUM_DUMP = "bad_forum_dump"  # a forum dump that cannot be read or holds no thread
    REQUEST_FAILED = "request_failed"  # the endpoint call failed for good (the ledger asks again next run)
    EMPTY_REPLY = "empty_reply"  # the endpoint answered nothing
    NO_SOLUTION = "no_solution"  # realign mode, and the problem has no reference solution
    TRANSLATION_CHANGED = "translation_changed"  # the translation changed numbers or formulas, retry too
    REJECTED_IN_REVIEW = "rejected_in_review"  # a person rejected the problem on the review page
