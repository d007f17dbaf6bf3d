"""A collection's pages are extracted in parallel, cached per page, and bad files become error rows."""

from __future__ import annotations

import json
import shutil

import fsspec
import pymupdf

from distill.core.records import PageRow
from distill.pages.ingest import PagePool, extract_collection, page_record
from ocr import OcrLine, PageText, Settings
from tests.ocr.ocr_samples import EXAM_TEXT


def collection(folder) -> None:
    folder.mkdir()
    shutil.copy(EXAM_TEXT, folder / "a_exam.pdf")
    doc = pymupdf.open()
    for number in range(1, 10):
        doc.new_page().insert_text((72, 72), f"Page {number} of a long handout, with enough text to read.")
    (folder / "sub").mkdir()
    doc.save(folder / "sub" / "b_long.pdf")
    (folder / "c_empty.pdf").write_bytes(b"")


def test_pages_in_order_from_two_workers_then_from_the_cache(tmp_path):
    collection(tmp_path / "inbox")
    rows, stats = extract_collection("demo", tmp_path / "inbox", tmp_path / "cache", Settings(), workers=2)
    assert [(row.source_file, row.page) for row in rows] == [
        ("a_exam.pdf", 1),
        ("a_exam.pdf", 2),
        ("c_empty.pdf", 0),
    ] + [("sub/b_long.pdf", n) for n in range(1, 10)]
    assert all(isinstance(row, PageRow) and row.collection == "demo" for row in rows)
    assert rows[6].text == "Page 4 of a long handout, with enough text to read."
    assert rows[2].error == "empty file (0 bytes)" and rows[2].low_confidence_lines == []
    assert (stats.files, stats.pages, stats.cached_pages, stats.cached_files) == (3, 11, 0, 0)
    assert stats.as_metadata()["pages_text-layer"] == 11 and stats.as_metadata()["errors"] == 1
    cached = sorted((tmp_path / "cache").rglob("*.json"))
    assert len(cached) == 11 and {p.parent.parent.parent.name for p in cached} == {Settings().key()}

    again, stats = extract_collection("demo", tmp_path / "inbox", tmp_path / "cache", Settings(), workers=2)
    assert again == rows
    assert (stats.cached_pages, stats.cached_files) == (11, 2)


def test_a_changed_page_of_the_cache_key_is_extracted_again(tmp_path):
    collection(tmp_path / "inbox")
    extract_collection("demo", tmp_path / "inbox", tmp_path / "cache", Settings(), workers=1)
    (next((tmp_path / "cache").rglob("3.json"))).unlink()
    _, stats = extract_collection("demo", tmp_path / "inbox", tmp_path / "cache", Settings(), workers=1)
    assert stats.cached_pages == 10
    _, stats = extract_collection(
        "demo", tmp_path / "inbox", tmp_path / "cache", Settings(min_text_chars=5), workers=1
    )
    assert stats.cached_pages == 0


def test_a_page_record_keeps_the_ocr_lines_and_names_the_doubtful_ones():
    page = PageText(
        page=1,
        text="x = 1\nblurry",
        method="ocr",
        engine="rapidocr",
        engine_version="3",
        confidence=0.7,
        lines=[
            OcrLine("x = 1", [1.0, 2.0, 30.0, 12.0], 0.95),
            OcrLine("blurry", [1.0, 20.0, 40.0, 30.0], 0.4, True),
        ],
    )
    record = page_record(page)
    assert record["low_confidence_lines"] == ["blurry"]
    assert json.loads(record["ocr_lines"])[1] == {
        "text": "blurry",
        "box": [1.0, 20.0, 40.0, 30.0],
        "score": 0.4,
        "low_confidence": True,
        "uncovered": False,
        "formula_image": False,
    }
    assert (
        PageRow(collection="c", source_file="f.pdf", source_sha256="s", **record).ocr_lines
        == record["ocr_lines"]
    )


def test_a_page_that_kills_its_worker_costs_only_that_page(tmp_path):
    from tests.ocr.fakes import extract_or_die

    collection(tmp_path / "inbox")
    long_pdf = tmp_path / "inbox" / "sub" / "b_long.pdf"
    todo = [(long_pdf, [1, 2, 3, 4]), (long_pdf, [5, 6])]
    with PagePool(Settings(), 2, extract_or_die) as pool:
        results = {number: record for _, number, record in pool.run(todo)}
        again = [record for _, _, record in pool.run([(long_pdf, [7])])]  # a broken pool is started anew
    assert again[0]["text"] == "Page 7 of a long handout, with enough text to read."
    assert sorted(results) == [1, 2, 3, 4, 5, 6]
    assert results[2]["method"] == "error" and results[2]["error"].startswith(
        "extraction crashed: BrokenProcessPool"
    )
    assert all(
        results[n]["text"] == f"Page {n} of a long handout, with enough text to read."
        for n in (1, 3, 4, 5, 6)
    )


def test_the_page_cache_on_an_object_store(tmp_path, s3_root):
    collection(tmp_path / "inbox")
    cache = f"{s3_root}/cache/pdf_pages"
    rows, stats = extract_collection("demo", tmp_path / "inbox", cache, Settings(), workers=1)
    assert stats.cached_pages == 0
    fs, path = fsspec.core.url_to_fs(cache)
    assert len([p for p in fs.find(path) if p.endswith(".json")]) == 11
    again, stats = extract_collection("demo", tmp_path / "inbox", cache, Settings(), workers=1)
    assert again == rows and stats.cached_pages == 11
