"""The dataset checks catch what they are for, and run as blocking checks of the asset."""

import json
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assets.distill_dataset import DATASET_CHECKS, distill_dataset
from assets.resources import DatasetResource, StorageResource
from distill.core.records import VerifiedRow
from distill.core.storage import TableStore
from distill.dataset import checks as dataset_checks
from distill.dataset.assembly import DatasetPolicy
from distill.dataset.decontamination import Decontaminator, load_benchmarks
from tests.dataset.conftest import row

MATH500 = json.loads(Path("samples/benchmarks/math500.jsonl").read_text().splitlines()[3])["problem"]


def _rows(n: int = 8) -> list[VerifiedRow]:
    return [
        row(
            f"p{i}",
            f"A shop sells {i + 3} pens for {2 * i + 5} dollars. What is the price of one pen?",
            verdict="correct" if i % 4 == 0 else "incorrect",
        )
        for i in range(n)
    ]


def _materialize(tmp_path: Path, rows: list[VerifiedRow], **dataset) -> dg.ExecuteInProcessResult:
    TableStore(str(tmp_path / "data")).write_rows("verified_cot", "col-a", rows, VerifiedRow)
    resources = {
        "storage": StorageResource(data_root=str(tmp_path / "data"), inbox_root=str(tmp_path / "inbox")),
        "dataset": DatasetResource(
            **{"max_tokens": None, "test_fraction": 0.3, "require_verified": False, **dataset}
        ),
    }
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("collections", ["col-a"])
        return dg.materialize(
            [distill_dataset, *DATASET_CHECKS], instance=instance, resources=resources, raise_on_error=False
        )


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def test_the_asset_writes_the_dataset_and_every_check_passes(tmp_path):
    result = _materialize(tmp_path, _rows() + [row("bench", MATH500)], min_verified_share=0.2)
    assert result.success
    assert _checks(result) == {c.check_key.name: True for c in DATASET_CHECKS}
    out = tmp_path / "data" / "distill_dataset"
    info = json.loads((out / "dataset_info.json").read_text())
    assert info["dropped"] == {"contaminated (math500)": 1} and info["counts"]["input_rows"] == 9
    card = (out / "README.md").read_text()
    assert card.startswith("---\nlicense: other\n") and "| math500 | 500 | 1 | 1 |" in card
    assert (out / "images" / "lengths.png").stat().st_size > 1000
    assert not list(tmp_path.glob("data/.distill_dataset*"))  # staging dir renamed into place


def test_the_verified_share_floor_blocks(tmp_path):
    result = _materialize(tmp_path, _rows(), min_verified_share=0.5)  # 2 of 8 samples verified
    assert _checks(result)["verified_share_above_floor"] is False


@pytest.fixture
def dataset_dir(build):
    _, out = build(
        {"c": _rows(40)}, DatasetPolicy(require_verified=False, max_tokens=None, test_fraction=0.3)
    )
    return out


def _append(path: Path, change) -> None:
    rows = pq.read_table(path).to_pylist()
    pq.write_table(pa.Table.from_pylist(change(rows), schema=pq.read_schema(path)), path)


def test_checks_pass_on_a_built_dataset_and_catch_planted_faults(dataset_dir):
    detector = Decontaminator(load_benchmarks(sorted(Path("samples/benchmarks").glob("*.jsonl"))))
    assert dataset_checks.duplicate_ids(dataset_dir) == {"sft": 0, "grpo": 0, "eval": 0}
    assert not any(dataset_checks.empty_fields(dataset_dir).values())
    assert dataset_checks.contamination_left(dataset_dir, detector) == []
    assert dataset_checks.schema_mismatches(dataset_dir) == {}
    assert dataset_checks.malformed_conversations(dataset_dir) == 0
    assert dataset_checks.verified_share(dataset_dir) == (10, 40)

    train, test = dataset_dir / "sft/train.parquet", dataset_dir / "sft/test.parquet"
    first = pq.read_table(train).to_pylist()[0]
    _append(test, lambda rows: rows + [first])
    _append(train, lambda rows: [{**rows[0], "answer": " ", "problem": MATH500}, *rows[1:]])
    _append(
        dataset_dir / "grpo/train.parquet",
        lambda rows: [{**rows[0], "prompt": [{"role": "user", "content": ""}]}, *rows[1:]],
    )
    _append(train, lambda rows: [{**rows[0], "messages": rows[0]["messages"][:1]}, *rows[1:]])
    assert dataset_checks.duplicate_ids(dataset_dir)["sft"] == 1
    empty = dataset_checks.empty_fields(dataset_dir)
    assert {k for k, v in empty.items() if v} == {"sft/train.answer", "grpo/train.prompt"}
    assert [c.item.benchmark for c in dataset_checks.contamination_left(dataset_dir, detector)] == ["math500"]
    assert dataset_checks.malformed_conversations(dataset_dir) == 1
    pq.write_table(pq.read_table(test).drop_columns(["pass_rate"]), test)
    assert list(dataset_checks.schema_mismatches(dataset_dir)) == ["sft/test.parquet"]
