"""Per-sample filters of the dataset, vectorized over Arrow tables of ``verified_cot`` rows (pure logic).

``sample_reasons`` gives each row the first reason that drops it, or null when it is kept; the dataset
counts and records every reason. R1's own filters (mixed language, code blocks, repetition) are flagged
upstream (``filter_flags`` of ``verified_cot``); here the policy decides which flags drop a sample.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distill.core.kinds import QuestionType, Verdict
from distill.llm.local_model import resolve_model

# A reference to a figure the text does not contain (Chinese exam phrasing and English). "[asy]" code
# is a figure that is there.
FIGURE_REFERENCE = (
    r"如图|见图|下图|上图|右图|左图|图中|图示|图\s*[0-9０-９]"
    r"|(?i:\b(?:shown|given|depicted|drawn|illustrated|pictured|labeled|marked) (?:in|on) the (?:figure|diagram|picture|graph|image)"
    r"|\bas shown\b|\b(?:the|this|following|accompanying) (?:figure|diagram|picture)\b|\bfig(?:ure|\.)\s*\d)"
)
_FIGURE_PRESENT = r"(?i)\[asy\]"

CountTokens = Callable[[list[str]], list[int]]
# Tokens never outnumber UTF-8 bytes for byte-level BPE and SentencePiece tokenizers (each token covers at
# least one byte, give or take a word-start marker), so a text this far under the limit is not tokenized.
_TOKEN_MARGIN = 16


def _text(table: pa.Table, name: str) -> pa.Array:
    """A text column with nulls as "" (a missing column is an error: the stage checked its input)."""
    return pc.fill_null(table.column(name).combine_chunks().cast(pa.string()), "")


def figure_missing(table: pa.Table) -> pa.Array:
    """The problem refers to a figure that is not in its text."""
    refers = pc.or_(
        pc.match_substring_regex(_text(table, "problem"), FIGURE_REFERENCE),
        pc.match_substring_regex(_text(table, "problem_original"), FIGURE_REFERENCE),
    )
    return pc.and_(refers, pc.invert(pc.match_substring_regex(_text(table, "problem"), _FIGURE_PRESENT)))


def proof_problem(table: pa.Table) -> pa.Array:
    """A proof, as splitting typed it (``problems.splitting.question_type``: it asks for a proof and gives
    no value to verify)."""
    return pc.equal(_text(table, "type"), QuestionType.PROOF.value)


def _blank(values: pa.Array) -> pa.Array:
    return pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(values)), 0)


def _first_flag(table: pa.Table, drop: tuple[str, ...]) -> pa.Array:
    """The first upstream flag of each row that the policy drops (spaces for underscores), or null: R1's
    flags of the sample (``filter_flags``), then the fidelity flags of its pages (``page_flags``)."""
    if not drop:
        return pa.nulls(len(table), pa.string())
    samples = table.column("filter_flags").combine_chunks().to_pylist()
    pages = table.column("page_flags").combine_chunks().to_pylist()
    reasons = []
    for sample, page in zip(samples, pages, strict=True):
        hit = next((f for f in [*(sample or []), *(page or [])] if f in drop), None)
        reasons.append(hit.replace("_", " ") if hit else None)
    return pa.array(reasons, pa.string())


def sample_reasons(
    table: pa.Table,
    *,
    require_verified: bool,
    drop_truncated: bool,
    drop_flags: tuple[str, ...],
    max_tokens: int | None,
    count_tokens: CountTokens | None,
    conversation_text: Callable[[pa.Table], pa.Array],
) -> pa.Array:
    """The reason each row is dropped (the first that applies, in the order below), or null to keep it.

    ``conversation_text`` renders the rows' SFT conversation (user turn and assistant turn) whose
    length in the student's tokens must stay within ``max_tokens`` (None: no limit)."""
    error = _text(table, "error")
    verdict = _text(table, "verdict")
    n = len(table)
    rules: list[tuple[pa.Array, pa.Array | str]] = [
        (pc.not_equal(error, ""), pc.binary_join_element_wise("error: ", _text(table, "error_kind"), "")),
        (_blank(_text(table, "problem")), "empty problem"),
        (pc.and_(_blank(_text(table, "reasoning")), _blank(_text(table, "final_text"))), "empty teacher reply"),
        (pc.equal(_text(table, "finish_reason"), "length") if drop_truncated else pa.repeat(False, n), "truncated generation"),
        (figure_missing(table), "figure missing"),
        (proof_problem(table) if require_verified else pa.repeat(False, n), "proof problem"),
        (pc.not_equal(verdict, Verdict.CORRECT.value) if require_verified else pa.repeat(False, n),
         pc.binary_join_element_wise("not verified (", pc.if_else(pc.equal(verdict, ""), "no verdict", verdict), ")", "")),
    ]  # fmt: skip
    flag = _first_flag(table, drop_flags)
    rules.append((pc.is_valid(flag), flag))
    reasons = pa.nulls(n, pa.string())
    for mask, reason in reversed(rules):
        value = reason if isinstance(reason, pa.Array) else pa.scalar(reason)
        reasons = pc.if_else(mask, value, reasons)
    if max_tokens is None:
        return reasons
    if count_tokens is None:
        raise ValueError("a token limit needs the student's tokenizer (count_tokens)")
    return _too_long(table, reasons, max_tokens, count_tokens, conversation_text)


def _too_long(
    table: pa.Table,
    reasons: pa.Array,
    max_tokens: int,
    count_tokens: CountTokens,
    conversation_text: Callable[[pa.Table], pa.Array],
) -> pa.Array:
    """Only kept rows whose conversation has more UTF-8 bytes than ``max_tokens`` are tokenized."""
    text = conversation_text(table)
    size = pc.binary_length(text)
    suspects = np.flatnonzero(
        pc.and_(pc.is_null(reasons), pc.greater(size, max_tokens - _TOKEN_MARGIN)).to_numpy(
            zero_copy_only=False
        )
    )
    if not len(suspects):
        return reasons
    counts = np.asarray(count_tokens(text.take(suspects).to_pylist()))
    over = np.zeros(len(table), dtype=bool)
    over[suspects[counts > max_tokens]] = True
    return pc.if_else(pa.array(over), pa.scalar(f"too long (> {max_tokens} tokens)"), reasons)


def student_token_counter(tokenizer: str) -> CountTokens:
    """Token counts with the student's tokenizer (the local alias, a hub id or a path), loaded on first use."""

    @functools.cache
    def load():  # a transformers tokenizer
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(resolve_model(tokenizer))

    def count(texts: list[str]) -> list[int]:
        return [len(ids) for ids in load()(texts, add_special_tokens=False)["input_ids"]]

    return count
