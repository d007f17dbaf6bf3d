"""The structure measure fails where the math is wrong: a flattened exponent is a miss, a wrong one an
error, and notation that means the same counts the same."""

from collections import Counter

import pytest

from benchmarks.math_structure import Fidelity, Kind, Tally, script_text, structures


@pytest.mark.parametrize(
    ("a", "b"),
    [("x^3", "x^{3}"), ("x³", "x^{3}"), (r"\dfrac{1}{2}", r"\frac{1}{2}"), ("√3", r"\sqrt{3}"),
     (r"\vec{a}", r"\overrightarrow{a}"), ("a_n", "a_{n}"), ("x₁²", "x_{1}^{2}"), (r"\left(x\right)^2", "(x)^{2}")],
)  # fmt: skip
def test_notation_that_means_the_same_reads_the_same(a, b):
    assert structures(a) == structures(b) and script_text(a) == script_text(b)


@pytest.mark.parametrize(
    ("truth", "read"),
    [("x^{3}", "x3"), ("0.1^{2}", "0.12"), ("e^{x}", "ex"), ("y_{0}", "y0"), (r"\frac{1}{2}", "1/2"),
     (r"\bar{x}", "x"), ("(x-1)^{2}(x-4)", "(x-1)2(x-4)")],
)  # fmt: skip
def test_a_flattened_script_or_fraction_is_a_miss_and_costs_characters(truth, read):
    tally = Tally()
    tally.add(truth, read)
    kinds = tuple(Kind)
    assert tally.recall(*kinds) == 0.0 and tally.precision(*kinds) is None
    assert script_text(truth) != script_text(read)


def test_content_counts_a_wrong_exponent_is_an_error_not_a_match():
    tally = Tally()
    tally.add("x^{2}+y_{1}", "x^{3}+y_{1}")
    assert (tally.recall(Kind.SUP), tally.precision(Kind.SUP)) == (0.0, 0.0)
    assert (tally.recall(Kind.SUB), tally.precision(Kind.SUB)) == (1.0, 1.0)


def test_nested_structures_and_fraction_parts_are_counted():
    found = structures(r"\frac{x^{2}}{a^{2}}+\sqrt[3]{2}")
    assert found[(Kind.FRAC, "x^{2}/a^{2}")] == 1 and found[(Kind.SUP, "2")] == 2
    assert found[(Kind.ROOT, "3:2")] == 1
    assert structures("x^{2}") != structures("x^{3}")


def test_a_command_keeps_the_letter_after_its_space():
    assert script_text(r"x \in A") == "x∈A" and script_text(r"\sqrt x") == script_text(r"\sqrt{x}")


def test_accents_that_mean_different_things_stay_apart():
    assert structures(r"\bar{x}") == structures(r"\overline x")
    assert structures(r"\bar{x}") != structures(r"\vec{x}") != structures(r"\hat{x}")
    assert script_text(r"\bar{x}") != script_text(r"\vec{x}")


def test_a_degree_is_the_same_sign_however_it_is_written():
    assert structures("45^{\\circ}") == structures("45^{∘}") == structures("45°") == Counter()
    assert script_text("45^{\\circ}") == script_text("45°")


def test_a_prime_is_the_same_sign_however_it_is_written():
    assert structures("A^{\\prime}B'") == structures("A^{′}B′") == structures("A'B'") == Counter()


def test_set_braces_and_glyph_variants_do_not_count_as_errors():
    assert script_text("A=\\{x \\mid x \\leqslant 2\\}, x^{2}") == script_text("A = {x ∣ x ⩽ 2}, x^{2}")
    assert script_text("x^{2}") != script_text("x2")
    assert script_text("\\{1,2\\}") == script_text("{1,2}") != script_text("(1,2)")  # a set is no interval


def test_a_composition_is_no_degree():
    assert script_text("f \\circ g") == script_text("f∘g") != script_text("f°g")


def test_the_summary_gives_superscripts_and_subscripts_apart():
    fidelity = Fidelity()
    fidelity.add("$x^{2}+a_{1}+a_{2}$", "x^{2}+a_{1}+a2")  # the subscript 2 read flat
    assert "scripts recall 0.667 precision 1.000 (sup 1.000/1.000, sub 0.500/1.000)" in fidelity.summary()
