"""A built corpus read back through the pipeline's own extraction and split, against its exact truth.

Per form (and resolution, for scans): problems found against expected, the normalized similarity of
each problem matched by number (``split_eval.similarity``, blind to scripts), the math structure
(``math_structure``: scripts, fractions, roots, overlines, recall and precision) and the script-aware
CER, pages flagged ``math_lost``, and problems whose math is mostly missing from the extracted text
(under half of the formula characters found) on pages that carry no ``math_lost`` flag: an unread
formula that passes as clean.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.exact_truth.items import MATH
from benchmarks.math_structure import Fidelity, script_text
from benchmarks.split_eval import problem_text, similarity
from distill.problems.splitting import split_document
from ocr import Settings, extract_pdf

ALNUM = re.compile(r"[0-9A-Za-z]")
MOSTLY_MISSING = 0.5


@dataclass
class FormScore:
    form: str
    papers: int = 0
    pages: int = 0
    expected: int = 0
    found: int = 0
    matched: int = 0
    similarities: list[float] = field(default_factory=list)
    fidelity: Fidelity = field(default_factory=Fidelity)
    math_lost_pages: int = 0
    unflagged_losses: list[str] = field(default_factory=list)  # "paper #n"
    seconds: float = 0.0

    def line(self) -> str:
        median = statistics.median(self.similarities) if self.similarities else 0.0
        return (
            f"{self.form:8s} papers {self.papers}  pages {self.pages}  problems {self.found}/{self.expected}"
            f" (matched {self.matched})  similarity median {median:.3f}  pages math_lost {self.math_lost_pages}"
            f"  unflagged math losses {len(self.unflagged_losses)}  {self.seconds / max(self.pages, 1):.1f} s/page"
        )


def math_recall(truth: str, extracted: str) -> float:
    """The share of the truth's formula characters (letters and digits inside $...$) that the extracted
    text holds beyond those of the truth's prose; 1.0 for a truth without formulas."""
    math = Counter(ALNUM.findall(script_text(" ".join(MATH.findall(truth)))))
    if not math:
        return 1.0
    prose = Counter(ALNUM.findall(MATH.sub(" ", truth)))
    available = Counter(ALNUM.findall(script_text(extracted))) - prose
    return sum((math & available).values()) / sum(math.values())


def score_form(corpus: Path, form: str, settings: Settings | None = None) -> FormScore:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    score = FormScore(form)
    for paper in manifest["papers"]:
        pdf = corpus / form / f"{paper['name']}.pdf"
        if not pdf.is_file():
            continue
        started = time.perf_counter()
        rows = extract_pdf(pdf, settings)
        score.seconds += time.perf_counter() - started
        score.papers += 1
        score.pages += len(rows)
        score.math_lost_pages += sum("math_lost" in row.flags for row in rows)
        flags = {row.page: row.flags for row in rows}
        problems = split_document([(row.page, row.text) for row in rows if not row.error])
        by_number = {int(p.number): p for p in problems if p.number.isdigit()}
        score.expected += len(paper["items"])
        score.found += len(problems)
        for item in paper["items"]:
            found = by_number.get(item["number"])
            if found is None:
                continue
            score.matched += 1
            text = problem_text(found.problem, found.options)
            score.similarities.append(similarity(text, item["truth"]))
            score.fidelity.add(item["truth"], text)
            flagged = any(
                "math_lost" in flags.get(page, []) for page in range(found.page_start, found.page_end + 1)
            )
            if math_recall(item["truth"], text) < MOSTLY_MISSING and not flagged:
                score.unflagged_losses.append(f"{paper['name']} #{item['number']}")
    return score
