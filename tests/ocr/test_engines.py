"""The engines behind one interface: configuration, availability errors, tesseract when installed."""

from __future__ import annotations

import shutil

import pymupdf
import pytest

from ocr import EngineConfig, EngineUnavailable, Settings, check_engine, engine_names, extract_pdf
from ocr.engines import get_engine, render_dpi
from ocr.engines.paddle import MODELS
from ocr.render import render
from tests.ocr.ocr_samples import EXAM_SCANNED


def test_engine_names_and_their_render_resolutions():
    assert engine_names() == ["paddleocr", "rapidocr", "tesseract"]
    assert [render_dpi(EngineConfig(name)) for name in engine_names()] == [200, 144, 300]
    assert render_dpi(EngineConfig("rapidocr", dpi=250)) == 250


def test_the_cache_key_names_engine_resolution_and_options_but_not_threads():
    base = EngineConfig("rapidocr")
    assert base.key() == EngineConfig("rapidocr", threads=4).key()
    assert len({base.key(), EngineConfig("rapidocr", dpi=200).key(), EngineConfig("tesseract").key()}) == 3
    assert (
        EngineConfig("paddleocr", options={"model_root": "/a"}).key()
        != EngineConfig("paddleocr", options={"model_root": "/b"}).key()
    )
    assert Settings().key() != Settings(min_text_chars=5).key() and Settings().key().startswith("x")


def test_paddleocr_names_every_missing_model_directory(tmp_path):
    (tmp_path / MODELS["text_detection"]).mkdir()
    (tmp_path / MODELS["text_detection"] / "inference.json").write_text("{}")
    with pytest.raises(EngineUnavailable) as caught:
        check_engine(EngineConfig("paddleocr", options={"model_root": str(tmp_path)}))
    message = str(caught.value)
    assert "model directories not staged" in message
    for model, folder in MODELS.items():
        assert (str(tmp_path / folder) in message) == (model != "text_detection")


def test_paddleocr_without_any_model_configuration():
    with pytest.raises(
        EngineUnavailable, match="layout_detection: not configured; text_detection: not configured"
    ):
        check_engine(EngineConfig("paddleocr"))
    with pytest.raises(ValueError, match="unknown models"):
        check_engine(EngineConfig("paddleocr", options={"model_dirs": {"tables": "/x"}}))


def test_an_engine_that_cannot_run_stops_extraction_instead_of_failing_every_page(tmp_path):
    with pytest.raises(EngineUnavailable, match="paddleocr"):
        extract_pdf(
            EXAM_SCANNED, Settings(engine=EngineConfig("paddleocr", options={"model_root": str(tmp_path)}))
        )


def test_a_missing_tesseract_binary_is_named():
    with pytest.raises(EngineUnavailable, match="binary 'no-such-tesseract' not found on PATH"):
        check_engine(EngineConfig("tesseract", options={"binary": "no-such-tesseract"}))


needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract binary absent (apt-get install tesseract-ocr tesseract-ocr-chi-sim)",
)


@needs_tesseract
def test_tesseract_reads_a_rendered_line():
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=80)
    page.insert_text((20, 50), "Find x + 12 = 20", fontsize=24)
    engine = get_engine(EngineConfig("tesseract", options={"langs": "eng"}))
    text, score = engine.read_line(render(page, 150))
    assert text.replace(" ", "") == "Findx+12=20" and 0.5 < score <= 1.0
    [line] = engine.recognize(render(page, 150))
    assert line.text == text and line.box[0] < line.box[2] and engine.version()[0].isdigit()


@needs_tesseract
def test_tesseract_on_the_scanned_sample_records_its_name_and_version():
    [row] = extract_pdf(EXAM_SCANNED, Settings(engine=EngineConfig("tesseract")), pages=[2])
    assert (row.method, row.engine, row.flags[0]) == ("ocr", "tesseract", "scanned")
    assert row.engine_version[0].isdigit() and "运动服" in row.text.replace(" ", "")


def test_rapidocr_reads_a_page_after_a_line_crop_as_before():
    """rapidocr keeps per-call flags (use_det=False for a crop) as defaults: a page read after a formula
    crop must still be detected line by line."""
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=200)
    page.insert_text((20, 50), "First line of text", fontsize=20)
    page.insert_text((20, 120), "Second line of text", fontsize=20)
    engine = get_engine(EngineConfig("rapidocr"))
    image = render(page, 144)
    before = [line.text for line in engine.recognize(image)]
    text, _ = engine.read_line(image[40:110, :])
    assert "First" in text and len(before) == 2
    assert [line.text for line in engine.recognize(image)] == before
