"""Review decisions: appended under a lock (concurrent writers lose nothing), folded into each problem's
state, edits checked before they are kept."""

from __future__ import annotations

import multiprocessing

import pytest

from distill.core.storage import TableStore
from distill.review.decisions import (
    Decision,
    InvalidEdit,
    ObjectReviewLog,
    ReviewLog,
    ReviewStatus,
    check_edit,
    new_entry,
    review_log,
)


def _write_many(folder: str, writer: int, n: int) -> None:
    log = ReviewLog(__import__("pathlib").Path(folder))
    for k in range(n):
        log.append("c", new_entry(f"p{writer}-{k}", Decision.ACCEPT, f"tab{writer}", after={}, before={}))


def test_two_writers_at_once_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_write_many, args=(str(tmp_path), w, 200)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    entries = ReviewLog(tmp_path).entries("c")
    assert len(entries) == 400 and len({e.problem_id for e in entries}) == 400


def test_decisions_fold_in_order(tmp_path):
    log = ReviewLog(tmp_path)
    log.append("c", new_entry("a", Decision.EDIT, "ann", after={"answer": "5"}, before={"answer": "4"}))
    log.append("c", new_entry("a", Decision.ACCEPT, "bob"))
    log.append("c", new_entry("b", Decision.ACCEPT, "ann"))
    log.append("c", new_entry("c", Decision.REJECT, "ann", reason="a figure is missing"))
    log.append("c", new_entry("d", Decision.REJECT, "ann", reason="wrong"))
    log.append("c", new_entry("d", Decision.EDIT, "bob", after={"problem": "Find x."}))
    states = log.states("c")
    assert (states["a"].status, states["a"].edits, states["a"].reviewer) == (
        ReviewStatus.CORRECTED,
        {"answer": "5"},
        "bob",
    )
    assert states["b"].status is ReviewStatus.ACCEPTED
    assert (states["c"].status, states["c"].reason) == (ReviewStatus.REJECTED, "a figure is missing")
    assert states["d"].status is ReviewStatus.CORRECTED and states["d"].decisions == 2
    assert ReviewLog(tmp_path).entries("other") == []


@pytest.mark.parametrize("name", ["", "../x", ".hidden", "a/b"])
def test_a_collection_name_cannot_leave_the_review_folder(tmp_path, name):
    with pytest.raises(ValueError):
        ReviewLog(tmp_path).path(name)


def test_edits_are_checked_before_they_are_kept():
    assert check_edit({"options": "A. 1\n\nB. 2\n"}) == {"options": ["A. 1", "B. 2"]}
    assert check_edit({"answer": " \\frac{1}{2} "}) == {"answer": "\\frac{1}{2}"}
    with pytest.raises(InvalidEdit, match="math-verify cannot parse"):
        check_edit({"answer": "\\frac{1}{"})
    with pytest.raises(InvalidEdit, match="cannot be empty"):
        check_edit({"problem": "  "})
    with pytest.raises(InvalidEdit, match="cannot be edited"):
        check_edit({"solution": "x"})


def test_on_an_object_store_the_decisions_are_objects_every_machine_reads(tmp_path, s3_root):
    """No appends on an object store: each decision is an object of its own under the data root (not in
    the local work dir), so the pipeline on another machine folds the same decisions."""
    store = TableStore(s3_root, str(tmp_path / "work"))
    page, pipeline = review_log(store), review_log(TableStore(s3_root, str(tmp_path / "elsewhere")))
    assert isinstance(page, ObjectReviewLog)
    page.append("c", new_entry("a", Decision.EDIT, "ann", after={"answer": "5"}, before={"answer": "4"}))
    page.append("c", new_entry("a", Decision.REJECT, "bob", reason="a figure is missing"))
    page.append("c", new_entry("b", Decision.ACCEPT, "ann"))
    assert pipeline.entries("other") == []
    states = pipeline.states("c")
    assert (states["a"].status, states["a"].reason, states["a"].decisions) == (
        ReviewStatus.REJECTED,
        "a figure is missing",
        2,
    )
    assert [e.problem_id for e in pipeline.entries("c")] == ["a", "a", "b"]  # in the order they were made
    page.append("c", new_entry("a", Decision.ACCEPT, "cy"))
    assert pipeline.states("c")["a"].status is ReviewStatus.CORRECTED  # seen at once: no stale listing
    assert not (tmp_path / "work" / "review").exists()
    with pytest.raises(ValueError):
        page.append("../x", new_entry("a", Decision.ACCEPT, "ann"))
    assert type(review_log(TableStore(str(tmp_path / "data")))) is ReviewLog
