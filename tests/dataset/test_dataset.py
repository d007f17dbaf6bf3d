"""The dataset contract the training scripts rely on: layout, columns, and loading with ``datasets``."""

import datasets

from distill.core.records import VerifiedRow
from distill.core.storage import TableStore
from distill.dataset.assembly import DatasetPolicy, build_dataset
from distill.llm.prompts import Prompt
from tests.rows import stage_row


def test_views_have_the_columns_training_reads(tmp_path):
    rows = [
        stage_row(
            VerifiedRow,
            f"p{i}",
            problem=f"What is {i} + {i + 1}?",
            answer=str(2 * i + 1),
            type="fill",
            reasoning="add",
            final_text=f"\\boxed{{{2 * i + 1}}}",
            finish_reason="stop",
            verdict="correct",
            pass_rate=1.0,
        )
        for i in range(12)
    ]
    url = TableStore(str(tmp_path / "data")).write_rows("verified_cot", "c", rows, VerifiedRow)
    out = tmp_path / "dataset"
    out.mkdir()
    heldout = [{"id": "h1", "problem": "What is 1+1?", "answer": "2", "source": "bundled"}]
    build_dataset(
        [url],
        out,
        DatasetPolicy(max_tokens=None, test_fraction=0.25),
        Prompt.load("configs/prompts/cot_distill.yaml"),
        Prompt.load("configs/prompts/grpo.yaml"),
        [],
        heldout,
        None,
    )
    sft = datasets.load_dataset("parquet", data_files=str(out / "sft" / "train*.parquet"), split="train")
    assert {"id", "messages", "problem", "answer", "collection", "source_file", "teacher_model"} <= set(
        sft.column_names
    )
    assert [m["role"] for m in sft[0]["messages"]] == ["user", "assistant"]
    assert (out / "sft" / "test.parquet").is_file()
    grpo = datasets.load_dataset("parquet", data_files=str(out / "grpo" / "train*.parquet"), split="train")
    assert {"id", "prompt", "answer", "solution"} <= set(grpo.column_names) and grpo[0]["prompt"][-1][
        "role"
    ] == "user"
    heldout_view = datasets.load_dataset(
        "parquet", data_files=str(out / "eval" / "heldout.parquet"), split="train"
    )
    assert heldout_view.column_names == ["id", "problem", "answer", "source"] and "h1" in heldout_view["id"]
