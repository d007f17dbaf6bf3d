"""``distill_dataset`` reads ``verified_cot`` against the record schema: a renamed column stops it with a
message that names the column, instead of a filter that quietly switches off."""

import dagster as dg
import pytest

from assets.distill_dataset import distill_dataset
from assets.resources import DatasetResource, StorageResource
from distill.core.records import VerifiedRow
from distill.core.storage import TableStore
from tests.dataset.conftest import row


@pytest.mark.parametrize("renamed", [None, "filter_flags", "verdict"])
def test_a_renamed_verified_cot_column_stops_the_dataset_naming_it(tmp_path, renamed):
    store = TableStore(str(tmp_path / "data"))
    url = store.write_rows(
        "verified_cot", "c", [row("a", "What is 1+1?"), row("b", "What is 2+2?")], VerifiedRow
    )
    if renamed:
        table = store.read_table(url)
        store.write_table(
            table.rename_columns([f"{n}_v2" if n == renamed else n for n in table.column_names]), url
        )
    resources = {
        "storage": StorageResource(data_root=str(tmp_path / "data"), inbox_root=str(tmp_path / "inbox")),
        "dataset": DatasetResource(
            require_verified=False, max_tokens=None, benchmark_files=[], min_verified_share=0
        ),
    }
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("collections", ["c"])
        result = dg.materialize(
            [distill_dataset], resources=resources, instance=instance, raise_on_error=False
        )
    if renamed is None:
        assert result.success
        return
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.step_failure_data.error.cause.message if failure.step_failure_data.error.cause else ""
    message += failure.step_failure_data.error.message
    assert f"column '{renamed}' of VerifiedRow is missing" in message and "c.parquet" in message
