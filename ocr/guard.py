"""Bad input, refused before it costs memory or hours: not a PDF, truncated, encrypted, too many bytes or
pages, images too large to decode, content streams that inflate without bound (decompression bombs)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import pymupdf

PDF_MARKER_WINDOW = 1024  # readers accept "%PDF-" in the first and "%%EOF" in the last 1024 bytes


@dataclass(frozen=True)
class Limits:
    """max_pixels bounds a rendered page (it is rendered at a lower resolution to fit) and any embedded
    image (a page holding a larger one is refused). Content streams stored in more than
    `stream_check_bytes` are inflated once with a cap of `max_stream_bytes` before MuPDF reads them."""

    max_bytes: int = 200_000_000
    max_pages: int = 2000
    max_pixels: int = 60_000_000
    max_stream_bytes: int = 256_000_000
    stream_check_bytes: int = 1_000_000


class BadInput(Exception):
    """The file or page cannot be read safely; the message is the reason shown in its error row."""


def check_file(path: Path, limits: Limits) -> None:
    """Raises BadInput when the file cannot be a readable PDF, judged without parsing it."""
    try:
        if not path.is_file():
            raise BadInput("no such file" if not path.exists() else "not a regular file")
        size = path.stat().st_size
        if size == 0:
            raise BadInput("empty file (0 bytes)")
        if size > limits.max_bytes:
            raise BadInput(f"file too large: {size} bytes > max_bytes={limits.max_bytes}")
        with path.open("rb") as handle:
            head = handle.read(PDF_MARKER_WINDOW)
            handle.seek(max(0, size - PDF_MARKER_WINDOW))
            tail = handle.read()
    except OSError as exc:
        raise BadInput(f"cannot read file: {exc}") from exc
    if b"%PDF-" not in head:
        raise BadInput(f"not a PDF: no %PDF- header in the first {PDF_MARKER_WINDOW} bytes")
    if b"%%EOF" not in tail:
        # MuPDF would "repair" such a file and return pages with their content silently missing.
        raise BadInput(f"truncated PDF: no %%EOF marker in the last {PDF_MARKER_WINDOW} bytes")


def open_pdf(path: Path, limits: Limits) -> pymupdf.Document:
    """The opened document (MuPDF reads pages from the file on demand, never the whole file at once)."""
    check_file(path, limits)
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # MuPDF raises FileDataError, RuntimeError, ... for broken files
        raise BadInput(f"cannot open PDF (corrupt or truncated?): {exc}") from exc
    problem = None
    if doc.needs_pass:
        problem = "encrypted PDF: a password is needed to open it"
    elif doc.page_count == 0:
        problem = "PDF has no pages (corrupt or truncated?)"
    elif doc.page_count > limits.max_pages:
        problem = f"too many pages: {doc.page_count} > max_pages={limits.max_pages}"
    if problem:
        doc.close()
        raise BadInput(problem)
    return doc


def check_page(page: pymupdf.Page, limits: Limits) -> None:
    """Raises BadInput for a content stream that inflates past the cap (checked before any text is read)."""
    doc = page.parent
    for xref in page.get_contents():
        if doc.xref_get_key(xref, "Filter")[1] != "/FlateDecode":
            continue
        raw_length = doc.xref_get_key(xref, "Length")[1]
        if not raw_length.isdigit() or int(raw_length) <= limits.stream_check_bytes:
            continue
        inflater = zlib.decompressobj()
        try:
            inflater.decompress(doc.xref_stream_raw(xref), limits.max_stream_bytes)
        except zlib.error:
            continue  # MuPDF deals with broken streams itself
        if inflater.unconsumed_tail:
            raise BadInput(
                f"decompression bomb: a content stream inflates past max_stream_bytes={limits.max_stream_bytes}"
            )


def check_images(page: pymupdf.Page, limits: Limits) -> None:
    """Raises BadInput for an image too large to decode (checked before the page is rendered; text
    extraction never decodes images)."""
    for image in page.get_images(full=True):
        width, height = image[2], image[3]
        if width * height > limits.max_pixels:
            raise BadInput(f"image too large: {width}x{height} px > max_pixels={limits.max_pixels}")
