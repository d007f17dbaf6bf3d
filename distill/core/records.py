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
from enum import StrEnum

import pyarrow as pa

from distill.core.kinds import CotMode, ErrorKind, QuestionType, SplitMethod, TeacherInput, Verdict


@dataclass(kw_only=True)
class PageRow:
    """One page of one PDF (``pdf_pages``). ``page`` is 1-based; 0 marks a file-level error row."""

    collection: str
    source_file: str  # path relative to the collection folder
    source_sha256: str
    page: int
    text: str = ""
    method: str = ""  # "text-layer" | "ocr" | "error" (ocr.types.Method)
    engine: str = ""  # "pymupdf" | "rapidocr" | "pymupdf+rapidocr" (formulas OCR'd) | ...
    engine_version: str = ""
    confidence: float = 0.0
    flags: list[str] = field(default_factory=list)  # "scanned", "vector_math", "math_lost", ...(ocr.PageText)
    error: str | None = None  # what went wrong, for a person
    error_kind: ErrorKind | None = None  # what went wrong, for counting
    notes: list[str] = field(default_factory=list)  # why a flag was set ("2 of 9 formula images unread ...")
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
    type: QuestionType = QuestionType.UNKNOWN
    language: str = "en"  # "zh" | "en": the problem's writing system, decided once (core.scripts)
    problem: str = ""
    options: list[str] = field(default_factory=list)
    solution: str = ""
    answer_raw: str = ""
    answer: str = ""  # normalized reference answer; "" when none
    answer_rule: str = ""  # which extraction rule produced answer_raw
    answer_parses: bool = False  # math-verify parses ``answer`` (choice letters count as parsed)
    answer_issue: str = ""  # why there is no usable answer ("proof: no single final answer", ...)
    split_method: SplitMethod = SplitMethod.RULES
    split_notes: list[str] = field(default_factory=list)  # repairs and doubts of the split
    page_flags: list[str] = field(default_factory=list)  # fidelity flags of its pages (kinds.FIDELITY_FLAGS)
    answer_file: str = ""  # the answer key file paired with this problem's file (problems.answer_files)
    split_fallback: str = ""  # teacher fallback of the page: "" (not needed), "accepted", "rejected: ..."
    rule_record: str = ""  # JSON of the rules' records of the page when the teacher's replaced them
    char_start: int = 0  # span of raw_text in the document's cleaned text (0, 0 for forum threads)
    char_end: int = 0
    raw_text: str = ""
    review: str = ""  # "" or what a person's review made of it: accepted | corrected | rejected
    error: str | None = None
    error_kind: ErrorKind | None = None


@dataclass(kw_only=True)
class TranslatedRow(ProblemRow):
    """``translated_pairs``: problem/solution/options in English, originals kept."""

    problem_original: str = ""
    solution_original: str = ""
    options_original: list[str] = field(default_factory=list)
    translated: bool = False
    translator_model: str = ""
    translation_prompt_version: str = ""
    translation_flags: list[str] = field(default_factory=list)
    # The English problem with its options, one per line: what the teacher is asked and what the SFT user
    # turn holds. Derived here, once, when the translated record is made.
    problem_text: str = ""

    def __post_init__(self) -> None:
        if not self.problem_text:
            self.problem_text = problem_with_options(self.problem, self.options)


@dataclass(kw_only=True)
class CotRow(TranslatedRow):
    """``teacher_cot``: one teacher sample for one problem."""

    sample_index: int = 0
    request_key: str = ""
    teacher_model: str = ""
    prompt_version: str = ""
    cot_mode: CotMode = CotMode.DISTILL
    teacher_input: TeacherInput = TeacherInput.TRANSLATED  # the text the teacher read
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
    verdict: Verdict | None = None
    verify_method: str = ""
    pass_rate: float | None = None  # correct / checked samples of this problem; None when none was checked
    # R1's filters (distill.verification.r1_filters): mixed_language, code_block, repetition
    filter_flags: list[str] = field(default_factory=list)


def problem_with_options(problem: str, options: list[str]) -> str:
    return problem.rstrip() + "\n" + "\n".join(options) if options else problem


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


def _inner(tp: object) -> object:
    """``X`` of ``X | None``."""
    if isinstance(tp, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return inner
    return tp


def _arrow_type(tp: object) -> pa.DataType:
    tp = _inner(tp)
    return pa.string() if isinstance(tp, type) and issubclass(tp, StrEnum) else _ARROW_TYPES[tp]


def arrow_schema(cls: type) -> pa.Schema:
    """Parquet schema of a record type, so that empty tables still carry every column."""
    hints = typing.get_type_hints(cls)
    return pa.schema([pa.field(f.name, _arrow_type(hints[f.name])) for f in dataclasses.fields(cls)])


def to_table(rows: list, cls: type) -> pa.Table:
    schema = arrow_schema(cls)
    return pa.Table.from_pylist([dataclasses.asdict(r) for r in rows], schema=schema)


class SchemaMismatch(ValueError):
    """A stage's table lacks a column of its record type (renamed, or written by another version)."""


def check_columns(names: typing.Iterable[str], cls: type, where: str) -> None:
    """Fail, naming the column, when ``names`` lacks a field of ``cls``: a missing column must never turn
    into defaults that quietly switch a filter off."""
    present = set(names)
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in present]
    if missing:
        raise SchemaMismatch(
            f"{where}: column {missing[0]!r} of {cls.__name__} is missing"
            + (f" (and {len(missing) - 1} more: {', '.join(missing[1:6])})" if len(missing) > 1 else "")
            + "; was it renamed, or written by another version? Re-materialize the upstream asset."
        )


def _enum_fields(cls: type) -> dict[str, type[StrEnum]]:
    hints = typing.get_type_hints(cls)
    return {
        f.name: tp
        for f in dataclasses.fields(cls)
        if isinstance(tp := _inner(hints[f.name]), type) and issubclass(tp, StrEnum)
    }


def from_table(table: pa.Table, cls: type, where: str = "table") -> list:
    """Records of ``cls`` from a table that has every one of its columns; enum columns become members."""
    check_columns(table.column_names, cls, where)
    names = {f.name for f in dataclasses.fields(cls)}
    enums = _enum_fields(cls)
    rows = []
    for row in table.to_pylist():
        values = {k: v for k, v in row.items() if k in names}
        for name, enum in enums.items():
            if values[name] is not None and values[name] != "":
                values[name] = enum(values[name])
        rows.append(cls(**values))
    return rows


def extend(row: object, cls: type, **values: object) -> object:
    """Build a downstream record from an upstream one plus the new fields; its lists are copied, not
    shared (a shallow copy: ``dataclasses.asdict`` deep-copies every value, per teacher sample)."""
    fields = {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    return cls(**{**{k: list(v) if isinstance(v, list) else v for k, v in fields.items()}, **values})
