"""What the review page shows: a collection's problems with their translation, teacher samples, dataset
decision and review state, read from the tables under the data root (no Dagster).

Tables are read once and kept while their files do not change (keyed by each file's modification time),
so paging through a collection of 10,000 problems reads nothing again. A problem's ``flags`` are what a
reviewer filters by: its pages' fidelity flags (``math_lost``, ``low_confidence``, ...), ``translation``
(the translation changed numbers or formulas), the split's notes by name (``doubt``, ``numbers_skipped``,
``no_key_entry``, ...), ``teacher_split`` (the teacher re-split its page) and ``no_answer``.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from distill.core.kinds import SplitMethod
from distill.core.records import PageRow, ProblemRow, TranslatedRow, VerifiedRow
from distill.core.storage import TableStore
from distill.review.decisions import ProblemReview, ReviewLog, ReviewStatus

PAGE_SIZE = 50


@dataclass
class Problem:
    row: ProblemRow
    translation: TranslatedRow | None = None
    samples: list[VerifiedRow] = field(default_factory=list)
    decision: str = ""  # "kept" | "dropped: <reason>" | "" (not in the dataset)
    review: ProblemReview | None = None

    @property
    def flags(self) -> list[str]:
        row, found = self.row, list(self.row.page_flags)
        if self.translation is not None and self.translation.translation_flags:
            found.append("translation")
        found += [note.split(":")[0] for note in row.split_notes]
        if row.split_method == SplitMethod.TEACHER:
            found.append("teacher_split")
        if not row.answer:
            found.append("no_answer")
        return sorted(set(found))

    @property
    def verdict(self) -> str:
        """ "correct" when a sample verified, else the first sample's verdict ("" when none)."""
        verdicts = [str(s.verdict) for s in self.samples if s.verdict]
        return "correct" if "correct" in verdicts else (verdicts[0] if verdicts else "")

    @property
    def status(self) -> str:
        return str(self.review.status) if self.review else ""


@dataclass
class Collection:
    name: str
    problems: list[Problem]
    errors: list[ProblemRow]  # file-level error rows (no problem)
    pages: dict[tuple[str, int], PageRow]  # (source file, page) -> page row

    def by_id(self, problem_id: str) -> Problem | None:
        return next((p for p in self.problems if p.row.id == problem_id), None)

    def counts(self) -> dict[str, int]:
        statuses = Counter(p.status for p in self.problems)
        return {
            "problems": len(self.problems),
            "flagged": sum(bool(p.flags) for p in self.problems),
            "reviewed": sum(statuses[s] for s in ReviewStatus),
            "corrected": statuses[ReviewStatus.CORRECTED],
            "rejected": statuses[ReviewStatus.REJECTED],
            "verified": sum(p.verdict == "correct" for p in self.problems),
            "kept": sum(p.decision == "kept" for p in self.problems),
        }

    def facets(self) -> dict[str, list[str]]:
        """The values each filter can take in this collection."""
        return {
            "flag": sorted({f for p in self.problems for f in p.flags}),
            "type": sorted({str(p.row.type) for p in self.problems}),
            "verdict": sorted({p.verdict or "none" for p in self.problems}),
            "decision": sorted({_decision_kind(p.decision) for p in self.problems}),
            "review": sorted({p.status or "none" for p in self.problems}),
        }

    def select(
        self, filters: dict[str, str], page: int = 1, size: int = PAGE_SIZE
    ) -> tuple[list[Problem], int]:
        """The problems that pass every filter (flag, type, verdict, decision, review; "" = any), one page
        of them, and how many passed."""
        wanted = [
            p
            for p in self.problems
            if (not filters.get("flag") or filters["flag"] in p.flags)
            and (not filters.get("type") or str(p.row.type) == filters["type"])
            and (not filters.get("verdict") or (p.verdict or "none") == filters["verdict"])
            and (not filters.get("decision") or _decision_kind(p.decision) == filters["decision"])
            and (not filters.get("review") or (p.status or "none") == filters["review"])
        ]
        start = (max(page, 1) - 1) * size
        return wanted[start : start + size], len(wanted)


def _read(fs: fsspec.AbstractFileSystem, path: str, columns: list[str]) -> pa.Table:
    with fs.open(path, "rb") as f:
        return pq.read_table(f, columns=columns)


def _decision_kind(decision: str) -> str:
    return decision.split(":")[0] if decision else "none"


class Catalog:
    """The collections of one data root, read lazily and cached while their tables are unchanged."""

    def __init__(self, store: TableStore, log: ReviewLog) -> None:
        self.store, self.log = store, log
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[tuple, Collection]] = {}

    def names(self) -> list[str]:
        return self.store.partitions("problem_pairs")

    def _stamp(self, name: str) -> tuple:
        """What changes when a table of the collection, the dataset or its decisions change: each file's
        size and time (an object's time or ETag on an object store)."""
        fs, root = fsspec.core.url_to_fs(self.store.root)
        fs.invalidate_cache()  # written meanwhile by the pipeline, perhaps on another machine
        tables = ("pdf_pages", "problem_pairs", "translated_pairs", "verified_cot")
        paths = [f"{root}/{table}/{name}.parquet" for table in tables]
        for pattern in ("sft/*.parquet", "reports/dropped*.parquet"):
            paths += sorted(fs.glob(f"{root}/distill_dataset/{pattern}"))
        stamps = []
        for path in paths:
            try:
                info = fs.info(path)
            except FileNotFoundError:
                continue
            stamps.append((path, info.get("size"), str(info.get("mtime") or info.get("ETag") or "")))
        return (*stamps, self.log.stamp(name))

    def collection(self, name: str) -> Collection:
        if name not in self.names():
            raise KeyError(name)
        stamp = self._stamp(name)
        with self._lock:
            cached = self._cache.get(name)
            if cached is None or cached[0] != stamp:
                cached = (stamp, self._load(name))
                self._cache[name] = cached
            return cached[1]

    def _rows(self, table: str, name: str, cls: type) -> list:
        url = self.store.table_url(table, name)
        return self.store.read_rows(table, name, cls) if self.store.exists(url) else []

    def _load(self, name: str) -> Collection:
        rows = self._rows("problem_pairs", name, ProblemRow)
        translations = {r.id: r for r in self._rows("translated_pairs", name, TranslatedRow)}
        samples: dict[str, list[VerifiedRow]] = {}
        for sample in self._rows("verified_cot", name, VerifiedRow):
            samples.setdefault(sample.id, []).append(sample)
        decisions = self._decisions(name)
        reviews = self.log.states(name)
        pages = {(p.source_file, p.page): p for p in self._rows("pdf_pages", name, PageRow)}
        problems = [
            Problem(
                row,
                translations.get(row.id),
                samples.get(row.id, []),
                decisions.get(row.id, ""),
                reviews.get(row.id),
            )
            for row in rows
            if not row.error or row.id in reviews  # a rejected problem stays visible, with its review
        ]
        errors = [row for row in rows if row.error and row.id not in reviews]
        return Collection(name, problems, errors, pages)

    def _decisions(self, name: str) -> dict[str, str]:
        """Problem id -> "kept" when a sample of it is in the SFT view, else "dropped: <reasons>"."""
        fs, root = fsspec.core.url_to_fs(self.store.root)
        kept: set[str] = set()
        for path in sorted(fs.glob(f"{root}/distill_dataset/sft/*.parquet")):
            table = _read(fs, path, ["problem_id", "collection"])
            kept.update(
                p
                for p, c in zip(
                    *(table.column(n).to_pylist() for n in ("problem_id", "collection")), strict=True
                )
                if c == name
            )
        dropped: dict[str, set[str]] = {}
        for path in sorted(fs.glob(f"{root}/distill_dataset/reports/dropped*.parquet")):
            table = _read(fs, path, ["problem_id", "collection", "reason"])
            for pid, collection, reason in zip(
                *(table.column(n).to_pylist() for n in ("problem_id", "collection", "reason")), strict=True
            ):
                if collection == name:
                    dropped.setdefault(pid, set()).add(reason)
        out = {pid: f"dropped: {'; '.join(sorted(reasons))}" for pid, reasons in dropped.items()}
        out.update(dict.fromkeys(kept, "kept"))
        return out
