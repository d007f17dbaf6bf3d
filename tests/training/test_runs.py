"""Where trained students are found: the stage's pointer in the data root names its checkpoint."""

from __future__ import annotations

import pytest

from distill.core.storage import TableStore
from training import runs


def test_a_stage_pointer_on_the_store_names_its_checkpoint(s3_root, tmp_path):
    store = TableStore(s3_root, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="materialize sft_model"):
        runs.latest(store, "sft_model")
    runs.record(store, "sft_model", {"checkpoint": "/shared/models/sft_model/abc/final"})
    assert runs.latest(store, "sft_model")["checkpoint"] == "/shared/models/sft_model/abc/final"
