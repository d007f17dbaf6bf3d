"""Workers extracting one collection at once share its pages through the ledger's leases: each page is
extracted once, and the pages of a worker that died are extracted by the others once its lease expires."""

from __future__ import annotations

import json
import multiprocessing
import time

import pymupdf

from distill.llm.ledger import open_ledger
from distill.pages.ingest import extract_collection, page_key, sha256_file
from distill.pages.leases import PageLeases
from ocr import Settings

PAGES = 8  # per file


def collection(folder) -> list:
    folder.mkdir(parents=True)
    files = []
    for name in ("a", "b", "c"):
        doc = pymupdf.open()
        for number in range(1, PAGES + 1):
            doc.new_page().insert_text(
                (72, 72), f"Page {number} of handout {name}, with enough text to read."
            )
        doc.save(folder / f"{name}.pdf")
        files.append(folder / f"{name}.pdf")
    return files


def extracted_here(stats) -> int:
    return stats.pages - stats.cached_pages - stats.from_other_workers


def worker(root: str, name: str, start) -> None:
    from pathlib import Path

    leases = PageLeases(open_ledger(Path(root, "ledger.sqlite")), poll_s=0.2)
    start.wait()
    rows, stats = extract_collection("demo", Path(root, "inbox"), Path(root, "cache"), Settings(), 1, leases)
    Path(root, f"{name}.json").write_text(
        json.dumps({"texts": [row.text for row in rows], "extracted": extracted_here(stats)})
    )


def test_two_workers_on_one_collection_extract_each_page_once(tmp_path):
    collection(tmp_path / "inbox")
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    workers = [context.Process(target=worker, args=(str(tmp_path), n, start)) for n in ("w1", "w2")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
        assert w.exitcode == 0
    one, two = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("w1", "w2"))
    assert one["texts"] == two["texts"] and len(one["texts"]) == 3 * PAGES  # both have every page
    assert one["extracted"] + two["extracted"] == 3 * PAGES  # each page extracted by one of them
    assert one["extracted"] > 0 and two["extracted"] > 0  # and the work was shared


def test_the_pages_of_a_worker_that_died_are_extracted_once_its_lease_expires(tmp_path):
    files = collection(tmp_path / "inbox")
    ledger = open_ledger(tmp_path / "ledger.sqlite")
    keys = [page_key(Settings(), sha256_file(f), n) for f in files for n in range(1, PAGES + 1)]
    ledger.claim(keys[:5], "elsewhere:1:dead", 2.0)  # a worker of another machine, killed
    started = time.monotonic()
    leases = PageLeases(ledger, poll_s=0.2)
    rows, stats = extract_collection("demo", tmp_path / "inbox", tmp_path / "cache", Settings(), 1, leases)
    assert time.monotonic() - started >= 1.5  # its pages waited for the lease
    assert [row.text for row in rows][:2] == [
        "Page 1 of handout a, with enough text to read.",
        "Page 2 of handout a, with enough text to read.",
    ]
    assert extracted_here(stats) == 3 * PAGES and not ledger.holders(keys)  # every lease released
