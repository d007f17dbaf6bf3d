"""The benchmark's text metrics (the benchmark itself reads ../shared and is not run here)."""

from __future__ import annotations

import pytest

from benchmarks.gaokao_truth import corrected
from benchmarks.ocr_bench import best_span_distance, normalize


def test_normalize_makes_latex_and_ocr_text_comparable():
    assert normalize(r"则 $A \cap B =$ ？") == normalize("则A∩B=") == "则A∩B="
    assert normalize(r"$x^{3}$，$\frac{a}{b}$") == "x3,ab"
    assert normalize(r"$\cos(\alpha) + \ln x$, $\begin{cases} 1 \end{cases}$") == "cos(α)+lnx,1"
    assert normalize(r"$\left( x \leq \infty \right)$") == "(x≤∞)"


def test_normalize_blanks_and_ellipses():
    """The exam's answer blank "（  ）" is the truth's "？"; an ellipsis is "..." however it is written."""
    assert normalize("则z=（　　）.") == normalize("则 $z =$ ？") + "."
    assert normalize(r"$a_1，a_2，\ldots，a_n$") == normalize("a1, a2, …, an") == normalize("a1,a2,⋯,an")
    assert normalize("f(x)") == "f(x)"
    assert normalize("次数 | 0 | 1 |\n单数 | 800 | 100 |") == normalize("次数 0 1 单数 800 100")
    assert normalize("{x | x > 1}") == "x|x>1"  # a set, not a table row (braces go, as in LaTeX)


def test_best_span_distance_has_free_ends():
    assert best_span_distance("abc", "xxabcxx") == 0
    assert best_span_distance("abc", "xxabxx") == 1
    assert best_span_distance("已知集合", "解：已知集合A") == 0
    assert best_span_distance("kitten", "sitting") == 2  # "sittin"
    assert best_span_distance("abc", "") == 3


def test_normalize_notation_the_truth_and_the_paper_write_differently():
    assert normalize("(ā+b)(ā−b)=0") == normalize(r"$(a + b)(a - b) = 0$")  # a vector's arrow, read as ā
    assert normalize("x²/4 − y² = 1") == normalize(r"$\frac{x^2}{4} - y^2 = 1$")  # a/b is \frac{a}{b}
    assert normalize("AD//BC，BF∥平面") == normalize(r"$AD \parallel BC$、$BF // $平面") == "AD∥BC,BF∥平面"
    assert normalize(r"$(0,0,1) \not \in \Omega$") == normalize("(0,0,1)∉Ω")
    assert normalize("a≠1") == "a≠1"  # a slashed relation keeps its slash


def test_truth_corrections_apply_to_the_typed_text_only():
    question = "已知 $\\frac{Z}{i} = i - 1$ ，则 $Z =$ _____？\nA. $1-i$\nB. $-i$\nC. $-1-i$\nD. $i$"
    assert corrected("beijing", 2, question).startswith("已知 $\\frac{z}{i} = i - 1$ ，则 $z =$")
    assert corrected("beijing", 1, question) == question  # no corrections for that question
    with pytest.raises(ValueError, match="beijing Q2"):
        corrected("beijing", 2, "another text")  # a truth file that changed: the correction says so
