import pyarrow.parquet as pq

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
