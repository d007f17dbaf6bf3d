"""PDF files of one collection -> page rows, cached by content hash (pure logic).

A file whose sha256 and extraction settings were seen before is read back from the cache, so
re-materializing a collection only extracts new or changed PDFs. Files are extracted in parallel
processes; a file that fails yields an error row and the others go on.
"""

from __future__ import annotations

import concurrent.futures as futures
import dataclasses
import hashlib
import json
import multiprocessing
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from distill.records import PageRow
from ocr.extract import extract_pdf
from ocr.types import PageText

PDF_SUFFIXES = {".pdf"}


@dataclass(frozen=True)
class ExtractionSettings:
    engine: str = "rapidocr"
    dpi: int = 200
    min_text_chars: int = 20

    def tag(self) -> str:
        return f"{self.engine}-dpi{self.dpi}-min{self.min_text_chars}"


@dataclass
class IngestStats:
    files: int = 0
    cached_files: int = 0
    pages: int = 0
    methods: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)

    def as_metadata(self) -> dict:
        return {
            "files": self.files,
            "cached_files": self.cached_files,
            "pages": self.pages,
            **{f"pages_{method}": n for method, n in sorted(self.methods.items())},
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


def _extract(path: str, settings: ExtractionSettings) -> list[dict]:
    pages = extract_pdf(
        path, ocr_engine=settings.engine, dpi=settings.dpi, min_text_chars=settings.min_text_chars
    )
    return [{k: v for k, v in dataclasses.asdict(p).items() if k in _PAGE_FIELDS} for p in pages]


_PAGE_FIELDS = {f.name for f in dataclasses.fields(PageText)} - {"lines"}


def extract_collection(
    collection: str, folder: Path, cache_dir: Path, settings: ExtractionSettings, workers: int = 2
) -> tuple[list[PageRow], IngestStats]:
    stats = IngestStats()
    files = list_pdfs(folder)
    stats.files = len(files)
    hashes = {path: sha256_file(path) for path in files}
    pages_of: dict[Path, list[dict]] = {}
    todo: list[Path] = []
    for path in files:
        cached = cache_dir / f"{hashes[path]}-{settings.tag()}.json"
        if cached.is_file():
            pages_of[path] = json.loads(cached.read_text(encoding="utf-8"))
            stats.cached_files += 1
        else:
            todo.append(path)
    if todo:
        context = multiprocessing.get_context("spawn")  # the caller may hold threads; never fork them
        with futures.ProcessPoolExecutor(
            max_workers=max(1, min(workers, len(todo))), mp_context=context
        ) as pool:
            jobs = {pool.submit(_extract, str(path), settings): path for path in todo}
            for job in futures.as_completed(jobs):
                path = jobs[job]
                try:
                    pages_of[path] = job.result()
                except Exception as exc:  # a crashed worker must not stop the collection
                    pages_of[path] = [
                        {"page": 0, "text": "", "method": "error", "engine": settings.engine,
                         "engine_version": "", "confidence": 0.0, "flags": [],
                         "error": f"extraction crashed: {type(exc).__name__}: {exc}"}
                    ]  # fmt: skip
                    continue
                cache = cache_dir / f"{hashes[path]}-{settings.tag()}.json"
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache.with_suffix(".tmp")
                tmp.write_text(json.dumps(pages_of[path], ensure_ascii=False), encoding="utf-8")
                tmp.replace(cache)

    rows: list[PageRow] = []
    for path in files:
        for page in pages_of[path]:
            row = PageRow(
                collection=collection,
                source_file=path.relative_to(folder).as_posix(),
                source_sha256=hashes[path],
                **page,
            )
            rows.append(row)
            stats.pages += row.page > 0
            stats.methods[row.method] += 1
            if row.error:
                stats.errors[row.error.split(":")[0]] += 1
    return rows, stats
