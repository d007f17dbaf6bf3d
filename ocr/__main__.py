"""python -m ocr FILE.pdf [--engine rapidocr] [--pages 1-3] [--dpi N] [--lines]

Prints one JSON object per page: page, text, method, engine, engine_version, confidence, flags, error, notes
(and the OCR lines with boxes and scores with --lines). Exit status 1 when the file itself cannot be read
(a single row with page 0 and the reason), 2 when the engine cannot run here, else 0.
"""

from __future__ import annotations

import argparse
import json
import sys

from ocr.engines import EngineConfig, EngineUnavailable, check_engine, engine_names
from ocr.extract import Settings, extract_pdf


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


def _value(text: str) -> object:
    """An option value: JSON when it parses (false, 2, 0.5), else the text itself (a path)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ocr", description="Extract the text of a PDF, page by page."
    )
    parser.add_argument("pdf", help="path to a PDF file")
    parser.add_argument("--engine", default="rapidocr", choices=engine_names(), help="OCR engine")
    parser.add_argument("--pages", type=parse_pages, help="1-based pages, e.g. 1-3,5 (default: all)")
    parser.add_argument(
        "--dpi", type=int, default=0, help="render resolution for OCR (default: the engine's)"
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="engine option, e.g. model_root=DIR, dilation=false (a JSON value, else text)",
    )
    parser.add_argument("--lines", action="store_true", help="also print the OCR lines (boxes, scores)")
    args = parser.parse_args(argv)
    options = {key: _value(text) for key, text in (option.split("=", 1) for option in args.option)}
    engine = EngineConfig(args.engine, args.dpi, options)
    try:
        check_engine(engine)
        rows = extract_pdf(args.pdf, Settings(engine=engine), pages=args.pages)
    except EngineUnavailable as exc:
        print(f"python -m ocr: {exc}", file=sys.stderr)
        return 2
    for row in rows:
        print(json.dumps(row.to_dict(with_lines=args.lines), ensure_ascii=False), flush=True)
    return 1 if rows[0].page == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
