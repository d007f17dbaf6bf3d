"""The text layer of a PDF page (PyMuPDF), and whether it is worth using instead of OCR."""

from __future__ import annotations

import pymupdf

from ocr.reading_order import join_in_reading_order

VISUAL_OPERATIONS = frozenset({"fill-image", "fill-imgmask", "fill-shade", "fill-path", "stroke-path"})
IMAGE_OPERATIONS = frozenset({"fill-image", "fill-imgmask"})


def page_text(page: pymupdf.Page) -> str:
    """Text lines of the page in reading order (rows top to bottom, left to right within a row).

    Built from the "dict" output rather than get_text(sort=True): in PyMuPDF 2.0 the sorted plain-text output
    pads lines with layout spaces and separates blocks with blank lines.
    """
    boxes: list[tuple[float, float, float, float]] = []
    texts: list[str] = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):  # image blocks have no lines
            text = "".join(span["text"] for span in line["spans"]).strip()
            if text:
                boxes.append(tuple(line["bbox"]))
                texts.append(text)
    return join_in_reading_order(boxes, texts)


def meaningful_chars(text: str) -> int:
    """Characters that carry content: not whitespace, not U+FFFD (unmapped glyph), not private use."""
    return sum(
        1 for char in text if not char.isspace() and char != "\ufffd" and not "\ue000" <= char <= "\uf8ff"
    )


def is_usable(text: str, min_chars: int = 20) -> bool:
    """Whether a page's text layer has enough real text to skip OCR."""
    return meaningful_chars(text) >= min_chars


def visual_operations(page: pymupdf.Page) -> set[str]:
    """Non-text drawing operations on the page ("fill-image", "stroke-path", ...): what OCR could read
    besides the text layer. Empty for a page that only draws text, or nothing."""
    return {operation for operation, _ in page.get_bboxlog() if operation in VISUAL_OPERATIONS}
