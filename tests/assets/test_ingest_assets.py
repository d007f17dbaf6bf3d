"""The first two assets on a collection with bad files: their metadata counts what failed and why."""

import json
import shutil
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq

from assets.pdf_pages import pdf_pages
from assets.problem_pairs import problem_pairs
from assets.resources import OcrResource, StorageResource, TeacherResource

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "inbox"


def test_bad_files_are_counted_and_the_collection_goes_on(tmp_path):
    folder = tmp_path / "inbox" / "mixed"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLES / "english-sample" / "problems_en.pdf", folder)
    info = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))[
        "english-sample/problems_en.pdf"
    ]
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "fake.pdf").write_bytes(b"GIF89a not a pdf")
    resources = {
        "storage": StorageResource(data_root=str(tmp_path / "data"), inbox_root=str(tmp_path / "inbox")),
        "ocr": OcrResource(workers=1),
        # the sample splits confidently: the teacher fallback is not called (nothing listens there)
        "teacher": TeacherResource(base_url="http://127.0.0.1:9/v1", max_retries=0, timeout_s=5),
    }
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("collections", ["mixed"])
        result = dg.materialize(
            [pdf_pages, problem_pairs], partition_key="mixed", resources=resources, instance=instance
        )
        assert result.success
        pages_meta = result.asset_materializations_for_node("pdf_pages")[0].metadata
        pairs_meta = result.asset_materializations_for_node("problem_pairs")[0].metadata
    assert pages_meta["files"].value == 3 and pages_meta["errors"].value == 2
    assert (
        pairs_meta["problems"].value == info["num_problems"]
        and pairs_meta["files_without_problems"].value == 2
    )
    rows = pq.read_table(tmp_path / "data" / "problem_pairs" / "mixed.parquet").to_pylist()
    errors = {r["source_file"]: r["error"] for r in rows if r["error"]}
    assert set(errors) == {"empty.pdf", "fake.pdf"} and all(
        e.startswith("no usable page:") for e in errors.values()
    )

    # A second materialization reads the extracted pages from the cache (bad files are judged again).
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("collections", ["mixed"])
        again = dg.materialize([pdf_pages], partition_key="mixed", resources=resources, instance=instance)
        meta = again.asset_materializations_for_node("pdf_pages")[0].metadata
        assert (meta["cached_files"].value, meta["cached_pages"].value) == (1, info["pages"])
