"""The image-only sample goes through rapidocr and reads back the text that was rasterized."""

from __future__ import annotations

import importlib.metadata

import pymupdf
import pytest
from ocr_samples import EXAM_SCANNED, EXAM_SCANNED_TRUTH, cjk_recall

import ocr.extract
import ocr.rapid
from ocr.types import OcrLine, PageText


def test_scanned_sample_has_no_text_layer():
    with pymupdf.open(EXAM_SCANNED) as doc:
        assert doc.page_count == 2
        assert all(page.get_text().strip() == "" and page.get_images() for page in doc)
    assert EXAM_SCANNED.stat().st_size < 1_000_000


def test_scanned_pages_are_ocred(scanned_rows: list[PageText]):
    assert [row.page for row in scanned_rows] == [1, 2]
    version = importlib.metadata.version("rapidocr")
    for row in scanned_rows:
        assert (row.method, row.engine, row.engine_version, row.error) == ("ocr", "rapidocr", version, None)
        assert row.flags == ["scanned"]
        assert 0.9 <= row.confidence <= 1.0
        assert row.lines and row.text.count("\n") + 1 <= len(row.lines)


def test_scanned_cjk_recall_against_the_rendered_text(scanned_rows: list[PageText]):
    truth_pages = EXAM_SCANNED_TRUTH.read_text(encoding="utf-8").split("\f")
    assert len(truth_pages) == len(scanned_rows)
    for truth, row in zip(truth_pages, scanned_rows, strict=True):
        assert cjk_recall(truth, row.text) >= 0.9, row.text
    assert scanned_rows[0].text.startswith("2024年普通高等学校招生全国统一考试")
    assert "【答案】" in scanned_rows[0].text


def test_ocr_lines_are_in_reading_order_inside_the_page(scanned_rows: list[PageText]):
    a4 = pymupdf.paper_rect("a4")
    for row in scanned_rows:
        tops = [line.box[1] for line in row.lines]
        assert tops == sorted(tops)  # one line per row on these pages
        for line in row.lines:
            x0, y0, x1, y1 = line.box
            assert 0 <= x0 < x1 <= a4.width and 0 <= y0 < y1 <= a4.height
            assert 0.5 <= line.score <= 1.0 and line.text


def test_ocr_failure_is_an_error_row_for_that_page_only(tmp_path, monkeypatch):
    mixed = pymupdf.open()
    with pymupdf.open(EXAM_SCANNED) as scanned:
        mixed.insert_pdf(scanned, from_page=0, to_page=0)
    mixed.new_page().insert_text((72, 72), "A text page with enough characters to be usable.")
    mixed.save(tmp_path / "mixed.pdf")

    def broken_engine(page, dpi):
        raise RuntimeError("model exploded")

    monkeypatch.setitem(ocr.extract.ENGINES, "rapidocr", broken_engine)
    first, second = ocr.extract.extract_pdf(tmp_path / "mixed.pdf")
    assert (first.page, first.method, first.engine) == (1, "error", "rapidocr")
    assert first.error == "OCR failed: RuntimeError: model exploded"
    assert (second.page, second.method) == (2, "text-layer") and "enough characters" in second.text


@pytest.mark.parametrize(
    "scores, flags, confidence",
    [([0.95, 0.85], [], 0.9), ([0.9, 0.6], ["low_confidence"], 0.75), ([], ["empty"], 0.0)],
)
def test_ocr_page_confidence_and_flags(monkeypatch, scores, flags, confidence):
    lines = [
        OcrLine(text=f"line {i}", box=[10, 20 * i, 50, 20 * i + 10], score=s) for i, s in enumerate(scores)
    ]
    monkeypatch.setattr(ocr.rapid, "recognize", lambda page, dpi: lines)
    with pymupdf.open(EXAM_SCANNED) as doc:
        row = ocr.rapid.ocr_page(doc[1], low_confidence=0.8)
    assert (row.page, row.flags, row.confidence) == (2, flags, confidence)
    assert row.text == "\n".join(line.text for line in lines)


def test_drawing_without_text_goes_to_ocr_and_comes_back_empty(tmp_path):
    doc = pymupdf.open()
    doc.new_page().draw_rect(pymupdf.Rect(100, 100, 300, 300))
    doc.save(tmp_path / "frame.pdf")
    [row] = ocr.extract.extract_pdf(tmp_path / "frame.pdf")
    assert (row.method, row.text, row.flags, row.confidence) == ("ocr", "", ["scanned", "empty"], 0.0)
