"""Row types of every stage: the data contracts between assets.

Each stage's Parquet file holds one of these record types. A downstream record extends its upstream
record, so every row carries its provenance (collection, source file, sha256, pages, OCR engine,
models and prompt versions) all the way into the dataset. A row whose ``error`` is set records why a
piece of input could not be processed; downstream stages skip such rows and count them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import types
import typing
from dataclasses import dataclass, field

import pyarrow as pa


@dataclass(kw_only=True)
class PageRow:
    """One page of one PDF (``pdf_pages``). ``page`` is 1-based; 0 marks a file-level error row."""

    collection: str
    source_file: str  # path relative to the collection folder
    source_sha256: str
    page: int
    text: str = ""
    method: str = ""  # "text-layer" | "ocr" | "error"
    engine: str = ""  # "pymupdf" | "rapidocr" | "pymupdf+rapidocr" (formulas OCR'd) | ...
    engine_version: str = ""
    confidence: float = 0.0
    flags: list[str] = field(default_factory=list)  # "scanned", "vector_math", "math_lost", ...(ocr.PageText)
    error: str | None = None
    low_confidence_lines: list[str] = field(default_factory=list)  # OCR lines scored under the threshold
    # JSON list of the OCR lines: {text, box (page points), score, low_confidence, uncovered}
    ocr_lines: str = ""


@dataclass(kw_only=True)
class ProblemRow:
    """One problem-solution pair (``problem_pairs``)."""

    id: str
    collection: str
    source_file: str
    source_sha256: str
    page_start: int
    page_end: int
    ocr_engine: str = ""
    number: str = ""
    section: str = ""
    type: str = "unknown"  # single_choice | multi_choice | fill | computation | proof | unknown
    language: str = "en"  # "zh" | "en"
    problem: str = ""
    options: list[str] = field(default_factory=list)
    solution: str = ""
    answer_raw: str = ""
    answer: str = ""  # normalized reference answer; "" when none
    answer_rule: str = ""  # which extraction rule produced answer_raw
    answer_parses: bool = False  # math-verify parses ``answer`` (choice letters count as parsed)
    answer_issue: str = ""  # why there is no usable answer ("proof: no single final answer", ...)
    split_method: str = "rules"  # "rules" | "teacher" (fallback) | "forum"
    split_notes: list[str] = field(default_factory=list)  # repairs and doubts of the split
    split_fallback: str = ""  # teacher fallback of the page: "" (not needed), "accepted", "rejected: ..."
    rule_record: str = ""  # JSON of the rules' records of the page when the teacher's replaced them
    char_start: int = 0  # span of raw_text in the document's cleaned text (0, 0 for forum threads)
    char_end: int = 0
    raw_text: str = ""
    error: str | None = None


@dataclass(kw_only=True)
class TranslatedRow(ProblemRow):
    """``translated_pairs``: problem/solution/options in English, originals kept."""

    problem_original: str = ""
    solution_original: str = ""
    translated: bool = False
    translator_model: str = ""
    translation_prompt_version: str = ""
    translation_flags: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class CotRow(TranslatedRow):
    """``teacher_cot``: one teacher sample for one problem."""

    sample_index: int = 0
    request_key: str = ""
    teacher_model: str = ""
    prompt_version: str = ""
    cot_mode: str = "distill"  # "distill" | "realign"
    reasoning: str = ""
    final_text: str = ""
    reasoning_source: str = ""  # field | inline | prefilled | unclosed | none (cot.split_reasoning)
    finish_reason: str = ""
    truncated: bool = False  # finish_reason == "length": kept, and marked
    attempts: int = 0  # calls it took (retries included); from the ledger for cached samples
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float = 0.0


@dataclass(kw_only=True)
class VerifiedRow(CotRow):
    """``verified_cot``: the teacher's answer checked against the reference; the verdict is a column."""

    teacher_answer: str = ""
    verdict: str = ""  # correct | incorrect | no_answer | no_reference | unverifiable
    verify_method: str = ""
    pass_rate: float | None = None  # correct / checked samples of this problem; None when none was checked
    # R1's filters (distill.r1_filters): mixed_language, code_block, repetition
    filter_flags: list[str] = field(default_factory=list)


def stable_id(*parts: object, length: int = 16) -> str:
    """Short deterministic id from the given parts."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:length]


_ARROW_TYPES: dict[object, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    list[str]: pa.list_(pa.string()),
}


def _arrow_type(tp: object) -> pa.DataType:
    if isinstance(tp, types.UnionType):  # "X | None"
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return _arrow_type(inner)
    return _ARROW_TYPES[tp]


def arrow_schema(cls: type) -> pa.Schema:
    """Parquet schema of a record type, so that empty tables still carry every column."""
    hints = typing.get_type_hints(cls)
    return pa.schema([pa.field(f.name, _arrow_type(hints[f.name])) for f in dataclasses.fields(cls)])


def to_table(rows: list, cls: type) -> pa.Table:
    schema = arrow_schema(cls)
    return pa.Table.from_pylist([dataclasses.asdict(r) for r in rows], schema=schema)


def from_table(table: pa.Table, cls: type) -> list:
    names = {f.name for f in dataclasses.fields(cls)}
    return [cls(**{k: v for k, v in row.items() if k in names}) for row in table.to_pylist()]


def extend(row: object, cls: type, **values: object) -> object:
    """Build a downstream record from an upstream one plus the new fields."""
    return cls(**{**dataclasses.asdict(row), **values})
