"""A tiny dataset dir in the layout the ``distill_dataset`` asset writes (sft/, grpo/, eval/, dataset_info.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

INSTRUCTION = "\nPlease reason step by step, and put your final answer within \\boxed{}."
SYSTEM = (
    "You are a careful math solver. First think through the problem inside <think> </think> tags, "
    "then give the final answer within \\boxed{}."
)
PROBLEMS = [
    ("What is 2 + 3?", "5", "First, add 2 and 3.\nNext, 2 + 3 = 5.\nFinally, the sum is 5."),
    ("What is 7 - 4?", "3", "First, subtract 4 from 7.\nNext, 7 - 4 = 3.\nFinally, the answer is 3."),
    ("What is 3 * 4?", "12", "First, multiply 3 by 4.\nNext, 3 * 4 = 12.\nFinally, the product is 12."),
    ("What is 10 / 2?", "5", "First, divide 10 by 2.\nNext, 10 / 2 = 5.\nFinally, the quotient is 5."),
    ("What is 6 + 9?", "15", "First, add 6 and 9.\nNext, 6 + 9 = 15.\nFinally, the sum is 15."),
    ("What is 9 - 1?", "8", "First, subtract 1 from 9.\nNext, 9 - 1 = 8.\nFinally, the answer is 8."),
    ("What is 2 * 8?", "16", "First, multiply 2 by 8.\nNext, 2 * 8 = 16.\nFinally, the product is 16."),
    ("What is 12 / 3?", "4", "First, divide 12 by 3.\nNext, 12 / 3 = 4.\nFinally, the quotient is 4."),
]


def write_dataset(root: Path) -> Path:
    """Write the fixture dataset under ``root`` and return the dataset dir."""
    for sub in ("sft", "grpo", "eval"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    sft = [
        {
            "id": f"p{i}",
            "messages": [
                {"role": "user", "content": problem + INSTRUCTION},
                {
                    "role": "assistant",
                    "content": f"<think>\n{reasoning}\n</think>\nThe answer is \\boxed{{{answer}}}.",
                },
            ],
            "problem": problem,
            "answer": answer,
            "collection": "fixture",
        }
        for i, (problem, answer, reasoning) in enumerate(PROBLEMS)
    ]
    pd.DataFrame(sft[:6]).to_parquet(root / "sft" / "train.parquet")
    pd.DataFrame(sft[6:]).to_parquet(root / "sft" / "test.parquet")
    grpo = [
        {
            "id": f"p{i}",
            "prompt": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": problem}],
            "answer": answer,
            "solution": answer,
        }
        for i, (problem, answer, _) in enumerate(PROBLEMS[:4])
    ]
    pd.DataFrame(grpo).to_parquet(root / "grpo" / "train.parquet")
    heldout = [
        {"id": f"h{i}", "problem": problem, "answer": answer, "source": "fixture"}
        for i, (problem, answer, _) in enumerate(PROBLEMS[5:8])
    ]
    pd.DataFrame(heldout).to_parquet(root / "eval" / "heldout.parquet")
    (root / "dataset_info.json").write_text(json.dumps({"version": "v-test"}))
    return root


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    """A data root whose ``distill_dataset`` is the fixture dataset."""
    write_dataset(tmp_path / "data" / "distill_dataset")
    return tmp_path / "data"
