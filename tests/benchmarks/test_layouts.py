"""The split measured on layouts: the fixture corpus's items typeset in every house style of
``benchmarks/exact_truth/layouts.py`` (numbering, options, their arrangement, section headers,
instructions, answers inline or in a key file of their own) and read back as a folder."""

from __future__ import annotations

import json

import pymupdf
import pytest

from benchmarks.exact_truth.__main__ import FIXTURES
from benchmarks.exact_truth.items import Item
from benchmarks.exact_truth.layout_measure import TARGETS, score_layouts
from benchmarks.exact_truth.layouts import LAYOUTS, NUMBERS, OPTIONS, KeyStyle, layout_paper
from benchmarks.exact_truth.typeset import ordered


@pytest.fixture(scope="module")
def items() -> list[Item]:
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    fields = set(Item.__dataclass_fields__)
    return [
        Item(**{k: v for k, v in i.items() if k in fields}) for p in manifest["papers"] for i in p["items"]
    ]


def test_every_style_of_every_dimension_is_in_some_layout():
    for language in ("zh", "en"):
        used = [layout for layout in LAYOUTS if layout.language == language]
        assert {layout.number for layout in used} == set(NUMBERS[language])
    assert {layout.option for layout in LAYOUTS} == set(OPTIONS)
    assert {layout.key for layout in LAYOUTS} == set(KeyStyle)


def test_a_layout_sets_its_styles_and_its_key_file(items):
    layout = next(lay for lay in LAYOUTS if lay.number == "第{n}题" and lay.key is not KeyStyle.INLINE)
    paper, key = layout_paper(ordered([i for i in items if i.language == "zh"]), layout)
    with pymupdf.open("pdf", paper) as doc:
        text = "".join(page.get_text() for page in doc)
    assert "第1题" in text and layout.option.format(L="B") in text and layout.sections[0] in text
    assert "【答案】" not in text  # the answers are in the key file
    with pymupdf.open("pdf", key) as doc:
        assert doc[0].get_text().startswith("参考答案")


def test_every_layout_splits_into_its_problems_with_their_answers(items):
    scores = score_layouts(items, LAYOUTS)
    wrong = {name: score.misses for name, score in scores.per_layout.items() if score.right_count != 1}
    assert not wrong
    for (dimension, style), score in scores.per_style.items():
        assert score.answers / score.expected >= TARGETS["answers"], (dimension, style, score.line())
        assert score.errors == 0
    assert min(min(s.similarities) for s in scores.per_layout.values()) >= TARGETS["similarity"]
