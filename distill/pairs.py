"""Page rows of a collection -> problem rows (pure logic)."""

from __future__ import annotations

from collections import Counter, defaultdict

from distill.answers import normalize_answer
from distill.records import PageRow, ProblemRow, stable_id
from distill.splitting import split_document


def problems_from_pages(pages: list[PageRow]) -> tuple[list[ProblemRow], Counter]:
    """Split every source file of a collection; files that yield nothing get one error row."""
    by_file: dict[str, list[PageRow]] = defaultdict(list)
    for page in pages:
        by_file[page.source_file].append(page)
    rows: list[ProblemRow] = []
    reasons: Counter = Counter()
    for source_file, file_pages in sorted(by_file.items()):
        first = file_pages[0]
        usable = sorted((p for p in file_pages if not p.error and p.text.strip()), key=lambda p: p.page)
        engines = ",".join(sorted({p.engine for p in usable}))
        base = dict(collection=first.collection, source_file=source_file, source_sha256=first.source_sha256)
        if not usable:
            error = next((p.error for p in file_pages if p.error), None) or "no text on any page"
            reason = f"no usable page: {error}"
        else:
            split = split_document([(p.page, p.text) for p in usable])
            for index, item in enumerate(split):
                rows.append(
                    ProblemRow(
                        id=stable_id(first.collection, first.source_sha256, item.number, index),
                        **base,
                        page_start=item.page_start,
                        page_end=item.page_end,
                        ocr_engine=engines,
                        number=item.number,
                        section=item.section,
                        type=item.type,
                        language=item.language,
                        problem=item.problem,
                        options=list(item.options),
                        solution=item.solution,
                        answer_raw=item.answer_raw,
                        answer=normalize_answer(item.answer_raw, item.type) if item.answer_raw else "",
                        answer_rule=item.answer_rule,
                        split_method="rules",
                        raw_text=item.raw_text,
                    )
                )
            if split:
                continue
            reason = "no problem found by the splitting rules"
        reasons[reason.split(":")[0]] += 1
        page_numbers = [p.page for p in file_pages]
        rows.append(
            ProblemRow(
                id=stable_id(first.collection, first.source_sha256, "error"),
                **base,
                page_start=min(page_numbers),
                page_end=max(page_numbers),
                ocr_engine=engines,
                error=reason,
            )
        )
    return rows, reasons
