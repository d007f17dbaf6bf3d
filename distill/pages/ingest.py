"""PDF files of one collection -> page rows, pages extracted in parallel and cached (pure logic).

Pages are the unit of work: the pages of every file are cut into small chunks and spread over a pool
of processes, so one long scanned PDF keeps every core busy. Each page's result is cached under
(extraction settings key: extractor, engine and its configuration; PDF sha256; page number), so
re-materializing a collection reads back what it has seen and extracts only new or changed pages.
A file that cannot be read yields one error row (page 0) and the others go on; a worker that crashes
(e.g. on a hostile PDF) costs only the pages it was reading, which are retried one by one.
"""

from __future__ import annotations

import concurrent.futures as futures
import dataclasses
import hashlib
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from distill.core.kinds import ErrorKind
from distill.core.records import PageRow
from ocr import PageText, Settings, check_engine, extract_pdf, page_count

PDF_SUFFIXES = {".pdf"}
CHUNK_PAGES = 4  # pages per task: small enough to balance, large enough to amortize opening the file


@dataclass
class IngestStats:
    files: int = 0
    cached_files: int = 0
    pages: int = 0
    cached_pages: int = 0
    methods: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)

    def as_metadata(self) -> dict:
        return {
            "files": self.files,
            "cached_files": self.cached_files,
            "pages": self.pages,
            "cached_pages": self.cached_pages,
            **{f"pages_{method}": n for method, n in sorted(self.methods.items())},
            **{f"flag_{flag}": n for flag, n in sorted(self.flags.items())},
            "errors": sum(self.errors.values()),
        }


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def list_pdfs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in PDF_SUFFIXES)


def page_record(page: PageText) -> dict:
    """What is cached and stored of a page: the PageText, its OCR lines as JSON."""
    return {
        **page.to_dict(),
        "low_confidence_lines": page.low_confidence_lines(),
        "ocr_lines": json.dumps([dataclasses.asdict(line) for line in page.lines], ensure_ascii=False)
        if page.lines
        else "",
    }


def extract_collection(
    collection: str, folder: Path, cache_dir: Path, settings: Settings, workers: int = 2
) -> tuple[list[PageRow], IngestStats]:
    """Page rows of every PDF under `folder`, in file and page order. Raises EngineUnavailable up front
    when the configured engine cannot run here."""
    check_engine(settings.engine)
    stats = IngestStats()
    files = list_pdfs(folder)
    stats.files = len(files)
    hashes = {path: sha256_file(path) for path in files}
    cache = _PageCache(cache_dir / settings.key())
    records: dict[tuple[Path, int], dict] = {}
    todo: list[tuple[Path, list[int]]] = []
    for path in files:
        count = page_count(path, settings.limits)
        if isinstance(count, PageText):
            records[path, 0] = page_record(count)
            continue
        missing = []
        for number in range(1, count + 1):
            cached = cache.get(hashes[path], number)
            if cached is None:
                missing.append(number)
            else:
                records[path, number] = cached
        stats.cached_files += not missing
        stats.cached_pages += count - len(missing)
        todo += [(path, missing[i : i + CHUNK_PAGES]) for i in range(0, len(missing), CHUNK_PAGES)]
    for path, number, record in run_tasks(todo, settings, workers):
        records[path, number] = record
        if not _transient(record):
            cache.put(hashes[path], number, record)

    order = {path: i for i, path in enumerate(files)}
    rows: list[PageRow] = []
    for (path, _), record in sorted(records.items(), key=lambda item: (order[item[0][0]], item[0][1])):
        row = PageRow(
            collection=collection,
            source_file=path.relative_to(folder).as_posix(),
            source_sha256=hashes[path],
            **record,
        )
        if row.error:  # page 0 is the file's own error row
            row.error_kind = ErrorKind.BAD_FILE if row.page == 0 else ErrorKind.PAGE_FAILED
        rows.append(row)
        stats.pages += row.page > 0
        stats.methods[row.method] += 1
        stats.flags.update(row.flags)
        if row.error:
            stats.errors[row.error_kind] += 1
    return rows, stats


def _transient(record: dict) -> bool:
    """Errors worth retrying on the next run (an engine failure, a crashed worker) are not cached."""
    error = record["error"] or ""
    return "OCR failed" in error or error.startswith("extraction crashed")


class _PageCache:
    """One JSON file per page: <settings key>/<sha256[:2]>/<sha256>/<page>.json, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str, page: int) -> Path:
        return self.root / sha256[:2] / sha256 / f"{page}.json"

    def get(self, sha256: str, page: int) -> dict | None:
        path = self._path(sha256, page)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, sha256: str, page: int, record: dict) -> None:
        path = self._path(sha256, page)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)


def extract_pages(path: str, pages: list[int], settings: Settings) -> list[dict]:
    """Records of some pages of one PDF: the task a worker process runs."""
    return [page_record(page) for page in extract_pdf(path, settings, pages=pages)]


def run_tasks(
    todo: list[tuple[Path, list[int]]],
    settings: Settings,
    workers: int,
    extract: Callable[[str, list[int], Settings], list[dict]] = extract_pages,
) -> Iterator[tuple[Path, int, dict]]:
    """(path, page, record) of every page of the tasks, from a pool of spawned processes. Tasks whose
    worker died are retried a page at a time in a fresh pool; a page that kills it again is an error row."""
    if not todo:
        return
    workers = max(1, min(workers, len(todo)))
    threads = max(1, (os.cpu_count() or 1) // workers)
    settings = replace(settings, engine=replace(settings.engine, threads=threads))
    context = multiprocessing.get_context("spawn")  # the caller may hold threads; never fork them
    failed: list[tuple[Path, list[int]]] = []
    with futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        jobs = {pool.submit(extract, str(path), pages, settings): (path, pages) for path, pages in todo}
        for job in futures.as_completed(jobs):
            path, pages = jobs[job]
            try:
                records = job.result()
            except Exception:  # the worker died (or the pool broke under it): retried below
                failed.append((path, pages))
                continue
            for number, record in zip(pages, records, strict=True):
                yield path, number, record
    for path, pages in failed:
        for number in pages:
            with futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                try:
                    [record] = pool.submit(extract, str(path), [number], settings).result()
                except Exception as exc:
                    crashed = f"extraction crashed: {type(exc).__name__}: {exc}"
                    record = page_record(
                        PageText(number, "", "error", settings.engine.name, "", 0.0, error=crashed)
                    )
            yield path, number, record
