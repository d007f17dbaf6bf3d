"""Papers in many layouts read back through the pipeline's extraction, key pairing and split.

Each layout's paper (and its key file, named as a key), as set or scanned, goes through ``distill.problems.inspect.split_files``,
as ``python -m pipelines split`` reads a folder: problems found against expected, the share of expected
problems whose extracted answer verifies against the item's (``verify_many``: choice letters as sets,
the rest with math-verify), the median similarity of the problems matched by number (blind to scripts),
and the error rows (key entries without a problem, unreadable files). Figures are kept per layout and
summed per style of each dimension.
"""

from __future__ import annotations

import statistics
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.exact_truth.items import Item
from benchmarks.exact_truth.layouts import Layout, layout_paper
from benchmarks.exact_truth.scan import scanned
from benchmarks.exact_truth.typeset import ordered
from benchmarks.split_eval import problem_text, similarity
from distill.answers.bounded import verify_many
from distill.problems.inspect import split_files
from ocr import Settings

TARGETS = {"answers": 0.98, "similarity": 0.97}


@dataclass
class LayoutScore:
    expected: int = 0
    found: int = 0
    right_count: int = 0  # layouts split into the right number of problems
    layouts: int = 0
    answers: int = 0  # expected problems whose answer verifies
    errors: int = 0
    similarities: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)  # "#n: why" of the first layouts

    def add(self, other: LayoutScore) -> None:
        self.expected += other.expected
        self.found += other.found
        self.right_count += other.right_count
        self.layouts += other.layouts
        self.answers += other.answers
        self.errors += other.errors
        self.similarities += other.similarities

    def line(self) -> str:
        median = statistics.median(self.similarities) if self.similarities else 0.0
        return (
            f"layouts {self.right_count}/{self.layouts} right count  problems {self.found}/{self.expected}"
            f"  answers matched {self.answers / max(self.expected, 1):.3f}"
            f"  similarity median {median:.3f}  error rows {self.errors}"
        )


def score_layout(
    items: list[Item], layout: Layout, settings: Settings | None = None, scan_dpi: int = 0
) -> LayoutScore:
    """One layout's paper (and key file) read back; scanned at `scan_dpi` first when it is given."""
    paper, key = layout_paper(items, layout)
    if scan_dpi:
        paper = scanned(paper, scan_dpi, layout.name)
        key = scanned(key, scan_dpi, layout.name + "key") if key is not None else None
    with tempfile.TemporaryDirectory(prefix="layout-") as tmp:
        paths = [Path(tmp) / "paper.pdf"]
        paths[0].write_bytes(paper)
        if key is not None:
            paths.append(Path(tmp) / f"{layout.key_name.format(name='paper')}.pdf")
            paths[1].write_bytes(key)
        rows = split_files(paths, settings or Settings())
    problems = [row for row in rows if not row.error]
    by_number = {int(row.number): row for row in problems if row.number.isdigit()}
    score = LayoutScore(expected=len(items), found=len(problems), layouts=1)
    score.right_count = int(len(problems) == len(items) and set(by_number) == set(range(1, len(items) + 1)))
    score.errors = len(rows) - len(problems)
    pairs = []
    for number, item in enumerate(items, start=1):
        row = by_number.get(number)
        if row is None:
            score.misses.append(f"#{number}: not found")
            continue
        score.similarities.append(similarity(problem_text(row.problem, row.options), item.truth()))
        pairs.append((number, item.answer, row.answer or row.answer_raw))
    verdicts = verify_many([(gold, pred) for _, gold, pred in pairs], timeout_s=5.0, workers=1)
    for (number, gold, pred), verdict in zip(pairs, verdicts, strict=True):
        if verdict:
            score.answers += 1
        else:
            score.misses.append(f"#{number}: answer {pred!r} for {gold.strip()!r}")
    score.misses += [f"error row: {row.error[:120]}" for row in rows if row.error]
    return score


@dataclass
class LayoutScores:
    per_layout: dict[str, LayoutScore]  # by layout name
    per_style: dict[tuple[str, str], LayoutScore]  # by (dimension, style)
    total: LayoutScore


def score_layouts(
    items: list[Item], layouts: list[Layout], settings: Settings | None = None, scan_dpi: int = 0
) -> LayoutScores:
    """Each layout's paper of the items of its language, scored (as scans at `scan_dpi` when given)."""
    scores = LayoutScores({}, defaultdict(LayoutScore), LayoutScore())
    for layout in layouts:
        chosen = ordered([item for item in items if item.language == layout.language])
        score = score_layout(chosen, layout, settings, scan_dpi)
        scores.per_layout[layout.name] = score
        scores.total.add(score)
        for dimension, style in layout.dimensions().items():
            scores.per_style[(dimension, style)].add(score)
    scores.per_style = dict(scores.per_style)
    return scores
