"""Files split as one collection, for a person to look at (``python -m pipelines split``): the same
extraction and rules as ``pdf_pages`` and ``problem_pairs``, without the teacher fallback."""

from __future__ import annotations

from pathlib import Path

from distill.core.records import PageRow, ProblemRow
from distill.pages.ingest import extract_pages, page_record, sha256_file
from distill.problems.pairs import problems_from_pages
from ocr import Settings, page_count

FIELDS = (
    "number",
    "type",
    "problem",
    "options",
    "answer_raw",
    "answer",
    "solution",
    "page_start",
    "page_end",
    "source_file",
    "split_method",
)


def split_files(paths: list[Path], settings: Settings) -> list[ProblemRow]:
    """The problem rows of the files (error rows too: a file that cannot be read says why)."""
    pages: list[PageRow] = []
    for path in paths:
        base = {"collection": "inspect", "source_file": path.name, "source_sha256": sha256_file(path)}
        count = page_count(path, settings.limits)
        if not isinstance(count, int):
            pages.append(PageRow(**base, **page_record(count)))
            continue
        pages += [
            PageRow(**base, **record)
            for record in extract_pages(str(path), list(range(1, count + 1)), settings)
        ]
    return problems_from_pages(pages).rows


def as_json(row: ProblemRow) -> dict:
    """What the command prints of a row: FIELDS, then `flags` (the split's notes and the pages' fidelity
    flags) and, for an error row, `error`."""
    out = {name: getattr(row, name) for name in FIELDS}
    out["flags"] = [*row.split_notes, *row.page_flags]
    if row.error:
        out["error"] = row.error
    return out
