"""PDF file -> one PageText per page: the text layer where it is usable, OCR where it is not.

Bad input never raises: an unreadable file gives a single error row (page 0), a page that fails gives an
error row for that page and the other pages go on.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterable
from functools import cache
from os import PathLike
from pathlib import Path

import pymupdf

from ocr import rapid
from ocr.textlayer import IMAGE_OPERATIONS, is_usable, page_text, visual_operations
from ocr.types import PageText

OcrFunction = Callable[..., PageText]  # called as f(page, dpi=...)
ENGINES: dict[str, OcrFunction] = {rapid.ENGINE_NAME: rapid.ocr_page}
TEXT_LAYER_ENGINE = "pymupdf"
PDF_MARKER_WINDOW = 1024  # readers accept "%PDF-" in the first and "%%EOF" in the last 1024 bytes


@cache
def engine_version(name: str) -> str:
    """Version of the package behind an engine name ("pymupdf", "rapidocr")."""
    return importlib.metadata.version(name)


def error_row(page: int, engine: str, reason: str) -> PageText:
    return PageText(
        page=page,
        text="",
        method="error",
        engine=engine,
        engine_version=engine_version(engine),
        confidence=0.0,
        error=reason,
    )


def file_problem(path: Path, max_bytes: int) -> str | None:
    """Why the file cannot be a readable PDF, judged without parsing it; None if it may be one."""
    try:
        if not path.is_file():
            return "no such file" if not path.exists() else "not a regular file"
        size = path.stat().st_size
        if size == 0:
            return "empty file (0 bytes)"
        if size > max_bytes:
            return f"file too large: {size} bytes > max_bytes={max_bytes}"
        with path.open("rb") as handle:
            head = handle.read(PDF_MARKER_WINDOW)
            handle.seek(max(0, size - PDF_MARKER_WINDOW))
            tail = handle.read()
    except OSError as exc:
        return f"cannot read file: {exc}"
    if b"%PDF-" not in head:
        return f"not a PDF: no %PDF- header in the first {PDF_MARKER_WINDOW} bytes"
    if b"%%EOF" not in tail:
        # MuPDF would "repair" such a file and return pages with their content silently missing.
        return f"truncated PDF: no %%EOF marker in the last {PDF_MARKER_WINDOW} bytes"
    return None


def extract_pdf(
    path: str | PathLike[str],
    *,
    ocr_engine: str = rapid.ENGINE_NAME,
    dpi: int = rapid.DEFAULT_DPI,
    min_text_chars: int = 20,
    max_pages: int = 500,
    max_bytes: int = 200_000_000,
    pages: Iterable[int] | None = None,
) -> list[PageText]:
    """Text of every page of a PDF (or of the 1-based `pages` only).

    A page whose text layer has at least `min_text_chars` meaningful characters is read from it; a page with
    less text that shows images or vector graphics goes to OCR at `dpi` (flag "scanned"); a page with
    neither keeps its (possibly empty) text layer (flag "empty" when there is no text at all).
    Raises ValueError only for an unknown `ocr_engine` (a configuration error, not bad input).
    """
    if ocr_engine not in ENGINES:
        raise ValueError(f"unknown OCR engine {ocr_engine!r}; known: {sorted(ENGINES)}")
    path = Path(path)
    problem = file_problem(path, max_bytes)
    if problem:
        return [error_row(0, TEXT_LAYER_ENGINE, problem)]
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # MuPDF raises FileDataError, RuntimeError, ... for broken files
        return [error_row(0, TEXT_LAYER_ENGINE, f"cannot open PDF (corrupt or truncated?): {exc}")]
    with doc:
        if doc.needs_pass:
            return [error_row(0, TEXT_LAYER_ENGINE, "encrypted PDF: a password is needed to open it")]
        if doc.page_count == 0:
            return [error_row(0, TEXT_LAYER_ENGINE, "PDF has no pages (corrupt or truncated?)")]
        if doc.page_count > max_pages:
            return [
                error_row(0, TEXT_LAYER_ENGINE, f"too many pages: {doc.page_count} > max_pages={max_pages}")
            ]
        numbers = range(1, doc.page_count + 1) if pages is None else pages
        rows = [read_page(doc, number, ocr_engine, dpi, min_text_chars) for number in numbers]
        if doc.is_repaired:  # MuPDF rebuilt a broken cross-reference table: the text may be incomplete
            for row in rows:
                row.flags.append("repaired")
    return rows


def read_page(doc: pymupdf.Document, number: int, ocr_engine: str, dpi: int, min_text_chars: int) -> PageText:
    """PageText of the 1-based page `number`; an error row if it cannot be read."""
    if not 1 <= number <= doc.page_count:
        return error_row(number, TEXT_LAYER_ENGINE, f"no page {number}: the PDF has {doc.page_count} pages")
    try:
        page = doc.load_page(number - 1)
        text = page_text(page)
        visuals = visual_operations(page)
    except Exception as exc:
        return error_row(number, TEXT_LAYER_ENGINE, f"cannot read page: {type(exc).__name__}: {exc}")
    if is_usable(text, min_text_chars) or not visuals:
        flags = []
        if not text:
            flags.append("empty")
        if visuals & IMAGE_OPERATIONS:
            flags.append("has_images")
        return PageText(
            page=number,
            text=text,
            method="text-layer",
            engine=TEXT_LAYER_ENGINE,
            engine_version=engine_version(TEXT_LAYER_ENGINE),
            confidence=1.0,
            flags=flags,
        )
    try:
        result = ENGINES[ocr_engine](page, dpi=dpi)
    except Exception as exc:
        return error_row(number, ocr_engine, f"OCR failed: {type(exc).__name__}: {exc}")
    result.flags.insert(0, "scanned")
    return result
