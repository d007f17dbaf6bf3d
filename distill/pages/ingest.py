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
from distill.core.storage import TableStore
from distill.pages.leases import PageLeases
from ocr import PageText, Settings, check_engine, extract_pdf, page_count

PDF_SUFFIXES = {".pdf"}
CHUNK_PAGES = 4  # pages per task: small enough to balance, large enough to amortize opening the file


@dataclass
class IngestStats:
    files: int = 0
    cached_files: int = 0
    pages: int = 0
    cached_pages: int = 0
    from_other_workers: int = 0  # pages another worker extracted meanwhile (PageLeases)
    methods: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)

    def as_metadata(self) -> dict:
        return {
            "files": self.files,
            "cached_files": self.cached_files,
            "pages": self.pages,
            "cached_pages": self.cached_pages,
            "pages_from_other_workers": self.from_other_workers,
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
    collection: str,
    folder: Path,
    cache_root: str | Path,
    settings: Settings,
    workers: int = 2,
    leases: PageLeases | None = None,
) -> tuple[list[PageRow], IngestStats]:
    """Page rows of every PDF under `folder`, in file and page order; `cache_root` is where pages are
    cached (a local path or an fsspec URL). With `leases`, the pages are shared with the other workers
    extracting the same collection into the same cache at once (``PageLeases``). Raises
    EngineUnavailable up front when the configured engine cannot run here."""
    check_engine(settings.engine)
    stats = IngestStats()
    files = list_pdfs(folder)
    stats.files = len(files)
    hashes = {path: sha256_file(path) for path in files}
    cache = _PageCache(TableStore(str(cache_root)).under(settings.key()))
    records: dict[tuple[Path, int], dict] = {}
    todo: list[tuple[Path, int]] = []  # pages missing from the cache
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
        todo += [(path, number) for number in missing]

    with PagePool(settings, min(workers, len(_chunks(todo)))) as pool:

        def extract(pages: list[tuple[Path, int]]) -> Iterator[tuple[Path, int]]:
            for path, number, record in pool.run(_chunks(pages)):
                records[path, number] = record
                if not _transient(record):
                    cache.put(hashes[path], number, record)
                yield path, number

        if leases is None:
            for _ in extract(todo):
                pass
        else:
            keys = {page_key(settings, hashes[p], n): (p, n) for p, n in todo}
            found = lambda p: cache.get(hashes[p[0]], p[1])  # noqa: E731
            for (path, number), record in leases.share(keys, extract, found, pool.workers * CHUNK_PAGES):
                records[path, number] = record
                stats.from_other_workers += 1

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


def page_key(settings: Settings, sha256: str, page: int) -> str:
    """A page's lease key: the page of a file as the extraction settings read it."""
    return f"page:{settings.key()}:{sha256}:{page}"


def _chunks(pages: list[tuple[Path, int]]) -> list[tuple[Path, list[int]]]:
    """Tasks of at most CHUNK_PAGES pages of one file each."""
    by_file: dict[Path, list[int]] = {}
    for path, number in pages:
        by_file.setdefault(path, []).append(number)
    return [
        (path, numbers[i : i + CHUNK_PAGES])
        for path, numbers in by_file.items()
        for i in range(0, len(numbers), CHUNK_PAGES)
    ]


def _transient(record: dict) -> bool:
    """Errors worth retrying on the next run (an engine failure, a crashed worker) are not cached."""
    error = record["error"] or ""
    return "OCR failed" in error or error.startswith("extraction crashed")


class _PageCache:
    """One JSON file per page: <settings key>/<sha256[:2]>/<sha256>/<page>.json, each written whole."""

    def __init__(self, store: TableStore) -> None:
        self.store = store

    def _url(self, sha256: str, page: int) -> str:
        return self.store.url(sha256[:2], sha256, f"{page}.json")

    def get(self, sha256: str, page: int) -> dict | None:
        data = self.store.read_bytes(self._url(sha256, page))
        try:
            return None if data is None else json.loads(data)
        except ValueError:
            return None

    def put(self, sha256: str, page: int, record: dict) -> None:
        self.store.write_bytes(
            self._url(sha256, page), json.dumps(record, ensure_ascii=False).encode("utf-8")
        )


def extract_pages(path: str, pages: list[int], settings: Settings) -> list[dict]:
    """Records of some pages of one PDF: the task a worker process runs."""
    return [page_record(page) for page in extract_pdf(path, settings, pages=pages)]


class PagePool:
    """Spawned processes that extract pages, kept for the tasks of several calls of ``run`` (the batches a
    worker claims: each would otherwise pay for starting the processes). Tasks whose worker died are
    retried a page at a time in a fresh pool; a page that kills it again is an error row."""

    def __init__(
        self,
        settings: Settings,
        workers: int,
        extract: Callable[[str, list[int], Settings], list[dict]] = extract_pages,
    ) -> None:
        self.workers = max(1, workers)
        threads = settings.engine.threads or max(1, (os.cpu_count() or 1) // self.workers)  # 0: a share
        self.settings = replace(settings, engine=replace(settings.engine, threads=threads))
        self.extract = extract
        self.context = multiprocessing.get_context("spawn")  # the caller may hold threads; never fork them
        self.pool: futures.ProcessPoolExecutor | None = None

    def __enter__(self) -> PagePool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def run(self, todo: list[tuple[Path, list[int]]]) -> Iterator[tuple[Path, int, dict]]:
        if self.pool is None:
            self.pool = futures.ProcessPoolExecutor(max_workers=self.workers, mp_context=self.context)
        failed: list[tuple[Path, list[int]]] = []
        jobs = {
            self.pool.submit(self.extract, str(path), pages, self.settings): (path, pages)
            for path, pages in todo
        }
        for job in futures.as_completed(jobs):
            path, pages = jobs[job]
            try:
                records = job.result()
            except Exception:  # the worker died (or the pool broke under it): retried below
                failed.append((path, pages))
                continue
            for number, record in zip(pages, records, strict=True):
                yield path, number, record
        if failed:  # a broken pool takes no more tasks: the next call starts another
            self.pool.shutdown()
            self.pool = None
        for path, pages in failed:
            for number in pages:
                yield path, number, self._alone(path, number)

    def _alone(self, path: Path, number: int) -> dict:
        with futures.ProcessPoolExecutor(max_workers=1, mp_context=self.context) as pool:
            try:
                [record] = pool.submit(self.extract, str(path), [number], self.settings).result()
            except Exception as exc:
                crashed = f"extraction crashed: {type(exc).__name__}: {exc}"
                record = page_record(
                    PageText(number, "", "error", self.settings.engine.name, "", 0.0, error=crashed)
                )
        return record
