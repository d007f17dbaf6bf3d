"""A paper's numbering style is read from the paper; questions of every style split into their problems."""

from __future__ import annotations

import pytest

from distill.problems.numbering import NumberStyle, detect_style, run_length
from distill.problems.splitting import split_pages

STEMS = [
    "已知集合 A={1,2}，则 A 的子集个数为",
    "函数 f(x)=x+1 的零点为",
    "若 2x=4，则 x 等于",
    "计算 3+5 的值",
    "求 6 除以 2 的商",
]


def _paper(number: str, options: str = "A. 1  B. 2  C. 3  D. 4") -> str:
    lines = ["2024年某省高考数学试卷", "一、选择题"]
    for n, stem in enumerate(STEMS, start=1):
        lines += [f"{number.format(n=n)}{stem}（ ）", options]
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("number", "style"),
    [
        ("{n}. ", NumberStyle.DOT),
        ("{n}．", NumberStyle.DOT),
        ("{n}、", NumberStyle.DOT),
        ("{n}，", NumberStyle.COMMA),
        ("{n}, ", NumberStyle.COMMA),
        ("{n}) ", NumberStyle.CLOSE_PAREN),
        ("({n}) ", NumberStyle.PARENS),
        ("（{n}）", NumberStyle.PARENS),
        ("第{n}题 ", NumberStyle.TI),
        ("Problem {n}. ", NumberStyle.PROBLEM),
        ("#{n} ", NumberStyle.HASH),
    ],
)
def test_every_numbering_style_is_found_and_splits_into_its_problems(number, style):
    text = _paper(number)
    assert detect_style(text.splitlines()) is style
    split = split_pages([(1, text)])
    assert split.number_style is style
    assert [p.number for p in split.problems] == ["1", "2", "3", "4", "5"]
    assert [p.options for p in split.problems][0] == ["1", "2", "3", "4"]
    assert split.problems[2].problem.startswith("若 2x=4")


def test_sub_questions_stay_inside_their_problem():
    text = "\n".join(
        ["1. 已知数列 a_n 满足 a_1=1。", "(1) 求 a_2；", "(2) 求通项公式；", "(3) 求前 n 项和。",
         "2. 已知函数 f(x)=x^2。", "(1) 求 f(1)；", "(2) 求 f(x) 的最小值。", "3. 计算 1+1。"]
    )  # fmt: skip
    split = split_pages([(1, text)])
    assert split.number_style is NumberStyle.DOT
    assert [p.number for p in split.problems] == ["1", "2", "3"]
    assert "(3) 求前 n 项和" in split.problems[0].problem


def test_a_provincial_paper_numbered_with_commas_and_decimal_score_marks():
    """The layout that found 5 of 20 problems: `1,` / `2，` numbers, `(A)` options on one row, score
    marks with a decimal point, sub-questions `(1)`."""
    lines = ["2024年普通高等学校招生全国统一考试（某省卷）", "一、选择题(本大题共10小题)"]
    for n in range(1, 11):
        lines += [
            f"{n}{',' if n % 2 else '，'}设 x={n}，则 2x 等于(本小题5.0分)",
            f"(A) {n}  (B) {2 * n}  (C) {3 * n}  (D) {4 * n}",
        ]
    lines.append("二、解答题")
    for n in range(11, 21):
        lines += [f"{n}，已知 f(x)=x+{n}。(本小题14.0分)", "(1) 求 f(0)；", "(2) 求 f(1)。"]
    split = split_pages([(1, "\n".join(lines))])
    assert split.number_style is NumberStyle.COMMA
    assert [int(p.number) for p in split.problems] == list(range(1, 21))
    first, last = split.problems[0], split.problems[-1]
    assert first.options == ["1", "2", "3", "4"] and "分" not in first.problem
    assert "(2) 求 f(1)" in last.problem and "14.0" not in last.problem


def test_runs_tolerate_a_lost_number_but_not_a_count():
    assert run_length([1, 2, 3, 5, 6]) == 5  # 4 lost
    assert run_length([1, 2, 1, 2, 3]) == 3  # sub-questions restart
    assert run_length([3, 4, 5]) == 0  # a run starts at 1
