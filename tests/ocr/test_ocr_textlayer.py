"""Text-layer pages of the bundled samples, and the helpers behind them."""

from __future__ import annotations

import json
import re

import pymupdf
from ocr_samples import EXAM_TEXT, PROBLEMS_EN, ROOT

import ocr.extract
from ocr import PageText, extract_pdf
from ocr.reading_order import group_rows, join_in_reading_order
from ocr.textlayer import is_usable, meaningful_chars


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


def test_english_problems(expected):
    rows = extract_pdf(PROBLEMS_EN)
    text = "\n".join(row.text for row in rows)
    assert all(row.method == "text-layer" for row in rows)
    numbers = [p["number"] for p in expected["math500-sample/problems_en.pdf"]["problems"]]
    assert numbers == list(range(1, 7))
    for number in numbers:
        assert f"Problem {number}." in text
    assert text.count("Solution.") == 6 and r"\boxed{3}" in text


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
    text_only = doc.new_page()
    text_only.insert_text((72, 72), "Page 2")
    with_image = doc.new_page()
    with_image.insert_text((72, 72), "Page 3")
    pixmap = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 8, 8), False)
    pixmap.clear_with(128)
    with_image.insert_image(pymupdf.Rect(100, 100, 200, 200), pixmap=pixmap)
    doc.save(tmp_path / "mixed.pdf")

    def fake_ocr(page, dpi):
        return PageText(
            page=page.number + 1,
            text=f"ocr at {dpi}",
            method="ocr",
            engine="rapidocr",
            engine_version="test",
            confidence=0.5,
        )

    monkeypatch.setitem(ocr.extract.ENGINES, "rapidocr", fake_ocr)
    rows = extract_pdf(tmp_path / "mixed.pdf", dpi=123)
    assert (rows[0].method, rows[0].text, rows[0].flags) == ("text-layer", "Page 2", [])
    assert (rows[1].method, rows[1].text, rows[1].flags) == ("ocr", "ocr at 123", ["scanned"])


def test_usable_text_counts_meaningful_characters():
    assert meaningful_chars("a b\n\ufffd\ue000c") == 3
    assert is_usable("一二三四五", min_chars=5) and not is_usable("一二三四 ", min_chars=5)


def test_reading_order_rows_then_left_to_right():
    boxes = [(300, 100, 400, 112), (50, 101, 150, 113), (50, 130, 500, 142), (50, 60, 500, 80)]
    assert group_rows(boxes) == [[3], [1, 0], [2]]
    assert join_in_reading_order(boxes, ["B．2", "A．1", "next", "title"]) == "title\nA．1 B．2\nnext"
