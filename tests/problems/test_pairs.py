"""Doubt travels: a problem carries the fidelity flags of the pages it spans."""

from distill.core.records import PageRow
from distill.problems.pairs import problems_from_pages

TEXT = {
    1: "Problem 1. What is $2+3$?\nSolution. It is $\\boxed{5}$.\nProblem 2. What is the sum of the roots of the quadratic ?",
    2: "Solution. The sum is $\\boxed{7}$.\nProblem 3. What is $4+4$?\nSolution. $\\boxed{8}$.",
}


def test_problems_carry_the_fidelity_flags_of_their_pages():
    flags = {1: ["math_lost", "figures"], 2: ["low_confidence"]}
    pages = [
        PageRow(collection="c", source_file="h.pdf", source_sha256="s", page=n, text=text, flags=flags[n])
        for n, text in TEXT.items()
    ]
    rows = {r.number: r for r in problems_from_pages(pages).rows}
    assert rows["1"].page_flags == ["math_lost"]  # "figures" is no doubt about the math
    assert rows["2"].page_flags == ["low_confidence", "math_lost"]  # spans both pages
    assert rows["3"].page_flags == ["low_confidence"]
