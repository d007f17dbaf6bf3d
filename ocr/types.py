"""The record every extraction step returns: one PageText per page (or one per file on a file-level error)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Method = Literal["text-layer", "ocr", "error"]


@dataclass
class OcrLine:
    """One recognized line: its text, box [x0, y0, x1, y1] (page points, 72 per inch, once on a page),
    recognition score, whether that score is under the low-confidence threshold, whether it was
    read on its own as print that no detected line covered (ocr/uncovered.py), and whether it is a
    formula image of a text layer (ocr/formula_images.py)."""

    text: str
    box: list[float]
    score: float
    low_confidence: bool = False
    uncovered: bool = False
    formula_image: bool = False


@dataclass
class PageText:
    """Text of one page.

    page: 1-based page number; 0 for a file-level error (unreadable file: the only row for that file).
    method: "text-layer" (PyMuPDF, possibly with OCR of vector-drawn formulas), "ocr" or "error" (then
    `error` says why and `text` is empty).
    engine / engine_version: what produced the text ("pymupdf", "rapidocr", "pymupdf+rapidocr" when a text
    layer's formulas were OCR'd) and the versions, joined the same way.
    confidence: 1.0 for a plain text layer, the mean line score of what was OCR'd otherwise.
    flags: "scanned" (OCR of the whole page), "vector_math" (formulas drawn as graphics, OCR'd),
    "math_lost" (math that could not be recovered), "low_confidence", "empty", "figures" (drawings
    that are not formulas), "repaired", "downscaled" (rendered under the engine's resolution to fit), "watermark" (faint
    lines dropped from a scan).
    "formula_images" (formulas embedded as images, OCR'd).
    notes: why a flag was set, for a person ("3 of 40 formula images unread (...)").
    lines: OCR lines with boxes (whole-page OCR and OCR'd formulas; empty for a plain text layer).
    """

    page: int
    text: str
    method: Method
    engine: str
    engine_version: str
    confidence: float
    flags: list[str] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    lines: list[OcrLine] = field(default_factory=list)

    def to_dict(self, *, with_lines: bool = False) -> dict[str, Any]:
        row = asdict(self)
        if not with_lines:
            del row["lines"]
        return row

    def low_confidence_lines(self) -> list[str]:
        return [line.text for line in self.lines if line.low_confidence]
