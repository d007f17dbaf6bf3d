"""Session fixtures: the expected problems of the samples, and the OCR result of the scanned sample."""

from __future__ import annotations

import json

import pytest

from ocr import PageText, extract_pdf
from tests.ocr.ocr_samples import EXAM_SCANNED, INBOX


@pytest.fixture(scope="session")
def expected() -> dict:
    return json.loads((INBOX / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def scanned_rows() -> list[PageText]:
    """Extracted once: OCR of the two scanned pages takes a few seconds."""
    return extract_pdf(EXAM_SCANNED)
