"""Bad files never raise: each gives one error row (page 0) with a reason."""

from __future__ import annotations

import pymupdf
import pytest
from ocr_samples import EXAM_TEXT

from ocr import PageText, extract_pdf


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


def test_limits(tmp_path):
    assert only_error(extract_pdf(EXAM_TEXT, max_bytes=1000)).startswith("file too large")
    assert only_error(extract_pdf(EXAM_TEXT, max_pages=1)) == "too many pages: 2 > max_pages=1"


def test_unknown_engine_is_a_configuration_error():
    with pytest.raises(ValueError, match="unknown OCR engine"):
        extract_pdf(EXAM_TEXT, ocr_engine="tesseract")
