"""Assembly of the distillation dataset from the verified samples of every collection (pure logic).

Every dropped row is counted under its reason; nothing is dropped silently. The split is by problem
(a stable hash of the problem id), so all samples of one problem land on the same side.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa

from distill.cot import assistant_turn, cot_messages
from distill.prompts import Prompt
from distill.records import VerifiedRow

PROVENANCE = [
    "collection", "source_file", "source_sha256", "page_start", "page_end", "ocr_engine", "split_method",
    "translated", "translator_model", "translation_prompt_version", "teacher_model", "prompt_version",
    "cot_mode", "request_key",
]  # fmt: skip

_MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])


@dataclass(frozen=True)
class DatasetPolicy:
    require_verified: bool = True  # keep only samples whose answer verified against the reference
    drop_truncated: bool = True  # drop generations cut by max_tokens (finish_reason == "length")
    test_fraction: float = 0.2
    seed: str = "r1-distill"


@dataclass
class DatasetParts:
    sft_train: pa.Table
    sft_test: pa.Table
    grpo_train: pa.Table
    heldout: pa.Table
    counts: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)

    def version(self) -> str:
        """Content hash: training keyed on it does not rerun for an unchanged dataset."""
        digest = hashlib.sha256()
        for table in (self.sft_train, self.sft_test, self.grpo_train, self.heldout):
            for row in table.select(["id"]).to_pylist():
                digest.update(row["id"].encode())
        digest.update(json.dumps(self.sft_train.column("messages").to_pylist(), sort_keys=True).encode())
        return digest.hexdigest()[:16]


def normalized_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"\s+", " ", text).strip()


def in_test_split(problem_id: str, policy: DatasetPolicy) -> bool:
    bucket = int(hashlib.sha256(f"{policy.seed}:{problem_id}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < policy.test_fraction


def _drop_reason(row: VerifiedRow, policy: DatasetPolicy) -> str | None:
    if row.error:
        return "error: " + row.error.split(":")[0]
    if not row.problem.strip():
        return "empty problem"
    if not (row.final_text.strip() or row.reasoning.strip()):
        return "empty teacher reply"
    if policy.drop_truncated and row.finish_reason == "length":
        return "truncated generation"
    if policy.require_verified and row.verdict != "correct":
        return f"not verified ({row.verdict or 'no verdict'})"
    return None


def assemble(
    rows: list[VerifiedRow],
    policy: DatasetPolicy,
    cot_prompt: Prompt,
    grpo_prompt: Prompt,
    heldout_extra: list[dict],
) -> DatasetParts:
    dropped: Counter[str] = Counter()
    representative: dict[str, str] = {}  # normalized problem text -> first problem id seen
    kept: list[VerifiedRow] = []
    for row in sorted(rows, key=lambda r: (r.collection, r.source_file, r.page_start, r.id, r.sample_index)):
        reason = _drop_reason(row, policy)
        if reason is None:
            first = representative.setdefault(normalized_text(row.problem), row.id)
            if first != row.id:
                reason = "duplicate problem"
        if reason:
            dropped[reason] += 1
        else:
            kept.append(row)

    sft = {"train": [], "test": []}
    grpo: dict[str, dict] = {}
    heldout: dict[str, dict] = {}
    for row in kept:
        side = "test" if in_test_split(row.id, policy) else "train"
        user = cot_messages(cot_prompt, row)[-1]["content"]
        problem_text = "\n".join([row.problem.rstrip(), *row.options])
        sft[side].append(
            {
                "id": f"{row.id}-{row.sample_index}",
                "problem_id": row.id,
                "messages": [
                    {"role": "user", "content": user},
                    {"role": "assistant", "content": assistant_turn(row.reasoning, row.final_text)},
                ],
                "problem": row.problem,
                "answer": row.answer,
                "type": row.type,
                "reasoning": row.reasoning,
                "final": row.final_text,
                "teacher_answer": row.teacher_answer,
                "verdict": row.verdict,
                "finish_reason": row.finish_reason,
                **{k: getattr(row, k) for k in PROVENANCE},
            }
        )
        verifiable = bool(row.answer) and row.type != "proof"
        if side == "train" and verifiable and row.id not in grpo:
            grpo[row.id] = {
                "id": row.id,
                "prompt": grpo_prompt.messages(problem=problem_text),
                "answer": row.answer,
                "solution": row.answer,
                "collection": row.collection,
            }
        if side == "test" and verifiable:
            heldout[row.id] = {
                "id": row.id,
                "problem": problem_text,
                "answer": row.answer,
                "source": row.collection,
            }
    for item in heldout_extra:
        heldout.setdefault(item["id"], item)

    sft_schema = _sft_schema()
    return DatasetParts(
        sft_train=pa.Table.from_pylist(sft["train"], schema=sft_schema),
        sft_test=pa.Table.from_pylist(sft["test"], schema=sft_schema),
        grpo_train=pa.Table.from_pylist(list(grpo.values()), schema=_grpo_schema()),
        heldout=pa.Table.from_pylist(list(heldout.values()), schema=_heldout_schema()),
        counts={
            "input_rows": len(rows),
            "sft_train": len(sft["train"]),
            "sft_test": len(sft["test"]),
            "grpo_train": len(grpo),
            "heldout": len(heldout),
        },
        dropped=dict(dropped),
    )


def _sft_schema() -> pa.Schema:
    base = [
        ("id", pa.string()), ("problem_id", pa.string()), ("messages", pa.list_(_MESSAGE)),
        ("problem", pa.string()), ("answer", pa.string()), ("type", pa.string()), ("reasoning", pa.string()),
        ("final", pa.string()), ("teacher_answer", pa.string()), ("verdict", pa.string()),
        ("finish_reason", pa.string()),
    ]  # fmt: skip

    def column_type(name: str) -> pa.DataType:
        return pa.int64() if name.startswith("page_") else pa.bool_() if name == "translated" else pa.string()

    provenance = [(k, column_type(k)) for k in PROVENANCE]
    return pa.schema(base + provenance)


def _grpo_schema() -> pa.Schema:
    return pa.schema(
        [("id", pa.string()), ("prompt", pa.list_(_MESSAGE)), ("answer", pa.string()),
         ("solution", pa.string()), ("collection", pa.string())]
    )  # fmt: skip


def _heldout_schema() -> pa.Schema:
    return pa.schema(
        [("id", pa.string()), ("problem", pa.string()), ("answer", pa.string()), ("source", pa.string())]
    )


def dataset_card(parts: DatasetParts, policy: DatasetPolicy, provenance: dict[str, list[str]]) -> str:
    """A Hugging Face dataset card (YAML header with the configs, then counts and provenance)."""
    header = "\n".join(
        [
            "---",
            "license: apache-2.0",
            "task_categories: [text-generation]",
            "configs:",
            "- config_name: sft",
            "  data_files: [{split: train, path: sft/train.parquet}, {split: test, path: sft/test.parquet}]",
            "- config_name: grpo",
            "  data_files: [{split: train, path: grpo/train.parquet}]",
            "- config_name: eval",
            "  data_files: [{split: test, path: eval/heldout.parquet}]",
            "---",
        ]
    )
    lines = [
        header,
        "# R1-style CoT distillation dataset",
        "",
        f"Version `{parts.version()}`. Built from math PDFs by OCR, splitting, translation and an R1-style teacher.",
        "",
        "## Counts",
        *[f"- {name}: {n}" for name, n in parts.counts.items()],
        "",
        "## Dropped rows (by reason)",
        *([f"- {reason}: {n}" for reason, n in sorted(parts.dropped.items())] or ["- none"]),
        "",
        "## Policy",
        *[f"- {k}: {v}" for k, v in vars(policy).items()],
        "",
        "## Provenance",
        *[f"- {k}: {', '.join(v)}" for k, v in sorted(provenance.items())],
        "",
    ]
    return "\n".join(lines)
