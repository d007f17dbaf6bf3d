"""A problem's page as a picture, and where on it the problem is.

Pages are rendered on demand and kept under ``<data root>/review/pages/`` by the PDF's sha256, page and
resolution. The problem's region is the page's lines whose text the problem's raw text holds: the OCR
lines of a scanned page (kept by ``pdf_pages`` with their boxes), the text layer's lines otherwise; boxes
come back as fractions of the page, for the browser to draw over the picture at any size.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pymupdf

from distill.core.records import PageRow

DPI = 110
MIN_LINE_CHARS = 3  # shorter lines ("A", "1.") match anything: they join a region only after others
START_SLACK = 12  # characters of the problem's text that may come before its first line found (a number)
_MEANINGFUL = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")


def _squash(text: str) -> str:
    return "".join(_MEANINGFUL.findall(text)).lower()


def render(pdf: Path, page: int, sha256: str, cache: Path, dpi: int = DPI) -> Path:
    """The PNG of a 1-based page, rendered once."""
    path = cache / f"{sha256[:32]}-{page}-{dpi}.png"
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        with pymupdf.open(pdf) as doc:
            pixmap = doc[page - 1].get_pixmap(dpi=dpi)
        tmp = path.with_suffix(".tmp")
        pixmap.save(tmp, output="png")
        tmp.replace(path)
    return path


def page_lines(
    pdf: Path, page: int, row: PageRow | None
) -> tuple[list[tuple[str, tuple]], tuple[float, float]]:
    """(text, box in points) of each line of a page, and the page's size in points."""
    with pymupdf.open(pdf) as doc:
        fitz_page = doc[page - 1]
        size = (fitz_page.rect.width, fitz_page.rect.height)
        if row is not None and row.method == "ocr" and row.ocr_lines:  # a scan: the OCR's lines
            return [(line["text"], tuple(line["box"])) for line in json.loads(row.ocr_lines)], size
        lines = []
        for block in fitz_page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                text = "".join(span["text"] for span in line["spans"])
                lines.append((text, tuple(line["bbox"])))
        return lines, size


def region(
    lines: list[tuple[str, tuple]], size: tuple[float, float], text: str, first_page: bool = True
) -> list[tuple[float, ...]]:
    """The boxes (x0, y0, x1, y1 as fractions of the page) of the lines that hold the problem's text, in
    order: each line is looked for after the last one found, so a later problem's "【答案】B" is not
    taken for this one's. On the problem's first page its first line must be found near the start of the
    text; a short line ("A. 2") joins only right after a line that was found."""
    whole = _squash(text)
    width, height = size
    found, cursor, previous = [], 0, False
    for line, box in lines:
        squashed = _squash(line)
        at = whole.find(squashed, cursor) if squashed else -1
        fits = at >= 0 and (len(squashed) >= MIN_LINE_CHARS or previous)
        if fits and not found and first_page and at > START_SLACK:
            fits = False  # a line of an earlier problem that happens to recur in this one
        previous = fits
        if not fits:
            continue
        cursor = at + len(squashed)
        x0, y0, x1, y1 = box
        found.append((x0 / width, y0 / height, x1 / width, y1 / height))
    return found
