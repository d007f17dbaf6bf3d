"""Text-layer pages: the bundled samples, reading order, inline math rebuilt from span geometry."""

from __future__ import annotations

import json
import math
import re

import pymupdf

import ocr.extract
from ocr import EngineConfig, Settings, extract_pdf
from ocr.textlayer import is_usable, meaningful_chars
from tests.ocr import layouts
from tests.ocr.fakes import FakeEngine
from tests.ocr.ocr_samples import EXAM_TEXT, ROOT, english_sample


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_exam_text_pages_come_from_the_text_layer(expected):
    rows = extract_pdf(EXAM_TEXT)
    assert len(rows) == expected["gaokao-sample/exam_text.pdf"]["pages"] >= 2
    for row in rows:
        assert (row.method, row.engine, row.confidence, row.error) == ("text-layer", "pymupdf", 1.0, None)
        assert row.flags == [] and row.lines == []
        assert "【答案】" in row.text and "【解析】" in row.text
    first_page = rows[0].text.splitlines()
    assert first_page[:3] == [
        "2024年普通高等学校招生全国统一考试 数学（样卷）",
        "一、选择题",
        r"1．复数 $\frac{5 i}{1-2 i}=(\quad)$",
    ]
    assert first_page[3:7] == [r"A．$2-\mathrm{i}$", r"B．$1-2 \mathrm{i}$", "C．$-2+i$", "D．$-1+2 i$"]
    assert "二、填空题" in rows[1].text


def test_exam_text_matches_the_source_items_and_page_spans(expected):
    items = json.loads((ROOT / "samples/sources/gaokao_items.json").read_text(encoding="utf-8"))
    items = [item for item in items if item["paper"] == "exam_text"]
    pages = [squash(row.text) for row in extract_pdf(EXAM_TEXT)]
    document = "".join(pages)
    for item in items:  # every analysis is there in full, whatever the line wrapping
        assert squash(item["analysis"]) in document
    for problem in expected["gaokao-sample/exam_text.pdf"]["problems"]:
        first, last = problem["pages"][0], problem["pages"][-1]
        assert f"{problem['number']}．" in pages[first - 1]
        assert f"【答案】{squash(problem['answer'])}" in "".join(pages[first - 1 : last])
    assert any(len(p["pages"]) > 1 for p in expected["gaokao-sample/exam_text.pdf"]["problems"])


def test_english_problems():
    pdf, info = english_sample()
    rows = extract_pdf(pdf)
    assert len(rows) == info["pages"] and all(row.method == "text-layer" for row in rows)
    text = "\n".join(row.text for row in rows)
    for problem in info["problems"]:
        assert f"Problem {problem['number']}." in text


def test_pages_selection_and_out_of_range_page():
    rows = extract_pdf(EXAM_TEXT, pages=[2, 9])
    assert [row.page for row in rows] == [2, 9]
    assert rows[0].method == "text-layer"
    assert rows[1].method == "error" and "no page 9" in rows[1].error


def test_blank_page_is_empty_text_layer(tmp_path):
    doc = pymupdf.open()
    doc.new_page()
    doc.save(tmp_path / "blank.pdf")
    [row] = extract_pdf(tmp_path / "blank.pdf")
    assert (row.page, row.text, row.method, row.flags) == (1, "", "text-layer", ["empty"])


def test_short_text_with_an_image_goes_to_ocr_but_short_text_alone_does_not(tmp_path, monkeypatch):
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Page 1")
    with_image = doc.new_page()
    with_image.insert_text((72, 72), "Page 2")
    pixmap = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 8, 8), False)
    pixmap.clear_with(128)
    with_image.insert_image(pymupdf.Rect(100, 100, 200, 200), pixmap=pixmap)
    doc.save(tmp_path / "mixed.pdf")
    engine = FakeEngine([ocr.OcrLine("ocr text", [0, 0, 50, 10], 0.9)])
    monkeypatch.setattr(ocr.extract, "get_engine", lambda config: engine)
    rows = extract_pdf(tmp_path / "mixed.pdf", Settings(engine=EngineConfig(dpi=123)))
    assert (rows[0].method, rows[0].text, rows[0].flags) == ("text-layer", "Page 1", [])
    assert (rows[1].method, rows[1].text, rows[1].flags) == ("ocr", "ocr text", ["scanned"])
    # the page, rendered at the configured resolution (then crops: print that no returned line covers)
    assert engine.seen[0] == (math.ceil(842 * 123 / 72), math.ceil(595 * 123 / 72), 3)


def test_usable_text_counts_meaningful_characters():
    assert meaningful_chars("a b\n\ufffd\ue000c") == 3
    assert is_usable("一二三四五", min_chars=5) and not is_usable("一二三四 ", min_chars=5)


def test_two_columns_are_read_column_by_column(tmp_path):
    layouts.two_columns(tmp_path / "columns.pdf")
    [row] = extract_pdf(tmp_path / "columns.pdf")
    lines = row.text.splitlines()
    assert lines[0].startswith("Title") and lines[-1].startswith("Footer")
    assert [line.split()[0] for line in lines[1:-1]] == [f"L{i}" for i in range(1, 7)] + [
        f"R{i}" for i in range(1, 7)
    ]


def test_option_rows_stay_rows(tmp_path):
    layouts.options(tmp_path / "options.pdf")
    [row] = extract_pdf(tmp_path / "options.pdf")
    assert row.text.splitlines() == [
        "1. Which number below is the largest of the four given here?",
        "A. 1 B. 2 C. 3 D. 4",
        "2. Pick one.",
        "A. x B. y",
        "C. z D. w",
        "Answer: A",
        "3. Next.",
    ]


def test_superscripts_subscripts_and_fractions_become_latex(tmp_path):
    layouts.scripts_and_fraction(tmp_path / "math.pdf")
    [row] = extract_pdf(tmp_path / "math.pdf")
    assert row.text.splitlines() == [
        "Let x^{2} + a_{n} = y^{10} hold.",
        r"Then p = \frac{3}{4} of the total, as stated before.",
    ]
    assert (row.method, row.engine, row.flags) == ("text-layer", "pymupdf", [])


def test_typeset_ligatures_are_spelled_out(tmp_path):
    doc = pymupdf.open()
    doc.new_page().insert_htmlbox(
        pymupdf.Rect(72, 72, 500, 200),
        '<p style="font-family:serif">The first flow is efficient: find it.</p>',
    )
    doc.save(tmp_path / "ligatures.pdf")
    with pymupdf.open(tmp_path / "ligatures.pdf") as saved:
        assert "ﬁrst" in saved[0].get_text()  # the layout engine set ligature glyphs
    [row] = extract_pdf(tmp_path / "ligatures.pdf", pages=[1])
    assert row.text == "The first flow is efficient: find it."
