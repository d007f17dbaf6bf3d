"""The record every extraction step returns: one PageText per page (or one per file on a file-level error)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Method = Literal["text-layer", "ocr", "error"]


@dataclass
class OcrLine:
    """One recognized line: its text, box [x0, y0, x1, y1] in page points (72 per inch), recognition score."""

    text: str
    box: list[float]
    score: float


@dataclass
class PageText:
    """Text of one page.

    page: 1-based page number; 0 for a file-level error (unreadable file: the only row for that file).
    method: "text-layer" (PyMuPDF), "ocr" or "error" (then `error` says why and `text` is empty).
    engine / engine_version: what produced the text ("pymupdf" or "rapidocr") and its package version.
    confidence: 1.0 for a text layer, mean line score for OCR.
    flags: e.g. "scanned", "empty", "low_confidence", "repaired", "has_images".
    lines: OCR lines with boxes (empty for text-layer pages).
    """

    page: int
    text: str
    method: Method
    engine: str
    engine_version: str
    confidence: float
    flags: list[str] = field(default_factory=list)
    error: str | None = None
    lines: list[OcrLine] = field(default_factory=list)

    def to_dict(self, *, with_lines: bool = False) -> dict[str, Any]:
        row = asdict(self)
        if not with_lines:
            del row["lines"]
        return row
