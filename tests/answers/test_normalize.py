"""Answer extraction, normalization and verification (math-verify behind a bounded-time pool)."""

from __future__ import annotations

import threading
import time

import pytest

from distill.answers.bounded import parse_many, verify_many
from distill.answers.normalize import (
    MAX_ANSWER_CHARS,
    answer_parses,
    extract_answer,
    last_boxed,
    normalize_answer,
    verify_answer,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"so $x=\boxed{\dfrac{14}{3}}$.", r"\dfrac{14}{3}"),
        (r"\boxed{1} first, then \boxed{\frac{a}{\sqrt{b}}}", r"\frac{a}{\sqrt{b}}"),
        (r"\fbox{7}", "7"),
        (r"\boxed {\{1, 2\}}", r"\{1, 2\}"),
        ("no box here", None),
        (r"\boxed{unclosed", None),
    ],
)
def test_last_boxed(text, expected):
    assert last_boxed(text) == expected


@pytest.mark.parametrize(
    ("solution", "answer_raw", "qtype", "expected"),
    [
        # GAOKAO-Bench analysis endings (Apache-2.0)
        ("则 $M \\cap N=\\{x \\mid-1<x<1\\}$,\n\n故选：A．", "", "single_choice", ("A", "choice")),
        ("综上，①③正确，故选AC", "", "multi_choice", ("AC", "choice")),
        ("故选: A, C.", "", "multi_choice", ("AC", "choice")),
        ("所以 $p \\wedge q$ 为真, 选 $A$.", "", "single_choice", ("A", "choice")),
        ("对于选项 B，错误．", "", "single_choice", ("", "none")),
        ("故答案为：$\\frac{1}{2}$．", "", "fill", ("$\\frac{1}{2}$", "answer_is_zh")),
        ("故答案为: 1 .", "", "fill", ("1", "answer_is_zh")),
        ("切线方程为 $y=4 x-3$ 故答\n案为: $y=4 x-3$.", "", "fill", ("$y=4 x-3$", "answer_is_zh")),
        ("Pair the terms: $\\boxed{\\dfrac{14}{3}}$.", "", "", ("\\dfrac{14}{3}", "boxed")),
        ("Hence the answer is $12$. Done.", "", "", ("$12$", "answer_is_en")),
        ("Work...\nAnswer: 7", "", "", ("7", "answer_label")),
        ("解得 $b=2 \\sqrt{2}$.", "", "fill", ("2 \\sqrt{2}", "final_sentence")),
        ("切线方程为 $y=3 x$, 即 $3 x-y=0$.", "", "fill", ("3 x-y=0", "final_sentence")),
        ("故函数 $f(x)$ 的最小值为 -4 .", "", "fill", ("-4", "final_sentence")),
        ("故选 A．", "B", "single_choice", ("B", "given")),
        ("由均值不等式 $a+b \\leqslant 2$.", "", "proof", ("", "none")),
        (
            "即 $\\tan B=-1, \\therefore B=\\frac{3 \\pi}{4}$. 故选 D.",
            "",
            "fill",
            ("\\frac{3 \\pi}{4}", "final_sentence"),
        ),
        ("显然成立．", "", "", ("", "none")),
    ],
)
def test_extract_answer(solution, answer_raw, qtype, expected):
    assert extract_answer(solution, answer_raw, qtype) == expected


@pytest.mark.parametrize(
    ("raw", "qtype", "expected"),
    [
        ("$\\dfrac{14}{3}$", "", "\\frac{14}{3}"),
        ("3√2", "", "3\\sqrt{2}"),  # a radical sign as a text layer or OCR gives it
        ("√(x+1)", "", "\\sqrt{x+1}"),
        ("2√{3}+1", "", "2\\sqrt{3}+1"),
        ("\\boxed{\\tfrac{1}{2}}.", "", "\\frac{1}{2}"),
        ("$x^{2}+y^{2}=2$.", "", "x^{2}+y^{2}=2"),
        ("x=3", "", "x=3"),
        ("（1，2］", "", "(1,2]"),
        ("5\\text{ cm}", "", "5"),
        ("3\\mathrm{~m}^{2}", "", "3"),
        ("3m", "", "3m"),
        ("6种", "", "6"),
        ("三", "", "3"),
        ("二十三", "", "23"),
        ("三角形", "", "\\text{三角形}"),
        (
            "$\\text{a necessary but not a sufficient condition}$",
            "",
            "\\text{a necessary but not a sufficient condition}",
        ),
        ("\\text{Evelyn}", "", "\\text{Evelyn}"),
        ("b > a > c", "", "\\text{b>a>c}"),
        ("\\neg p 和 q 都是真命题", "", "\\text{\\neg p 和 q 都是真命题}"),
        ("①③④", "", "\\{1,3,4\\}"),
        ("$\\textcircled{2}\\textcircled{3}$", "", "\\{2,3\\}"),
        ("(1). $-\\frac{1}{2} ; \\quad$ (2). $\\ln 2$.", "", "-\\frac{1}{2}, \\ln 2"),
        ("（1）$B = \\frac{\\pi}{3}$（2）$c = 2\\sqrt{2}$", "", "B = \\frac{\\pi}{3}, c = 2\\sqrt{2}"),
        ("C. {x \\mid-3<x<4}", "", "C"),
        ("\\$18.90", "", "18.90"),
        ("0. 98.", "", "0.98"),
        ("$145$solution:", "", "145"),
        ("$1-\\mathrm{i}$", "", "1-i"),
        ("m^2n\\cdot m=m^3\\cdot", "", "m^2n\\cdot m=m^3"),
        (
            "\\begin{pmatrix} -1/3 \\\\ 2/3 \\end{pmatrix}",
            "",
            "\\begin{pmatrix} -1/3 \\\\ 2/3 \\end{pmatrix}",
        ),
        ("$x=1$ 或 $x=2$", "", "x=1 , x=2"),
        ("CA", "", "AC"),
        ("A、C", "multi_choice", "AC"),
        ("$\\text{(B)}$", "single_choice", "B"),
        ("b", "single_choice", "B"),
        ("b", "", "b"),
        ("ab", "", "ab"),
        ("east", "", "\\text{east}"),
        ("B. $[0,2]$", "single_choice", "B"),
        ("\\frac{\\mathrm{N}_{1}}{\\mathrm{~N}}", "", "\\frac{N_{1}}{N}"),
    ],
)
def test_normalize_answer(raw, qtype, expected):
    assert normalize_answer(raw, qtype) == expected
    assert normalize_answer(expected, qtype) == expected  # canonical: normalizing again changes nothing


def test_choice_answer_from_the_value_of_an_option():
    analysis = "$\\tan 255^{\\circ}=\\tan 75^{\\circ}=2+\\sqrt{3}$."
    options = ["$-2-\\sqrt{3}$", "$-2+\\sqrt{3}$", "$2-\\sqrt{3}$", "$2+\\sqrt{3}$"]
    assert extract_answer(analysis, "", "single_choice", options) == ("D", "option_value")
    assert extract_answer(analysis, "", "single_choice", options[:3]) == ("", "none")


def test_answers_in_words_compare_as_text_and_overlong_answers_are_refused():
    assert verify_answer("第一象限", "$\\text{第一象限}$") is True
    assert verify_answer("第一象限", "第二象限") is False
    assert normalize_answer("1" * (MAX_ANSWER_CHARS + 1)) == ""


def test_parse_many_bounds_each_answer():
    answers = ["\\frac{1}{2}", "\\text{east}", "AC", "\\frac{1}{", "", "x=1 , x=2"]
    assert [answer_parses(a) for a in answers] == [True, True, True, False, False, True]
    tower = "x" + "^{x" * 100 + "}" * 100  # math-verify parses this for about a minute
    start = time.monotonic()
    assert parse_many([*answers, tower, "2"], timeout_s=1.0) == [
        True,
        True,
        True,
        False,
        False,
        True,
        None,
        True,
    ]
    assert time.monotonic() - start < 30


VERIFY_CASES = [
    ("\\boxed{\\dfrac{14}{3}}", "14/3", True),
    ("$\\frac{14}{3}$", "4.6", False),
    ("(1,2]", "$(1, 2]$", True),
    ("[1,2)", "[1,2]", False),
    ("$(-\\infty,1)\\cup(2,+\\infty)$", "(-\\infty,1)\\cup(2,\\infty)", True),
    ("\\{1,2\\}", "\\{2,1\\}", True),
    ("\\{1,2\\}", "\\{1,3\\}", False),
    ("0.5", "\\frac12", True),
    ("x=3", "3", True),
    ("$x^{2}+y^{2}=2$", "y^2+x^2=2", True),
    ("$2 \\sqrt{2}$", "\\sqrt{8}", True),
    ("$75^{\\circ}$", "75", True),
    ("AC", "CA", True),
    ("AC", "A", False),
    ("B", "B. $5$", True),
    ("B", "5", False),
    ("3", "", False),
    ("北京", "北京", True),
    ("北京", "上海", False),
    ("\\frac{1}{", "1", None),
    ("", "1", None),
]


@pytest.mark.parametrize(("gold", "pred", "expected"), VERIFY_CASES)
def test_verify_answer(gold, pred, expected):
    assert verify_answer(gold, pred) is expected


def test_verify_many_bounds_a_pathological_item_and_goes_on():
    pairs = [
        ("\\frac{14}{3}", "\\boxed{\\dfrac{14}{3}}"),
        ("3", "$(10^{100})!$"),  # sympy never finishes this comparison
        ("(1,2]", "(1,2]"),
        ("AC", "CA"),
        ("1", "2"),
    ]
    start = time.monotonic()
    assert verify_many(pairs, timeout_s=1.0) == [True, None, True, True, False]
    assert time.monotonic() - start < 20
    # the killed worker was replaced: the pool keeps working, also from another thread
    out: list = []
    worker = threading.Thread(target=lambda: out.append(verify_many(pairs[2:], timeout_s=5.0)))
    worker.start()
    worker.join(60)
    assert out == [[True, True, False]]


def test_verify_many_keeps_the_items_of_a_chunk_around_a_hung_one():
    quick = [("\\frac{1}{2}", "0.5", True), ("AC", "CA", True), ("1", "2", False)]
    cases = [quick[i % 3] for i in range(20)]
    cases[7] = ("3", "$(10^{100})!$", None)  # in the middle of the first chunk (20 // 2 items for 1 worker)
    start = time.monotonic()
    assert verify_many([(g, p) for g, p, _ in cases], timeout_s=1.0, workers=1) == [e for _, _, e in cases]
    assert time.monotonic() - start < 20


def test_verify_many_in_process_and_empty():
    cases = VERIFY_CASES[:6]
    assert verify_many([(g, p) for g, p, _ in cases], workers=0) == [e for _, _, e in cases]
    assert verify_many([]) == []
