"""Rows of ``verified_cot`` and a builder that assembles them into a dataset dir under tmp_path."""

from __future__ import annotations

import itertools
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distill.core.records import VerifiedRow
from distill.core.storage import TableStore
from distill.dataset.assembly import DatasetPolicy, DatasetReport, build_dataset
from distill.dataset.shards import shard_paths
from distill.llm.prompts import Prompt
from tests.rows import stage_row

COT = Prompt.load("configs/prompts/cot_distill.yaml")
GRPO = Prompt.load("configs/prompts/grpo.yaml")


def row(pid: str, problem: str, **kw) -> VerifiedRow:
    """A kept-by-default sample: verified, answered, R1-shaped."""
    sample = dict(
        answer="5",
        type="computation",
        reasoning="think",
        final_text="\\boxed{5}",
        finish_reason="stop",
        teacher_answer="5",
        verdict="correct",
        teacher_model="m",
        prompt_version="cot-distill-v1",
        pass_rate=1.0,
    )
    return stage_row(VerifiedRow, pid, problem=problem, **{**sample, **kw})


def read(out: Path, view: str) -> list[dict]:
    """Every row of a view, across its shards."""
    return pa.concat_tables([pq.read_table(p) for p in shard_paths(out, view)]).to_pylist()


@pytest.fixture
def build(tmp_path):
    """build(collections={name: rows}, policy=..., references=..., heldout=..., count_tokens=...)."""
    runs = itertools.count()

    def run(
        collections: dict[str, list[VerifiedRow]],
        policy: DatasetPolicy | None = None,
        references=(),
        heldout=(),
        count_tokens=None,
    ) -> tuple[DatasetReport, Path]:
        n = next(runs)
        store = TableStore(str(tmp_path / f"data{n}"))
        urls = [
            store.write_rows("verified_cot", c, rows, VerifiedRow) for c, rows in sorted(collections.items())
        ]
        out = tmp_path / f"dataset{n}"
        out.mkdir()
        policy = policy or DatasetPolicy(max_tokens=None, test_fraction=0.0)
        return build_dataset(urls, out, policy, COT, GRPO, list(references), list(heldout), count_tokens), out

    return run
