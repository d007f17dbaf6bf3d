"""Scanned pages: detected, rendered at the engine's resolution, OCR'd into lines in reading order."""

from __future__ import annotations

import importlib.metadata
import math

import pymupdf
import pytest

import ocr.extract
from ocr import EngineConfig, PageText, Settings, extract_pdf
from ocr.types import OcrLine
from tests.ocr.fakes import FakeEngine
from tests.ocr.ocr_samples import EXAM_SCANNED, EXAM_SCANNED_TRUTH, cjk_recall


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
        assert cjk_recall(truth, row.text) >= 0.95, row.text
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
            assert line.low_confidence == (line.score < 0.8)


def test_an_invisible_ocr_layer_over_a_scan_is_ignored(tmp_path, scanned_rows):
    """A scanner's own OCR text (render mode 3) is not a usable text layer: the page is OCR'd again."""
    doc = pymupdf.open()
    with pymupdf.open(EXAM_SCANNED) as scanned:
        doc.insert_pdf(scanned, from_page=1, to_page=1)
    doc[0].insert_text((72, 72), "Garbled scanner OCR text that nobody should trust" * 2, render_mode=3)
    doc.save(tmp_path / "layered.pdf")
    [row] = extract_pdf(tmp_path / "layered.pdf")
    assert (row.method, row.flags) == ("ocr", ["scanned"])
    assert "Garbled" not in row.text and row.text == scanned_rows[1].text


def mixed_pdf(path) -> None:
    """Page 1: the first scanned sample page; page 2: a text page."""
    mixed = pymupdf.open()
    with pymupdf.open(EXAM_SCANNED) as scanned:
        mixed.insert_pdf(scanned, from_page=0, to_page=0)
    mixed.new_page().insert_text((72, 72), "A text page with enough characters to be usable.")
    mixed.save(path)


def test_ocr_failure_is_an_error_row_for_that_page_only(tmp_path, monkeypatch):
    mixed_pdf(tmp_path / "mixed.pdf")

    def explode(image):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(ocr.extract, "get_engine", lambda config: FakeEngine(explode))
    first, second = extract_pdf(tmp_path / "mixed.pdf")
    assert (first.page, first.method, first.engine) == (1, "error", "rapidocr")
    assert first.engine_version == importlib.metadata.version("rapidocr")
    assert first.error == "OCR failed: RuntimeError: model exploded"
    assert (second.page, second.method) == (2, "text-layer") and "enough characters" in second.text


def test_pages_are_rendered_at_the_engine_resolution_unless_configured(tmp_path, monkeypatch):
    mixed_pdf(tmp_path / "mixed.pdf")
    engine = FakeEngine()
    monkeypatch.setattr(ocr.extract, "get_engine", lambda config: engine)
    a4_height = pymupdf.paper_rect("a4").height
    for dpi, expected in [(0, 144), (100, 100)]:
        extract_pdf(tmp_path / "mixed.pdf", Settings(engine=EngineConfig(dpi=dpi)), pages=[1])
        assert engine.seen.pop()[0] == math.ceil(a4_height * expected / 72)


@pytest.mark.parametrize(
    "scores, flags, confidence",
    [
        ([0.95, 0.85], ["scanned"], 0.9),
        ([0.9, 0.6], ["scanned", "low_confidence"], 0.75),
        ([], ["scanned", "empty"], 0.0),
    ],
)
def test_page_confidence_flags_and_low_confidence_lines(tmp_path, monkeypatch, scores, flags, confidence):
    mixed_pdf(tmp_path / "mixed.pdf")
    lines = [OcrLine(f"line {i}", [10, 200 * i, 500, 200 * i + 40], s) for i, s in enumerate(scores)]
    monkeypatch.setattr(ocr.extract, "get_engine", lambda config: FakeEngine(lines))
    [row] = extract_pdf(tmp_path / "mixed.pdf", Settings(low_confidence=0.8), pages=[1])
    assert (row.page, row.flags, row.confidence, row.engine) == (1, flags, confidence, "fake")
    assert row.text == "\n".join(line.text for line in lines)
    assert row.low_confidence_lines() == [line.text for line in lines if line.score < 0.8]
    assert [line.box[1] for line in row.lines] == [round(200 * i * 72 / 144, 2) for i in range(len(lines))]


def test_drawing_without_text_goes_to_ocr_and_comes_back_empty(tmp_path):
    doc = pymupdf.open()
    doc.new_page().draw_rect(pymupdf.Rect(100, 100, 300, 300))
    doc.save(tmp_path / "frame.pdf")
    [row] = extract_pdf(tmp_path / "frame.pdf")
    assert (row.method, row.text, row.flags, row.confidence) == ("ocr", "", ["scanned", "empty"], 0.0)


def watermarked_scan(path, watermark_y: float = 200, grey: float = 0.82) -> None:
    """A scan of black text lines at y 100, 300 and 330 under a large watermark printed in light grey."""
    page = pymupdf.open().new_page()
    page.insert_text(
        (60, watermark_y), "高考试题库免费下载", fontname="china-s", fontsize=40, color=(grey, grey, grey)
    )
    page.insert_text((72, 100), "1. 已知集合A={1,2,3}，求集合A的子集个数。", fontname="china-s", fontsize=14)
    page.insert_text((72, 300), "2. 已知函数f(x)=x+1，求f(2)的值。", fontname="china-s", fontsize=14)
    page.insert_text((72, 330), "3. 已知数列{an}的前n项和为Sn，求a5。", fontname="china-s", fontsize=14)
    scan = pymupdf.open()
    scan.new_page().insert_image(scan[0].rect, pixmap=page.get_pixmap(dpi=150))
    scan.save(path)


def test_a_light_grey_watermark_on_a_scan_is_dropped(tmp_path):
    watermarked_scan(tmp_path / "watermarked.pdf")
    [kept] = extract_pdf(tmp_path / "watermarked.pdf", Settings(drop_watermarks=False))
    assert "免费下载" in kept.text  # the engine reads it: without the filter it lands in the text
    [row] = extract_pdf(tmp_path / "watermarked.pdf")
    assert row.flags == ["scanned", "watermark"]
    assert "免费" not in row.text and "下载" not in row.text
    text = row.text.replace(" ", "")
    assert "求集合A的子集个数" in text and "已知函数f" in text and "已知数列" in text
    assert sum("已知" in line.text for line in row.lines) == 3
    assert text.startswith("1")  # the second read misses the number "1.": it is read on its own


def test_a_line_the_watermark_crosses_is_read_again_without_it(tmp_path):
    """The watermark runs through line 2: the detector loses that line until the page is read again with
    the watermark's grey turned to paper."""
    watermarked_scan(tmp_path / "crossed.pdf", watermark_y=310, grey=0.85)
    [kept] = extract_pdf(tmp_path / "crossed.pdf", Settings(drop_watermarks=False))
    assert "已知函数" not in kept.text
    [row] = extract_pdf(tmp_path / "crossed.pdf")
    assert row.flags == ["scanned", "watermark"]
    lines = row.text.replace(" ", "").splitlines()
    assert len(lines) == 3 and "已知函数f（x）=x+1，求f（2" in lines[1], row.text
    assert "免费" not in row.text and "题库" not in row.text


def test_the_point_labels_of_a_figure_are_left_out_of_the_text():
    def line(text, x, y):
        return OcrLine(text, [x, y, x + 10 * len(text), y + 12], 0.99)

    lines = [
        line("17. 已知四棱锥 P-ABCD，E 是 AD 上一点。", 50, 100),
        line("P", 300, 120),  # the figure: its points' labels, one or two a row
        line("E", 280, 160),
        line("B C", 300, 200),
        line("(1) 若 F 是 PE 中点，证明 BF // 平面 PCD.", 50, 230),
        line("A", 50, 260),  # a lone capital is text (an answer)
        line("(2) 求二面角的余弦值.", 50, 290),
    ]
    assert ocr.extract.scanned_text(lines).split("\n") == [
        "17. 已知四棱锥 P-ABCD，E 是 AD 上一点。",
        "(1) 若 F 是 PE 中点，证明 BF // 平面 PCD.",
        "A",
        "(2) 求二面角的余弦值.",
    ]
