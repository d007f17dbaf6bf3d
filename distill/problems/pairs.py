"""Page rows and forum dumps of a collection -> problem rows (pure logic).

Each PDF is split by the rules (``distill.problems.splitting``); pages in doubt go to the teacher fallback when
one is given (``distill.problems.split_fallback``), and every row records which path produced it. Forum threads
become problems through ``distill.problems.forum``. Reference answers are normalized and checked with
math-verify in the bounded pool. What yields no problem gets an error row with the reason: a file
without usable pages or problems, a malformed dump, answer-key entries that match no problem.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from distill.answers.bounded import parse_many
from distill.answers.normalize import MAX_ANSWER_CHARS, extract_answer, normalize_answer
from distill.core.kinds import FIDELITY_FLAGS, ErrorKind, QuestionType, SplitMethod
from distill.core.records import PageRow, ProblemRow, stable_id
from distill.core.scripts import detect_language
from distill.llm.client import ChatResult, RunStats, TeacherClient
from distill.llm.flow_control import EndpointDown, EndpointRejected
from distill.llm.prompts import Prompt
from distill.problems.answer_files import PAGE_OFFSET, joined_pages, pair_files
from distill.problems.forum import choose_solution, read_threads
from distill.problems.split_fallback import (
    SendPages,
    fallback_requests,
    pages_to_send,
    parse_reply,
    review_pages,
    teacher_problems,
)
from distill.problems.splitting import DocumentSplit, SplitProblem, proof_like, question_type, split_pages

NO_PROBLEM = "no problem found by the splitting rules"
UNMATCHED_KEY = "answer key entries without a problem"  # an error row that is not a file without problems
LONE_KEY = "answer_file_without_exam"  # a file named as a key, with no exam beside it to pair with
NO_KEY_ENTRY = "no_key_entry"  # a problem of an exam with a key file that gives it no answer
_INLINE_CHOICES_RE = re.compile(r"\(A\).*\(B\)", re.S)


@dataclass
class Fallback:
    """The teacher fallback: where to send doubtful pages, and how much to spend on them."""

    client: TeacherClient
    prompt: Prompt
    max_tokens: int = 2048
    max_pages: int = 20  # per document; further doubtful pages are only noted
    structured: str = "json_schema"  # response_format: json_schema | json_object | none
    send: SendPages = SendPages.DOUBTFUL  # ALL: every page goes to the teacher (teacher-always mode)


@dataclass
class PairsResult:
    rows: list[ProblemRow]
    reasons: Counter = field(default_factory=Counter)  # error rows by ErrorKind
    fallback: Counter = field(default_factory=Counter)  # pages sent to the teacher, by outcome
    pages_in_doubt: int = 0  # pages of the exams that the rules' split leaves in doubt
    teacher: RunStats | None = None


_SAME_FIELDS = (
    "page_start",
    "page_end",
    "number",
    "section",
    "type",
    "language",
    "problem",
    "solution",
    "answer_raw",
    "answer_rule",
    "raw_text",
)


def _row(item: SplitProblem, row_id: str, base: dict, **extra: object) -> ProblemRow:
    """The problem record of a split item: its fields, with the doubts of the split as ``split_notes``."""
    return ProblemRow(
        id=row_id,
        **base,
        **{name: getattr(item, name) for name in _SAME_FIELDS},
        options=list(item.options),
        split_notes=list(item.flags),
        char_start=item.char_span[0],
        char_end=item.char_span[1],
        **extra,
    )


def _carry_page_flags(rows: list[ProblemRow], pages: list[PageRow]) -> None:
    """Each problem gets the fidelity flags of the pages it spans: doubt travels with the row."""
    flags = {page.page: {f for f in page.flags if f in FIDELITY_FLAGS} for page in pages}
    for row in rows:
        spanned = set().union(*(flags.get(n, set()) for n in range(row.page_start, row.page_end + 1)))
        row.page_flags = sorted(spanned)


def _record_json(items: list[SplitProblem]) -> str:
    return json.dumps([dataclasses.asdict(i) for i in items], ensure_ascii=False)


def _document_rows(
    split: DocumentSplit, base: dict, key: tuple, doubts: dict[int, str], outcomes: dict[int, tuple]
) -> list[ProblemRow]:
    """Rows of one document: the rules' problems, with the pages the teacher re-split replaced by its
    problems (``outcomes``: page -> (accepted problems or None, outcome text))."""
    rows: list[ProblemRow] = []
    for index, item in enumerate(split.problems):
        page = item.page_start
        accepted, outcome = outcomes.get(page, (None, ""))
        if accepted:
            continue
        notes = [f"doubt: {doubts[page]}"] if page in doubts else []
        rows.append(_row(item, stable_id(*key, item.number, index), base, split_fallback=outcome))
        rows[-1].split_notes += notes
    for page, (accepted, outcome) in sorted(outcomes.items()):
        rule_items = [p for p in split.problems if p.page_start == page]
        for index, item in enumerate(accepted or []):
            row = _row(
                item,
                stable_id(*key, "teacher", page, index),
                base,
                split_method=SplitMethod.TEACHER,
                split_fallback=outcome,
                rule_record=_record_json(rule_items),
            )
            row.split_notes.append(f"doubt: {doubts[page]}")
            if len(accepted) != len(rule_items):  # both records are kept: the rules' in rule_record
                row.split_notes.append(f"count_differs: rules {len(rule_items)}, teacher {len(accepted)}")
            rows.append(row)
    rows.sort(key=lambda r: (r.char_start, r.page_start))
    return rows


def problems_from_pages(
    pages: list[PageRow], fallback: Fallback | None = None, *, parse_timeout_s: float = 5.0, workers: int = 1
) -> PairsResult:
    """Split every source file of a collection (rules, then the fallback for doubtful pages)."""
    by_file: dict[str, list[PageRow]] = defaultdict(list)
    for page in pages:
        by_file[page.source_file].append(page)
    texts = {name: "\n".join(p.text for p in _usable(file_pages)) for name, file_pages in by_file.items()}
    pairing = pair_files(
        list(by_file),
        texts,
        lambda name: {
            int(p.number) for p in split_pages(_page_texts(by_file[name])).problems if p.number.isdigit()
        },
    )
    result = PairsResult(rows=[])
    documents = []  # (first page row, page rows, engines, split, doubts, key file) per document
    wanted: list[tuple[int, int]] = []  # (document index, page) sent to the teacher
    for name, file_pages in sorted(by_file.items()):
        if name not in pairing.exams and name not in pairing.lone_keys:  # a key file: split with its exam
            if not _usable(file_pages):  # ... unless it cannot be read
                why, kind = _unreadable(file_pages)
                _error_row(result, file_pages[0], file_pages, "", f"answer file unreadable: {why}", kind)
            continue
        key = pairing.exams.get(name, "")
        first = file_pages[0]
        usable = _usable(file_pages)
        engines = ",".join(sorted({p.engine for p in usable}))
        if not usable:
            why, kind = _unreadable(file_pages)
            _error_row(result, first, file_pages, engines, f"no usable page: {why}", kind)
            continue
        split = split_pages(joined_pages(_page_texts(file_pages), _page_texts(by_file.get(key, []))))
        doubts = {page: why for page, why in review_pages(split).items() if page < PAGE_OFFSET}  # the exam's
        result.pages_in_doubt += len(doubts)
        if fallback is not None:
            doubts = {
                page: why
                for page, why in pages_to_send(split, doubts, fallback.send).items()
                if page < PAGE_OFFSET
            }
        documents.append((first, file_pages, engines, split, doubts, key))
        if fallback is not None:
            wanted += [(len(documents) - 1, page) for page in sorted(doubts)[: fallback.max_pages]]
    replies = _ask(fallback, documents, wanted, result)
    for d, (first, file_pages, engines, split, doubts, key) in enumerate(documents):
        outcomes = _outcomes(split, d, doubts, replies, fallback, result.fallback)
        base = dict(
            collection=first.collection,
            source_file=first.source_file,
            source_sha256=first.source_sha256,
            ocr_engine=engines,
        )
        rows = _document_rows(split, base, (first.collection, first.source_sha256), doubts, outcomes)
        for row in rows:
            row.answer_file = key
            if first.source_file in pairing.lone_keys:
                row.split_notes.append(LONE_KEY)
            elif key and not row.answer_raw:
                row.split_notes.append(NO_KEY_ENTRY)
        _carry_page_flags(rows, file_pages)
        result.rows += rows
        if not rows:
            tried = sorted({o for _, o in outcomes.values() if o})
            _error_row(
                result,
                first,
                file_pages,
                engines,
                NO_PROBLEM + (f" (teacher fallback: {'; '.join(tried)})" if tried else ""),
                ErrorKind.NO_PROBLEMS,
            )
        if split.unmatched_key:
            entries = ", ".join(f"{n}: {a}" for n, a in sorted(split.unmatched_key.items()))
            _error_row(
                result,
                first,
                file_pages,
                engines,
                f"{UNMATCHED_KEY}: {entries}",
                ErrorKind.UNMATCHED_ANSWERS,
                "key",
            )
    finish_answers(result.rows, timeout_s=parse_timeout_s, workers=workers)
    return result


def _ask(
    fallback: Fallback | None, documents: list, wanted: list[tuple[int, int]], result: PairsResult
) -> dict:
    """(document index, page) -> teacher result, one batch for the whole collection."""
    if fallback is None or not wanted:
        return {}
    requests = [
        request
        for d, page in wanted
        for request in fallback_requests(
            documents[d][3], [page], fallback.prompt, fallback.max_tokens, fallback.structured
        )
    ]
    try:
        results, result.teacher = fallback.client.run(requests)
    except (EndpointDown, EndpointRejected) as exc:  # the rules' records stand; a re-run asks again
        results = [ChatResult(key="", error=f"teacher unavailable: {exc}") for _ in requests]
    return dict(zip(wanted, results, strict=True))


def _outcomes(
    split: DocumentSplit,
    d: int,
    doubts: dict[int, str],
    replies: dict,
    fallback: Fallback | None,
    counts: Counter,
) -> dict[int, tuple[list[SplitProblem] | None, str]]:
    """Page -> (the teacher's problems when accepted, else None; the outcome recorded on the rows)."""
    outcomes = {}
    for page in sorted(doubts):
        if fallback is None:
            status, why = "off", "no teacher fallback configured"
        elif (d, page) not in replies:
            status, why = "skipped", f"over the cap of {fallback.max_pages} pages per document"
        else:
            reply = replies[(d, page)]
            if reply.error:
                status, why = "rejected", f"request failed: {reply.error[:200]}"
            else:
                items, why = parse_reply(reply.content, reply.reasoning)
                status = "rejected"
                if not why and not items and any(p.page_start == page for p in split.problems):
                    why = "the teacher found no problem where the rules found some"
                elif not why:
                    outcomes[page] = (teacher_problems(split, page, items), "accepted")
                    counts["accepted"] += 1
                    continue
        outcomes[page] = (None, f"{status}: {why}")
        counts[status] += 1
    return outcomes


def _page_texts(pages: list[PageRow]) -> list[tuple[int, str]]:
    return [(p.page, p.text) for p in _usable(pages)]


def _usable(pages: list[PageRow]) -> list[PageRow]:
    """The pages with text and no error, in page order."""
    return sorted((p for p in pages if not p.error and p.text.strip()), key=lambda p: p.page)


def _unreadable(file_pages: list[PageRow]) -> tuple[str, ErrorKind]:
    """Why a file gave no usable page: its first page error, or no text at all."""
    failed = next((p for p in file_pages if p.error), None)
    return (failed.error, failed.error_kind) if failed else ("no text on any page", ErrorKind.NO_TEXT)


def _error_row(
    result: PairsResult,
    first: PageRow,
    file_pages: list[PageRow],
    engines: str,
    reason: str,
    kind: ErrorKind,
    tag: str = "error",
) -> None:
    numbers = [p.page for p in file_pages]
    result.rows.append(
        ProblemRow(
            id=stable_id(first.collection, first.source_sha256, tag),
            collection=first.collection,
            source_file=first.source_file,
            source_sha256=first.source_sha256,
            page_start=min(numbers),
            page_end=max(numbers),
            ocr_engine=engines,
            error=reason,
            error_kind=kind,
        )
    )
    result.reasons[kind] += 1


def problems_from_forum(
    collection: str, folder: Path, dumps: list[Path], *, parse_timeout_s: float = 5.0, workers: int = 1
) -> PairsResult:
    """One row per thread of each forum dump (first post = problem, chosen reply = solution)."""
    result = PairsResult(rows=[])
    for path in dumps:
        relpath, sha = path.relative_to(folder).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest()
        base = dict(collection=collection, source_file=relpath, source_sha256=sha, page_start=0, page_end=0)
        try:
            threads = read_threads(path)
        except (ValueError, UnicodeDecodeError) as exc:  # json.JSONDecodeError is a ValueError
            threads, reason = [], f"malformed forum dump: {type(exc).__name__}: {str(exc)[:200]}"
        else:
            reason = "no thread with a first post found in the forum dump"
        for thread in threads:
            chosen = choose_solution(thread)
            inline = bool(_INLINE_CHOICES_RE.search(chosen.problem))
            hint = (
                QuestionType.SINGLE_CHOICE
                if inline
                else (QuestionType.PROOF if proof_like(chosen.problem) else "")
            )
            answer_raw, rule = extract_answer(chosen.solution, "", hint)
            result.rows.append(
                ProblemRow(
                    id=stable_id(collection, sha, thread.id),
                    **base,
                    number=thread.id,
                    section=thread.title,
                    type=question_type(chosen.problem, inline, answer_raw),
                    language=detect_language(chosen.problem),
                    problem=chosen.problem,
                    solution=chosen.solution,
                    answer_raw=answer_raw,
                    answer_rule=rule,
                    split_method=SplitMethod.FORUM,
                    split_notes=chosen.notes,
                    raw_text=chosen.problem,
                )
            )
        if not threads:
            result.rows.append(
                ProblemRow(
                    id=stable_id(collection, sha, "error"),
                    **base,
                    error=reason,
                    error_kind=ErrorKind.BAD_FORUM_DUMP,
                )
            )
            result.reasons[ErrorKind.BAD_FORUM_DUMP] += 1
    finish_answers(result.rows, timeout_s=parse_timeout_s, workers=workers)
    return result


def finish_answers(rows: list[ProblemRow], *, timeout_s: float = 5.0, workers: int = 1) -> None:
    """Normalize each row's ``answer_raw`` into ``answer``, check that math-verify parses it (bounded
    time per answer), and say why a row has no usable answer (``answer_issue``)."""
    todo = []
    for row in rows:
        if row.error:
            continue
        if not row.answer_raw:
            row.answer_issue = (
                "proof: no single final answer" if row.type == QuestionType.PROOF else "no answer found"
            )
            continue
        row.answer = normalize_answer(row.answer_raw, row.type)
        if row.answer:
            todo.append(row)
        elif len(row.answer_raw) > MAX_ANSWER_CHARS:
            row.answer_issue = f"answer longer than {MAX_ANSWER_CHARS} characters"
        else:
            row.answer_issue = "nothing left after normalization"
    for row, parses in zip(
        todo, parse_many([r.answer for r in todo], timeout_s=timeout_s, workers=workers), strict=True
    ):
        row.answer_parses = bool(parses)
        if parses is None:
            row.answer_issue = f"math-verify parsing ran over {timeout_s:g} s"
        elif not parses:
            row.answer_issue = "math-verify cannot parse it"
