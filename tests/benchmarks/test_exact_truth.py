"""The exact-truth corpus: items read from their sources, typeset with real math in every form, and the
committed fixture corpus read back through the pipeline's extraction and split against its truth."""

from __future__ import annotations

import json

import pymupdf
import pytest

from benchmarks.exact_truth.__main__ import FIXTURES
from benchmarks.exact_truth.items import SOURCES, _item, why_not
from benchmarks.exact_truth.measure import math_recall, score_form
from benchmarks.exact_truth.scan import scanned
from benchmarks.exact_truth.typeset import Form, paper
from benchmarks.math_structure import Kind

GAOKAO = next(s for s in SOURCES if s.name == "gaokao-bench-mcq")
QWEN = next(s for s in SOURCES if s.name == "qwen-gaokao2024-I")


def test_an_item_loses_its_number_score_and_instruction_and_keeps_its_options():
    record = {
        "question": "3. （5 分) 设 $x^{2}=4$, 则 $x=$\nA. $2$\nB. $-2$\nC. $\\pm 2$\nD. $4$\n",
        "answer": ["C"],
    }
    item = _item(GAOKAO, 7, record)
    assert (item.question, item.options, item.answer) == (
        "设 $x^{2}=4$, 则 $x=$",
        ["$2$", "$-2$", "$\\pm 2$", "$4$"],
        "C",
    )
    assert item.truth().splitlines()[1] == "A. $2$" and why_not(item) is None
    qwen = _item(
        QWEN, 0, {"question": "请完成下面一道填空题。\n若 $\\frac{1}{x}=2$，则 $x=$____", "answer": "1/2"}
    )
    assert (
        qwen.question == "若 $\\frac{1}{x}=2$，则 $x=$____"
        and qwen.licence == "LICENSE.qwen25math-evaluation"
    )


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("如图, 求 $x$", "figure, table or environment"),
        ("$\\begin{cases}x\\\\y\\end{cases}$", "figure, table or environment"),
        ("求 $x$ 与 $y", "unbalanced $"),
        ("$x=5分$", "CJK inside a formula"),
        ("$\\frac{1}{\\notacommand}$", "mathtext cannot set a formula"),
    ],
)
def test_an_item_that_cannot_be_typeset_says_why(question, reason):
    assert why_not(_item(GAOKAO, 0, {"question": question})) == reason


def test_math_recall_counts_the_formula_characters_the_extraction_kept():
    truth = "若 $x^{2}+y_{1}=3$, 求 $x$"
    assert math_recall(truth, "若 x^{2} + y_{1} = 3, 求 x") == 1.0
    assert math_recall(truth, "若 , 求 x") == pytest.approx(1 / 6)  # one x of x 2 y 1 3 x
    assert math_recall("no formula here", "") == 1.0


def test_every_form_sets_the_formulas_as_the_form_says(tmp_path):
    item = _item(
        QWEN, 0, {"question": "若 $\\frac{z}{z-1}=1+i$，则 $z=$\nA. $-1-i$\nB. $-1+i$\nC. $1-i$\nD. $1+i$"}
    )
    formulas = 6
    with pymupdf.open("pdf", paper("t", [item], Form.TEXT)) as doc:
        fonts = {
            span["font"]
            for b in doc[0].get_text("dict")["blocks"]
            for line in b.get("lines", [])
            for span in line["spans"]
        }
        assert any(font.startswith("STIX") for font in fonts)  # math in math fonts, as text
    with pymupdf.open("pdf", paper("t", [item], Form.IMAGES)) as doc:
        assert len(doc[0].get_image_info()) == formulas
        assert "z" not in doc[0].get_text()
    with pymupdf.open("pdf", paper("t", [item], Form.VECTOR)) as doc:
        assert not doc[0].get_images() and len(doc[0].get_drawings()) > formulas
        assert "z" not in doc[0].get_text() and "则" in doc[0].get_text()
    with pymupdf.open("pdf", scanned(paper("t", [item], Form.TEXT), 150, "t")) as doc:
        assert doc[0].get_text().strip() == "" and len(doc[0].get_images()) == 1


def test_the_fixture_corpus_holds_its_licences_and_truth():
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    items = [item for paper in manifest["papers"] for item in paper["items"]]
    assert len(items) == 15 and not any(item["source"] == "math500" for item in items)  # held out
    assert {item["licence"] for item in items} <= {p.name for p in FIXTURES.glob("LICENSE.*")}
    for form in ("text", "images", "vector", "scan200"):
        assert sorted(p.stem for p in (FIXTURES / form).glob("*.pdf")) == ["en01", "zh01"]


# Floors a little under what each form measures today (README, "Math fidelity"): a drop fails the test.
FLOORS = {
    "text": {"structure": 1.0, "scripts": 1.0, "precision": 1.0, "over": 1.0},
    "images": {"structure": 0.95, "scripts": 0.95, "precision": 0.95, "over": 0.95},
    "vector": {"structure": 0.95, "scripts": 0.95, "precision": 0.95, "over": 0.95},
    "scan200": {"structure": 0.9, "scripts": 0.85, "precision": 0.95, "over": 0.95},
}


@pytest.mark.parametrize("form", list(FLOORS))
def test_the_fixture_corpus_reads_back_against_its_exact_truth(form):
    score = score_form(FIXTURES, form)
    tally, floor = score.fidelity.tally, FLOORS[form]
    assert (score.found, score.matched, score.expected) == (15, 15, 15)
    assert score.unflagged_losses == []
    assert tally.recall(*Kind) >= floor["structure"]
    assert tally.recall(Kind.SUP, Kind.SUB) >= floor["scripts"]
    assert tally.precision(Kind.SUP, Kind.SUB) >= floor["precision"]
    assert tally.recall(Kind.OVER) >= floor["over"] and tally.precision(Kind.OVER) == 1.0  # no false accents
