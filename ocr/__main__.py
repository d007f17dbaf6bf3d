"""python -m ocr FILE.pdf [--engine rapidocr] [--pages 1-3] [--dpi 200]

Prints one JSON object per page: page, text, method, engine, engine_version, confidence, flags, error.
Exit status 1 when the file itself cannot be read (a single row with page 0 and the reason), else 0.
"""

from __future__ import annotations

import argparse
import json
import sys

from ocr.extract import ENGINES, extract_pdf
from ocr.rapid import DEFAULT_DPI


def parse_pages(spec: str) -> list[int]:
    """ "1-3,5" -> [1, 2, 3, 5] (1-based, in the order given)."""
    pages: list[int] = []
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        try:
            start, end = int(first), int(last or first)
        except ValueError:
            raise argparse.ArgumentTypeError(f"bad page range {part!r}; expected e.g. 1-3,5") from None
        if start < 1 or end < start:
            raise argparse.ArgumentTypeError(f"bad page range {part!r}; pages start at 1")
        pages.extend(range(start, end + 1))
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ocr", description="Extract the text of a PDF, page by page."
    )
    parser.add_argument("pdf", help="path to a PDF file")
    parser.add_argument(
        "--engine", default="rapidocr", choices=sorted(ENGINES), help="OCR engine for scanned pages"
    )
    parser.add_argument("--pages", type=parse_pages, help="1-based pages, e.g. 1-3,5 (default: all)")
    parser.add_argument("--dpi", type=int, default=DEFAULT_DPI, help="render resolution for OCR")
    args = parser.parse_args(argv)
    rows = extract_pdf(args.pdf, ocr_engine=args.engine, dpi=args.dpi, pages=args.pages)
    for row in rows:
        print(json.dumps(row.to_dict(), ensure_ascii=False), flush=True)
    return 1 if rows[0].page == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
