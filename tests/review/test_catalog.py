"""What the review page reads: a collection's problems with their flags, filtered and paged, read once
while the tables are unchanged; the problem's region on its page."""

from __future__ import annotations

from pathlib import Path

from distill.core.records import ProblemRow
from distill.core.storage import TableStore
from distill.review import page_image
from distill.review.catalog import Catalog
from distill.review.decisions import Decision, ReviewLog, new_entry, review_log
from tests.review.conftest import build_root


def test_ten_thousand_problems_page_and_filter(tmp_path):
    settings = build_root(tmp_path, problems=10_000)
    log = ReviewLog(settings.data_root / "review")
    catalog = Catalog(TableStore(str(settings.data_root)), log)
    collection = catalog.collection("c")
    shown, total = collection.select({"flag": "math_lost"}, page=67)
    assert total == 3333 and len(shown) == 33 and shown[0].row.number == str(3 * (66 * 50 + 1))
    assert catalog.collection("c") is collection  # unchanged tables: nothing read again
    assert collection.facets()["flag"] == ["math_lost", "no_answer"]
    log.append("c", new_entry("p00003", Decision.REJECT, "ann", reason="blurred"))
    again = catalog.collection("c")
    assert again is not collection and again.counts()["rejected"] == 1
    assert again.select({"review": "rejected"})[1] == 1


def test_the_region_is_the_lines_the_problem_holds(tmp_path):
    settings = build_root(tmp_path, problems=2)
    lines, size = page_image.page_lines(settings.inbox / "c" / "paper.pdf", 1, None)
    boxes = page_image.region(lines, size, "1. Find x if x^{2} = 4.\nA. 1   B. 2   C. 3   D. 4")
    assert len(boxes) == 2  # the question and its options, not problem 2's line
    assert all(0 < x0 < x1 < 1 and 0 < y0 < y1 < 1 for x0, y0, x1, y1 in boxes)
    assert boxes[0][1] < 130 / size[1] < boxes[1][3]


def test_a_data_root_on_an_object_store_is_read_and_its_decisions_seen(tmp_path, s3_root):
    """The review page over an object store: its tables read from there, a decision written by another
    machine seen at once, a table the pipeline writes again read again."""
    settings = build_root(tmp_path, problems=30)
    store = TableStore(s3_root, str(tmp_path / "work"))
    store.put_tree(Path(settings.data_root), s3_root)
    catalog = Catalog(store, review_log(store))
    collection = catalog.collection("c")
    assert len(collection.problems) == 30 and catalog.collection("c") is collection
    review_log(TableStore(s3_root, str(tmp_path / "other"))).append(
        "c", new_entry("p00003", Decision.REJECT, "ann", reason="blurred")
    )
    again = catalog.collection("c")
    assert again is not collection and again.counts()["rejected"] == 1
    rows = store.read_rows("problem_pairs", "c", ProblemRow)
    store.write_rows("problem_pairs", "c", rows[:20], ProblemRow)
    assert len(catalog.collection("c").problems) == 20
