from dataclasses import replace

import pyarrow.parquet as pq
import pytest

from distill.core.records import PageRow, VerifiedRow, arrow_schema
from distill.core.storage import TableStore


def test_rows_round_trip_and_empty_tables_keep_their_schema(tmp_path):
    store = TableStore(str(tmp_path))
    rows = [
        PageRow(collection="c", source_file="a.pdf", source_sha256="s", page=1, text="x", flags=["scanned"])
    ]
    store.write_rows("pdf_pages", "c", rows, PageRow)
    assert store.read_rows("pdf_pages", "c", PageRow) == rows
    store.write_rows("verified_cot", "c", [], VerifiedRow)
    assert pq.read_schema(tmp_path / "verified_cot" / "c.parquet").names == arrow_schema(VerifiedRow).names
    assert store.partitions("pdf_pages") == ["c"]


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path):
    store = TableStore(str(tmp_path))
    for text in ("one", "two"):
        store.write_rows(
            "pdf_pages",
            "c",
            [PageRow(collection="c", source_file="a", source_sha256="s", page=1, text=text)],
            PageRow,
        )
    assert sorted(p.name for p in (tmp_path / "pdf_pages").iterdir()) == ["c.parquet"]
    assert store.read_rows("pdf_pages", "c", PageRow)[0].text == "two"


def test_tables_and_files_on_an_object_store(s3_root, tmp_path):
    store = TableStore(s3_root, str(tmp_path / "work"))
    rows = [PageRow(collection="c", source_file="a.pdf", source_sha256="s", page=1, text="x")]
    store.write_rows("pdf_pages", "c", rows, PageRow)
    assert store.read_rows("pdf_pages", "c", PageRow) == rows
    assert store.partitions("pdf_pages") == ["c"] and store.partitions("nothing") == []
    store.write_bytes(store.url("models", "sft.json"), b"{}")
    assert store.read_bytes(store.url("models", "sft.json")) == b"{}"
    assert store.read_bytes(store.url("models", "grpo.json")) is None
    assert not store.works_in_root and store.local_dir("ledger") == tmp_path / "work" / "ledger"
    with pytest.raises(ValueError, match="work_dir"):
        TableStore(s3_root).local_dir("ledger")
    tree = tmp_path / "tree"
    (tree / "sft").mkdir(parents=True)
    (tree / "sft" / "train.parquet").write_bytes(b"rows")
    (tree / "card.md").write_text("card")
    store.put_tree(tree, store.url("dataset", "v1"))
    store.get_tree(store.url("dataset", "v1"), tmp_path / "copy")
    assert (tmp_path / "copy" / "sft" / "train.parquet").read_bytes() == b"rows"
    assert (tmp_path / "copy" / "card.md").read_text() == "card"


def test_a_write_that_fails_leaves_the_old_object_whole(s3_root, monkeypatch):
    # an object store has no rename: the file is written whole locally, then sent in one upload
    store = TableStore(s3_root)
    row = PageRow(collection="c", source_file="a.pdf", source_sha256="s", page=1, text="old")
    store.write_rows("pdf_pages", "c", [row], PageRow)
    write = pq.write_table

    def half_then_fail(table, where, **kwargs):
        write(table, where, **kwargs)
        with open(where, "r+b") as f:
            f.truncate(100)
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        store.write_rows("pdf_pages", "c", [replace(row, text="new")], PageRow)
    monkeypatch.undo()
    assert store.read_rows("pdf_pages", "c", PageRow)[0].text == "old"
    with pytest.raises(OSError, match="disk full"):
        monkeypatch.setattr(pq, "write_table", half_then_fail)
        store.write_rows("pdf_pages", "d", [row], PageRow)
    assert not store.exists(store.table_url("pdf_pages", "d"))  # no half-written table to read
