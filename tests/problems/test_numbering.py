"""A paper's numbering style is read from the paper; questions of every style split into their problems."""

from __future__ import annotations

import pytest

from distill.problems.numbering import NumberStyle, detect_style, numbered_entries, run_length
from distill.problems.split_fallback import review_pages
from distill.problems.splitting import NUMBERS_SKIPPED, split_pages

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


@pytest.mark.parametrize(
    ("line", "style", "entries"),
    [
        ("1. B  2. C  3. D", NumberStyle.DOT, {1: "B", 2: "C", 3: "D"}),
        ("10．$x^{2}$ 11．3\\sqrt{2} 12．A", NumberStyle.DOT, {10: "$x^{2}$", 11: "3\\sqrt{2}", 12: "A"}),
        ("1，D 2，B", NumberStyle.COMMA, {1: "D", 2: "B"}),
        ("（1）A （2）B", NumberStyle.PARENS, {1: "A", 2: "B"}),
        ("第1题 D 第2题 B", NumberStyle.TI, {1: "D", 2: "B"}),
        ("Problem 1. 54 Problem 2. -1", NumberStyle.PROBLEM, {1: "54", 2: "-1"}),
        ("1. B", NumberStyle.DOT, {}),  # one entry: the key's own line logic decides
        ("1. B 3. C", NumberStyle.DOT, {1: "B", 3: "C"}),  # an entry left out
        ("1. B 5. C", NumberStyle.DOT, {}),  # numbers that do not run on
        (
            "3. 已知函数 f(x) 在区间 [0, 1] 上单调递增，且 f(0)=0，f(1)=1，求证：对任意 x 有 f(x) 不超过 x 4. A",
            NumberStyle.DOT,
            {},
        ),
    ],
)
def test_a_key_line_of_entries_is_read_in_the_papers_own_style(line, style, entries):
    assert numbered_entries(line, style, 60) == entries


def _key_after(paper: list[str], key: list[str]) -> list:
    return split_pages([(1, "\n".join(paper)), (1001, "\n".join(["参考答案", *key]))]).problems


def test_a_short_key_with_its_own_section_headers_answers_every_problem():
    paper = ["一、选择题", "1、设 x=1，则 x+1=（ ）", "A、1 B、2 C、3 D、4", "2、设 x=2，则 x+1=（ ）",
             "A、1 B、2 C、3 D、4", "二、填空题", "3、设 x=3，则 x 的平方根为____"]  # fmt: skip
    problems = _key_after(paper, ["一、选择题", "1、B    2、C", "二、填空题", "3、√3"])
    assert [(p.number, p.answer_raw) for p in problems] == [("1", "B"), ("2", "C"), ("3", "√3")]


def test_a_key_that_repeats_the_questions_under_section_headers_adds_no_problem():
    paper = ["第Ⅰ卷（选择题）", "1) 设 x=1，则 x+1=（ ）", "A) 1  B) 2  C) 3  D) 4",
             "第Ⅱ卷（非选择题）", "2) 设 x=2，则 x+1=____"]  # fmt: skip
    key = [
        "数学试卷参考答案及解析",
        "第Ⅰ卷（选择题）",
        "1) 设 x=1，则 x+1=（ ）",
        "A) 1  B) 2  C) 3  D) 4",
        "【答案】B",
        "【解析】由题意，答案为 B。",
        "第Ⅱ卷（非选择题）",
        "2) 设 x=2，则 x+1=____",
        "【答案】3",
        "【解析】由题意，答案为 3。",
    ]  # fmt: skip  (no line at the same edge of both pages: no running header)
    problems = _key_after(paper, key)
    assert [(p.number, p.answer_raw, p.section) for p in problems] == [
        ("1", "B", "第Ⅰ卷（选择题）"),
        ("2", "3", "第Ⅱ卷（非选择题）"),
    ]
    assert problems[0].options == ["1", "2", "3", "4"] and problems[0].type == "single_choice"


def test_instructions_numbered_inside_their_lines_do_not_swallow_the_first_question():
    paper = ["注意事项：1. 答卷前，考生务必将自己的姓名填写在答题卡上。2. 回答选择题时，用铅笔涂黑。",
             "3. 考试结束后，将本试卷交回。", "1) 设 x=1，则 x+1=（ ）", "A) 1 B) 2 C) 3 D) 4",
             "2) 设 x=2，则 x+1=（ ）", "A) 1 B) 2 C) 3 D) 4"]  # fmt: skip
    problems = split_pages([(1, "\n".join(paper))]).problems
    assert [p.number for p in problems] == ["1", "2"]
    assert problems[0].options == ["1", "2", "3", "4"] and "答卷" not in problems[0].problem


def test_a_problem_after_a_skipped_number_is_flagged_and_its_page_doubted():
    text = "\n".join(
        ["一、选择题"] + [f"{n}. 计算 {n}+{n} 的值（ ）\nA. 1 B. 2 C. 3 D. 4" for n in (1, 2, 4, 5)]
    )
    split = split_pages([(1, text)])
    assert [(p.number, NUMBERS_SKIPPED in p.flags) for p in split.problems] == [
        ("1", False), ("2", False), ("4", True), ("5", False)
    ]  # fmt: skip
    assert "4 (numbers_skipped)" in review_pages(split)[1]
