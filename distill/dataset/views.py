"""The dataset's views (SFT, GRPO, held-out eval): schemas and vectorized builders from Arrow tables.

The SFT user turn is the SFT prompt around the problem text (problem plus its options, one per line, as
the teacher saw it); the assistant turn is ``<think>\\n{reasoning}\\n</think>\\n{final}``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distill.llm.prompts import Prompt

PROVENANCE = [
    "collection", "source_file", "source_sha256", "page_start", "page_end", "ocr_engine", "split_method",
    "answer_file", "translated", "translator_model", "translation_prompt_version", "teacher_model", "prompt_version",
    "cot_mode", "teacher_input", "request_key", "review",
]  # fmt: skip

MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])


def _provenance_type(name: str) -> pa.DataType:
    return pa.int64() if name.startswith("page_") else pa.bool_() if name == "translated" else pa.string()


SFT_SCHEMA = pa.schema(
    [("id", pa.string()), ("problem_id", pa.string()), ("messages", pa.list_(MESSAGE)),
     ("problem", pa.string()), ("answer", pa.string()), ("type", pa.string()), ("reasoning", pa.string()),
     ("final", pa.string()), ("teacher_answer", pa.string()), ("verdict", pa.string()),
     ("finish_reason", pa.string()), ("pass_rate", pa.float64()), ("page_flags", pa.list_(pa.string()))]
    + [(k, _provenance_type(k)) for k in PROVENANCE]
)  # fmt: skip
GRPO_SCHEMA = pa.schema(
    [("id", pa.string()), ("prompt", pa.list_(MESSAGE)), ("answer", pa.string()), ("solution", pa.string()),
     ("collection", pa.string()), ("pass_rate", pa.float64())]
)  # fmt: skip
HELDOUT_SCHEMA = pa.schema(
    [("id", pa.string()), ("problem", pa.string()), ("answer", pa.string()), ("source", pa.string())]
)
SCHEMAS = {"sft": SFT_SCHEMA, "grpo": GRPO_SCHEMA, "eval": HELDOUT_SCHEMA}


@dataclass(frozen=True)
class Template:
    """A prompt whose only placeholder is ``{{problem}}``, cut around it for vectorized filling."""

    system: str | None
    prefix: str
    suffix: str

    @classmethod
    def of(cls, prompt: Prompt) -> Template:
        marker = "\x00problem\x00"
        try:
            messages = prompt.messages(problem=marker)
        except KeyError as exc:
            raise ValueError(f"prompt {prompt.version} may only use {{{{problem}}}}, not {exc}") from exc
        prefix, _, suffix = messages[-1]["content"].partition(marker)
        system = messages[0]["content"] if len(messages) > 1 else None
        return cls(system, prefix, suffix)

    def user(self, problem: pa.Array) -> pa.Array:
        return pc.binary_join_element_wise(self.prefix, problem, self.suffix, "")


def _column(table: pa.Table, name: str) -> pa.Array:
    return pc.fill_null(table.column(name).combine_chunks(), "")


def problem_text(table: pa.Table) -> pa.Array:
    """The problem with its options, one per line: what the teacher was asked (``TranslatedRow``)."""
    return _column(table, "problem_text")


def assistant_text(table: pa.Table) -> pa.Array:
    reasoning, final = _column(table, "reasoning"), _column(table, "final_text")
    return pc.binary_join_element_wise("<think>\n", reasoning, "\n</think>\n", final, "")


def conversation_text(table: pa.Table, template: Template) -> pa.Array:
    """User and assistant turns as one text (for counting tokens)."""
    return pc.binary_join_element_wise(template.user(problem_text(table)), assistant_text(table), "\n")


def messages(roles: list[str], contents: list[pa.Array]) -> pa.Array:
    """A list<{role, content}> column: row i is [(roles[k], contents[k][i]) for k]."""
    n, k = len(contents[0]), len(roles)
    order = (np.arange(k)[None, :] * n + np.arange(n)[:, None]).ravel()
    content = pa.concat_arrays([c.cast(pa.string()) for c in contents]).take(pa.array(order))
    role = pa.array(np.tile(np.array(roles, dtype=object), n), pa.string())
    values = pa.StructArray.from_arrays([role, content], fields=list(MESSAGE))
    return pa.ListArray.from_arrays(
        pa.array(np.arange(0, n * k + 1, k, dtype=np.int32)), values, type=pa.list_(MESSAGE)
    )


def sft_table(table: pa.Table, template: Template) -> pa.Table:
    """SFT rows from kept ``verified_cot`` rows."""
    ids = _column(table, "id")
    rate = (
        table.column("pass_rate").combine_chunks()
        if "pass_rate" in table.column_names
        else pa.nulls(len(table))
    )
    columns = {
        "id": pc.binary_join_element_wise(
            ids, pc.cast(table.column("sample_index").combine_chunks(), pa.string()), "-"
        ),
        "problem_id": ids,
        "messages": messages(
            ["user", "assistant"], [template.user(problem_text(table)), assistant_text(table)]
        ),
        "final": _column(table, "final_text"),
        "pass_rate": rate,
    }
    arrays = [columns[f.name] if f.name in columns else table.column(f.name) for f in SFT_SCHEMA]
    return pa.Table.from_arrays(
        [a.cast(f.type) for a, f in zip(arrays, SFT_SCHEMA, strict=True)], schema=SFT_SCHEMA
    )


def grpo_table(problems: pa.Table, template: Template) -> pa.Table:
    """GRPO rows from problems (``id``, ``text``, ``answer``, ``collection``, ``pass_rate``)."""
    user = template.user(problems.column("text").combine_chunks())
    roles, contents = (
        (["system", "user"], [pa.repeat(template.system, len(user)), user])
        if template.system
        else (["user"], [user])
    )
    answer = problems.column("answer")
    columns = [
        problems.column("id"),
        messages(roles, contents),
        answer,
        answer,
        problems.column("collection"),
        problems.column("pass_rate"),
    ]
    return pa.Table.from_arrays(
        [c.cast(f.type) for c, f in zip(columns, GRPO_SCHEMA, strict=True)], schema=GRPO_SCHEMA
    )
