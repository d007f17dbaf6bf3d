"""Bad files never raise: each gives one error row (page 0) with a reason; bad pages give a page error row."""

from __future__ import annotations

import zlib

import pymupdf
import pytest

from ocr import EngineConfig, Limits, PageText, Settings, extract_pdf
from tests.ocr.ocr_samples import EXAM_TEXT


def only_error(rows: list[PageText]) -> str:
    [row] = rows
    assert (row.page, row.method, row.text, row.engine, row.confidence) == (0, "error", "", "pymupdf", 0.0)
    assert row.error
    return row.error


def test_zero_byte_file(tmp_path):
    (tmp_path / "empty.pdf").write_bytes(b"")
    assert only_error(extract_pdf(tmp_path / "empty.pdf")) == "empty file (0 bytes)"


def test_not_a_pdf(tmp_path):
    (tmp_path / "notes.pdf").write_text("just some text, not a PDF\n")
    assert only_error(extract_pdf(tmp_path / "notes.pdf")).startswith("not a PDF")


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.95])
def test_truncated_pdf(tmp_path, fraction):
    data = EXAM_TEXT.read_bytes()
    (tmp_path / "cut.pdf").write_bytes(data[: int(len(data) * fraction)])
    assert only_error(extract_pdf(tmp_path / "cut.pdf")).startswith("truncated PDF")


def test_corrupt_pdf(tmp_path):
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.7\nthis is not a body\n%%EOF\n")
    assert only_error(extract_pdf(tmp_path / "bad.pdf")).startswith("cannot open PDF")


def test_encrypted_pdf(tmp_path):
    with pymupdf.open(EXAM_TEXT) as doc:
        doc.save(
            tmp_path / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="user", owner_pw="owner"
        )
    assert "password" in only_error(extract_pdf(tmp_path / "locked.pdf"))


def test_missing_file_and_directory(tmp_path):
    assert only_error(extract_pdf(tmp_path / "nope.pdf")) == "no such file"
    assert only_error(extract_pdf(tmp_path)) == "not a regular file"


def test_byte_and_page_limits():
    assert only_error(extract_pdf(EXAM_TEXT, Settings(limits=Limits(max_bytes=1000)))).startswith(
        "file too large"
    )
    assert (
        only_error(extract_pdf(EXAM_TEXT, Settings(limits=Limits(max_pages=1))))
        == "too many pages: 2 > max_pages=1"
    )


def test_unknown_engine_is_a_configuration_error():
    with pytest.raises(ValueError, match="unknown OCR engine 'nope'"):
        EngineConfig("nope")


def image_bomb(path) -> None:
    """A page whose 8x8 image claims to be 100000 x 100000 pixels (30 GB once decoded)."""
    doc = pymupdf.open()
    page = doc.new_page()
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 8, 8), False)
    xref = page.insert_image(page.rect, pixmap=pixmap)
    doc.xref_set_key(xref, "Width", "100000")
    doc.xref_set_key(xref, "Height", "100000")
    doc.new_page().insert_text((72, 72), "The next page is fine and has enough text to be read.")
    doc.save(path)


def test_an_image_too_large_to_decode_is_an_error_row_for_its_page(tmp_path):
    image_bomb(tmp_path / "bomb.pdf")
    first, second = extract_pdf(tmp_path / "bomb.pdf")
    assert (first.page, first.method) == (1, "error")
    assert first.error == "image too large: 100000x100000 px > max_pixels=60000000"
    assert second.method == "text-layer" and "next page is fine" in second.text


def stream_bomb(path, megabytes: int) -> None:
    """A page whose content stream inflates from a few hundred KB to `megabytes` MB of spaces."""
    inflater = zlib.compressobj(9)
    data = b"".join(inflater.compress(b" " * (1 << 20)) for _ in range(megabytes))
    data += inflater.compress(b"BT /Helv 12 Tf 72 720 Td (hidden) Tj ET") + inflater.flush()
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "x")
    [xref] = page.get_contents()
    doc.update_stream(xref, data, compress=False)
    doc.xref_set_key(xref, "Filter", "/FlateDecode")
    doc.save(path)


def test_a_decompression_bomb_is_refused_before_it_is_read(tmp_path):
    stream_bomb(tmp_path / "bomb.pdf", megabytes=64)
    limits = Limits(max_stream_bytes=16_000_000, stream_check_bytes=10_000)
    [row] = extract_pdf(tmp_path / "bomb.pdf", Settings(limits=limits))
    assert (row.page, row.method) == (1, "error")
    assert row.error == "decompression bomb: a content stream inflates past max_stream_bytes=16000000"


def test_a_page_too_large_for_the_pixel_budget_is_rendered_smaller(tmp_path, monkeypatch):
    import ocr.extract
    from tests.ocr.fakes import FakeEngine

    engine = FakeEngine()
    monkeypatch.setattr(ocr.extract, "get_engine", lambda config: engine)
    doc = pymupdf.open()
    doc.new_page(width=2000, height=2000).draw_rect(pymupdf.Rect(100, 100, 300, 300))
    doc.save(tmp_path / "poster.pdf")
    [row] = extract_pdf(tmp_path / "poster.pdf", Settings(limits=Limits(max_pixels=4_000_000)))
    assert row.flags == ["scanned", "empty", "downscaled"]
    [(height, width, _)] = engine.seen
    assert height * width <= 4_000_000 and height == width >= 1900
