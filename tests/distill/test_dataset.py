import datasets

from distill.dataset import DatasetPolicy, assemble, in_test_split
from distill.prompts import Prompt
from distill.records import VerifiedRow
from distill.storage import TableStore

COT = Prompt.load("configs/prompts/cot_distill.yaml")
GRPO = Prompt.load("configs/prompts/grpo.yaml")


def row(pid: str, problem: str, **kw) -> VerifiedRow:
    values = dict(id=pid, collection="c", source_file="f.pdf", source_sha256="s", page_start=1, page_end=1,
                  problem=problem, answer="5", type="computation", reasoning="think", final_text="\\boxed{5}",
                  finish_reason="stop", teacher_answer="5", verdict="correct", teacher_model="m",
                  prompt_version="cot-distill-v1")  # fmt: skip
    return VerifiedRow(**{**values, **kw})


def test_every_drop_has_a_counted_reason_and_duplicates_collapse():
    rows = [
        row("a", "What is 2+3?"),
        row("a", "What is 2+3?", sample_index=1, verdict="incorrect"),
        row("b", "what is  2+3?"),  # same problem after normalization
        row("c", "Prove it.", type="proof", answer="", verdict="no_reference"),
        row("d", "", verdict="correct"),
        row("e", "Long one", finish_reason="length"),
        row("f", "Broken", error="teacher failed: timeout"),
    ]
    parts = assemble(rows, DatasetPolicy(require_verified=True, test_fraction=0.0), COT, GRPO, [])
    assert parts.counts["sft_train"] == 1
    assert parts.dropped == {
        "not verified (incorrect)": 1,
        "duplicate problem": 1,
        "not verified (no_reference)": 1,
        "empty problem": 1,
        "truncated generation": 1,
        "error: teacher failed": 1,
    }
    assert sum(parts.dropped.values()) + parts.counts["sft_train"] + parts.counts["sft_test"] == len(rows)


def test_keep_all_policy_keeps_verdicts_and_grpo_takes_only_verifiable_problems():
    rows = [
        row("a", "What is 2+3?", verdict="incorrect"),
        row("c", "Prove it.", type="proof", answer="", verdict="no_reference"),
    ]
    parts = assemble(rows, DatasetPolicy(require_verified=False, test_fraction=0.0), COT, GRPO, [])
    sft = parts.sft_train.to_pylist()
    assert [r["verdict"] for r in sft] == ["incorrect", "no_reference"]
    assert sft[0]["messages"][1]["content"] == "<think>\nthink\n</think>\n\\boxed{5}"
    assert sft[0]["messages"][0]["content"].endswith("within \\boxed{}.")
    grpo = parts.grpo_train.to_pylist()
    assert [g["id"] for g in grpo] == ["a"] and grpo[0]["prompt"][0]["role"] == "system"


def test_split_is_by_problem_and_stable():
    policy = DatasetPolicy(test_fraction=0.5)
    sides = {pid: in_test_split(pid, policy) for pid in map(str, range(200))}
    assert sides == {pid: in_test_split(pid, policy) for pid in map(str, range(200))}
    assert 60 < sum(sides.values()) < 140
    rows = [row(str(i), f"Problem {i}", sample_index=k) for i in range(20) for k in range(2)]
    parts = assemble(rows, DatasetPolicy(test_fraction=0.5), COT, GRPO, [{"id": "x", "problem": "p", "answer": "1",
                                                                          "source": "bundled"}])  # fmt: skip
    train = {r["problem_id"] for r in parts.sft_train.to_pylist()}
    test = {r["problem_id"] for r in parts.sft_test.to_pylist()}
    assert train and test and not train & test
    assert "x" in parts.heldout.column("id").to_pylist()


def test_views_load_with_datasets(tmp_path):
    parts = assemble(
        [row(str(i), f"Problem {i}") for i in range(6)], DatasetPolicy(test_fraction=0.3), COT, GRPO, []
    )
    store = TableStore(str(tmp_path))
    for name, table in (("sft/train", parts.sft_train), ("grpo/train", parts.grpo_train)):
        store.write_table(table, str(tmp_path / f"{name}.parquet"))
    sft = datasets.load_dataset("parquet", data_files=str(tmp_path / "sft/train.parquet"), split="train")
    assert {"messages", "problem", "answer", "collection", "source_file", "teacher_model"} <= set(
        sft.column_names
    )
    grpo = datasets.load_dataset("parquet", data_files=str(tmp_path / "grpo/train.parquet"), split="train")
    assert grpo[0]["prompt"][-1]["role"] == "user"
