import pyarrow as pa
import pytest

from distill.dataset.filters import figure_missing, proof_problem, sample_reasons


def _table(**columns) -> pa.Table:
    n = len(next(iter(columns.values())))
    base = {
        "problem": ["p"] * n,
        "problem_original": [""] * n,
        "answer": ["1"] * n,
        "type": ["fill"] * n,
        "error": [None] * n,
        "reasoning": ["r"] * n,
        "final_text": ["f"] * n,
        "finish_reason": ["stop"] * n,
        "verdict": ["correct"] * n,
        "filter_flags": [[]] * n,
        "page_flags": [[]] * n,
        "error_kind": [None] * n,
    }
    return pa.table({**base, **columns})


def test_figure_references_without_the_figure():
    problems = [
        "如图，正方体的棱长为2，求体积。",
        "As shown in the figure, find the angle.",
        "In the diagram below, ...",
        "函数 $y=x^2$ 的图象经过点 (1,1)，求 a。",
        "Find the area.[asy]draw((0,0)--(1,0));[/asy] as shown",
        "Find the value of x shown below: 2x = 4.",
    ]
    assert figure_missing(_table(problem=problems)).to_pylist() == [True, True, True, False, False, False]
    translated = _table(problem=["Find the volume of the cube."], problem_original=["如图，求正方体的体积。"])
    assert figure_missing(translated).to_pylist() == [True]


def test_proofs_are_the_problems_splitting_typed_so():
    # splitting decides (problems.splitting.question_type), the dataset trusts the type
    table = _table(type=["proof", "fill", "computation"])
    assert proof_problem(table).to_pylist() == [True, False, False]


def _reasons(table: pa.Table, **policy) -> list:
    settings = dict(
        require_verified=True,
        drop_truncated=True,
        drop_flags=("mixed_language",),
        max_tokens=None,
        count_tokens=None,
        conversation_text=lambda t: t.column("reasoning"),
    )
    return sample_reasons(table, **{**settings, **policy}).to_pylist()


def test_the_first_reason_wins_and_policy_switches_apply():
    table = _table(
        error=["InternalServerError: HTTP 500: from server", None, None, None, None],
        error_kind=["request_failed", None, None, None, None],
        finish_reason=["stop", "length", "stop", "stop", "stop"],
        verdict=["error", "incorrect", "incorrect", "correct", "correct"],
        filter_flags=[[], [], [], ["repetition", "mixed_language"], ["code_block"]],
    )
    assert _reasons(table) == [
        "error: request_failed",
        "truncated generation",
        "not verified (incorrect)",
        "mixed language",
        None,
    ]
    keep_all = _reasons(table, require_verified=False, drop_truncated=False, drop_flags=())
    assert keep_all == ["error: request_failed", None, None, None, None]


def test_a_token_limit_needs_the_tokenizer():
    with pytest.raises(ValueError, match="tokenizer"):
        _reasons(_table(problem=["p"]), max_tokens=10)


def test_the_students_tokenizer_counts_tokens(local_model_dir):
    from distill.dataset.filters import student_token_counter

    count = student_token_counter(str(local_model_dir))
    short, long = count(["What is 2+3?", "step " * 500])
    assert 3 <= short <= 8 and 400 <= long <= 1000


def test_fidelity_flags_of_the_pages_drop_a_sample_when_listed():
    table = _table(page_flags=[["math_lost"], ["low_confidence"], []])
    assert _reasons(table, drop_flags=("math_lost",)) == ["math lost", None, None]
    assert _reasons(table, drop_flags=()) == [None, None, None]
