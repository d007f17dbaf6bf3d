"""Normalization, MinHash LSH, deduplication and decontamination on their own."""

import json
from pathlib import Path

import numpy as np

from distill.core.textnorm import normalize, numbers, words
from distill.dataset.decontamination import BenchmarkItem, Decontaminator
from distill.dataset.dedup import find_duplicates
from distill.dataset.minhash import band_keys, candidate_pairs, matches, signatures


def test_normalization_ignores_spacing_case_latex_spelling_and_figure_code():
    a = "Find $\\dfrac{x^{2}}{2}$ if $x \\le 3$.[asy]draw((0,0)--(1,1));[/asy]"
    b = "find \\frac{x^2}{2}  if x\\leq 3"
    assert normalize(a) == normalize(b)
    assert words("Ｘ^{2} + \\left( y \\right)") == words("x^2 + (y)") == ["x", "2", "y"]
    assert words("已知集合A") == ["已", "知", "集", "合", "a"]
    assert numbers(normalize("Add 1.5 and 20")) == ["1.5", "20"]
    assert numbers(normalize("the terms 2925 1008")) == ["2925", "1008"]


def test_minhash_estimates_jaccard_and_is_the_same_in_every_run():
    a = "findthevalueofxsuchthatx^2+3x=10andxispositive"
    b = "findthevalueofxsuchthatx^2+3x=10andxisnegative"
    sigs = signatures([a, b, a[:3]])
    grams = [{t[i : i + 5] for i in range(len(t) - 4)} for t in (a, b)]
    jaccard = len(grams[0] & grams[1]) / len(grams[0] | grams[1])
    assert abs((sigs[0] == sigs[1]).mean() - jaccard) < 0.15
    assert np.array_equal(sigs, signatures([a, b, a[:3]]))
    assert np.array_equal(signatures([a])[0], sigs[0])  # a text's signature does not depend on its batch


def test_lsh_pairs_similar_texts_only():
    rng = np.random.default_rng(0)
    texts = ["".join(rng.choice(list("abcdefghij0123456789+="), 120)) for _ in range(300)]
    texts.append(texts[17][:60] + "x" + texts[17][61:])  # one character changed
    keys = band_keys(signatures(texts), 32)
    assert [17, 300] in candidate_pairs(keys).tolist()
    assert len(candidate_pairs(keys)) < 10
    assert matches(keys[[300, 5]], keys[[17]]).tolist() == [[0, 0]]


def _dedup(texts, kept=None):
    norm = [normalize(t) for t in texts]
    rank = [(-(kept or [0] * len(texts))[i], i) for i in range(len(texts))]
    return find_duplicates(list(range(len(texts))), norm, band_keys(signatures(norm), 32), rank, 0.9)


def test_near_duplicates_need_a_high_ratio_and_the_same_numbers():
    base = "A bag has 4 red and 6 blue marbles. Two are drawn without replacement. What is the probability both are red?"
    found = _dedup(
        [
            base,
            base.replace("Two are drawn", "Two marbles are drawn"),  # near duplicate
            base.replace("4 red", "5 red"),  # other numbers: another problem
            "A box has 4 red and 6 blue balls. What is the expected number of red balls in 3 draws?",  # related only
        ]
    )
    assert [(d.problem, d.representative, d.method) for d in found] == [(1, 0, "near")]
    assert 0.9 <= found[0].similarity < 1.0


def test_the_representative_is_the_best_ranked_member():
    found = _dedup(["What is 2+2?", "what is 2 + 2", "What is  2+2 ?"], kept=[0, 3, 1])
    assert {(d.problem, d.representative, d.method) for d in found} == {(0, 1, "exact"), (2, 1, "exact")}


def _items():
    return [
        BenchmarkItem(
            "b",
            "long",
            "In triangle $ABC$, the medians from $A$ and $B$ are perpendicular. "
            "If $BC = 7$ and $AC = 6$, find the length of $AB$.",
        ),
        BenchmarkItem("b", "short", "Compute $\\dbinom{31}{28}$."),
    ] + [
        BenchmarkItem(
            "b",
            f"boiler{i}",
            f"请完成下面一道选择题，每个小题四个选项中，只有一项是符合题目要求的。\n题目 {i} 的内容各不相同 {i * 7}",
        )
        for i in range(4)
    ]


def test_decontamination_finds_copies_embedded_edited_and_short_items():
    detector = Decontaminator(_items())
    texts = [
        "Problem 4 (from a contest). In triangle ABC, the medians from A and B are perpendicular. If BC=7 and "
        "AC=6, find the length of AB. Give your answer in simplest radical form.",  # embedded, LaTeX-free
        "Compute $\\binom{31}{28}$",  # short: no 8-gram, caught by the ratio
        "In triangle ABC, medians from A and B are perpendicular. Given BC = 7, AC = 6, find the length AB.",  # edited
        "In triangle ABC, the altitudes from A and B meet at H. If BC = 7 and AC = 6, find the length of CH.",
    ]
    found = {c.text: c for c in detector.query(texts)}
    assert found[0].item.id == "long" and found[0].method == "ngram"
    assert found[1].item.id == "short" and found[1].method == "fuzzy"
    assert found[2].item.id == "long"
    assert 3 not in found  # same setting, another question


def test_benchmark_boilerplate_is_not_evidence():
    detector = Decontaminator(_items())
    exam = (
        "请完成下面一道选择题，每个小题四个选项中，只有一项是符合题目要求的。\n已知函数 f(x)=x^3，求 f(2)。"
    )
    assert detector.query([exam, "Find the length of $AB$ in a square of side 3."]) == []


def test_bundled_benchmarks_do_not_flag_each_other_by_accident():
    """Every bundled benchmark item is found as itself (recall), and items of one benchmark that are not
    copies of another are not matched across benchmarks (precision on real, similar-looking problems)."""
    items = [
        BenchmarkItem(p.stem, str(r["id"]), r["problem"])
        for p in sorted(Path("samples/benchmarks").glob("*.jsonl"))
        for r in map(json.loads, p.read_text().splitlines())
    ]
    math500 = [i for i in items if i.benchmark == "math500"]
    others = Decontaminator([i for i in items if i.benchmark != "math500"])
    assert others.query([i.problem for i in math500]) == []
    itself = Decontaminator(math500)
    assert len(itself.query([i.problem for i in math500])) == len(math500)


def test_shared_options_are_not_evidence():
    """A different question with the same four options as a gaokao 2024 item is not contaminated."""
    detector = Decontaminator(
        [
            BenchmarkItem(
                "gaokao2024",
                "z",
                "若 \\frac{z}{z-1}=1+\\mathrm{i}, 则 z=(\\quad) A. -1-\\mathrm{i} B. -1+\\mathrm{i} C. 1-\\mathrm{i} D. 1+\\mathrm{i}",
            )
        ]
    )
    other = "若 $z(1+\\mathrm{i})=2 \\mathrm{i}$ ，则 $z=(\\quad)$\nA. $-1-\\mathrm{i}$\nB. $-1+\\mathrm{i}$\nC. $1-\\mathrm{i}$\nD. $1+\\mathrm{i}$"
    same = "若 $\\frac{z}{z-1}=1+\\mathrm{i}$ ，则 $z=(\\quad)$\nA. $-1-\\mathrm{i}$\nB. $-1+\\mathrm{i}$\nC. $1-\\mathrm{i}$\nD. $1+\\mathrm{i}$"
    assert [c.text for c in detector.query([other, same])] == [1]


def test_a_leading_problem_number_is_not_problem_text():
    assert (
        normalize("Problem 19. Simplify $\\sqrt{242}$.")
        == normalize("(3) Simplify \\sqrt{242}")
        == "simplify\\sqrt242"
    )
    assert normalize("12 apples and 3.5 pears") == "12applesand3.5pears"
    detector = Decontaminator([BenchmarkItem("math500", "m", "Simplify $\\sqrt{242}$.")])
    assert [c.item.id for c in detector.query(["Problem 7. Simplify $\\sqrt{242}$."])] == ["m"]
