"""OCR of a rendered PDF page with rapidocr 3.x (PP-OCR ONNX models bundled in its wheel, no download).

One engine per process, created on first use; its models load on the first page it reads (~2 s here).
"""

from __future__ import annotations

import importlib.metadata
import threading
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pymupdf

from ocr.reading_order import group_rows, join_in_reading_order
from ocr.types import OcrLine, PageText

if TYPE_CHECKING:
    from rapidocr import RapidOCR

ENGINE_NAME = "rapidocr"
DEFAULT_DPI = 200
LOW_CONFIDENCE = 0.8  # mean line score under which a page is flagged "low_confidence"

_engine: RapidOCR | None = None
_engine_lock = threading.Lock()


def get_engine() -> RapidOCR:
    """The process-wide RapidOCR instance.

    rapidocr's own defaults are kept: it shrinks images whose longer side exceeds 2000 px (an A4 page at
    200 dpi is 2339 px high), which reads this project's samples as well as at full size, and 1.5-3x faster.
    """
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr import RapidOCR  # imported here: it loads onnxruntime and OpenCV

            _engine = RapidOCR(params={"Global.log_level": "error"})
        return _engine


@cache
def engine_version() -> str:
    return importlib.metadata.version("rapidocr")


def render_page(page: pymupdf.Page, dpi: int) -> np.ndarray:
    """The page as a BGR uint8 array (the channel order rapidocr expects for arrays)."""
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
    rgb = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, 3)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def recognize(page: pymupdf.Page, dpi: int = DEFAULT_DPI) -> list[OcrLine]:
    """OCR lines of the page in reading order, boxes in page points."""
    result = get_engine()(render_page(page, dpi))
    # Nothing found: an empty RapidOCROutput, or a partial result (e.g. detection only) without txts.
    boxes, texts, scores = (getattr(result, name, None) for name in ("boxes", "txts", "scores"))
    if boxes is None or texts is None or scores is None:
        return []
    points_per_pixel = 72.0 / dpi
    lines = []
    for quad, text, score in zip(boxes, texts, scores, strict=True):
        xs, ys = quad[:, 0] * points_per_pixel, quad[:, 1] * points_per_pixel
        box = [round(float(v), 2) for v in (xs.min(), ys.min(), xs.max(), ys.max())]
        lines.append(OcrLine(text=text, box=box, score=round(float(score), 4)))
    return [lines[i] for row in group_rows([line.box for line in lines]) for i in row]


def ocr_page(
    page: pymupdf.Page, *, dpi: int = DEFAULT_DPI, low_confidence: float = LOW_CONFIDENCE
) -> PageText:
    """A PageText (method "ocr") for the page: lines in reading order, one text line per row."""
    lines = recognize(page, dpi)
    text = join_in_reading_order([line.box for line in lines], [line.text for line in lines])
    confidence = float(np.mean([line.score for line in lines])) if lines else 0.0
    flags = []
    if not lines:
        flags.append("empty")
    elif confidence < low_confidence:
        flags.append("low_confidence")
    return PageText(
        page=page.number + 1,
        text=text,
        method="ocr",
        engine=ENGINE_NAME,
        engine_version=engine_version(),
        confidence=round(confidence, 4),
        flags=flags,
        lines=lines,
    )
