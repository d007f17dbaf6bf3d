"""Teacher fallback for pages that the splitting rules cannot split confidently (no Dagster).

``review_pages`` names the pages in doubt and why: the rules found no problem in a document with text,
a page holds much text that went to no problem, or a problem starting on it had to be repaired (its
number inferred, its stem lost). ``fallback_requests`` asks the teacher to split each such page into
the record fields, as one JSON object following ``RESPONSE_SCHEMA`` (a structured-output request, and
the schema in the prompt too; the reply is validated here whatever the endpoint made of the request), and
``parse_reply`` validates a reply into ``SplitProblem`` records or says why it was rejected.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum

from distill.core.kinds import QuestionType
from distill.core.scripts import detect_language
from distill.llm.client import ChatRequest
from distill.llm.prompts import Prompt
from distill.llm.reasoning import split_reasoning
from distill.problems.splitting import NUMBERS_SKIPPED, DocumentSplit, SplitProblem

TYPES = tuple(QuestionType)
RESPONSE_SCHEMA: dict = {
    "type": "object",
    "required": ["problems"],
    "properties": {
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["number", "problem", "options", "solution", "answer_raw", "type"],
                "properties": {
                    "number": {"type": "string"},
                    "section": {"type": "string"},
                    "type": {"enum": list(TYPES)},
                    "problem": {"type": "string", "minLength": 1},
                    "options": {"type": "array", "items": {"type": "string"}},
                    "solution": {"type": "string"},
                    "answer_raw": {"type": "string"},
                },
            },
        }
    },
}
DOUBT_FLAGS = frozenset({"number_inferred", "empty_stem", NUMBERS_SKIPPED})
MIN_PAGE_CHARS = 20  # a page with fewer letters, digits and CJK characters is not worth a request
UNCOVERED_CHARS = 150  # text in no problem that makes a page doubtful (and at least UNCOVERED_SHARE of it)
UNCOVERED_SHARE = 0.4
_MEANINGFUL_RE = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")
_FENCE_RE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


def meaningful_chars(text: str) -> int:
    return len(_MEANINGFUL_RE.findall(text))


def page_text(split: DocumentSplit, page: int) -> str:
    return next(split.text[start:end] for no, start, end in split.page_spans if no == page).strip()


def review_pages(split: DocumentSplit) -> dict[int, str]:
    """Page -> why the rules' split of it is in doubt (pages with almost no text are never in doubt)."""
    doubts: dict[int, str] = {}
    for page, start, end in split.page_spans:
        total = meaningful_chars(split.text[start:end])
        if total < MIN_PAGE_CHARS:
            continue
        if not split.problems:
            doubts[page] = "no problem found by the rules"
            continue
        uncovered = sum(meaningful_chars(line) for offset, line in split.uncovered if start <= offset < end)
        if uncovered >= max(UNCOVERED_CHARS, UNCOVERED_SHARE * total):
            doubts[page] = f"{uncovered} of {total} characters are in no problem"
            continue
        repaired = [p for p in split.problems if p.page_start == page and DOUBT_FLAGS & set(p.flags)]
        if repaired:
            doubts[page] = "repaired problems: " + ", ".join(
                f"{p.number} ({', '.join(sorted(DOUBT_FLAGS & set(p.flags)))})" for p in repaired
            )
    return doubts


class SendPages(StrEnum):
    """Which pages of a document the teacher fallback re-splits."""

    DOUBTFUL = "doubtful"  # the pages ``review_pages`` doubts (the default)
    ALL = "all"  # every page with text: the teacher-always mode, to compare with the rules


ALWAYS = "teacher-always mode"  # the reason given for a page sent only because every page is sent


def pages_to_send(split: DocumentSplit, doubts: dict[int, str], send: SendPages) -> dict[int, str]:
    """Page -> why it goes to the teacher: the doubtful pages, or every page with text."""
    if send is SendPages.DOUBTFUL:
        return dict(doubts)
    return {
        page: doubts.get(page, ALWAYS)
        for page, start, end in split.page_spans
        if meaningful_chars(split.text[start:end]) >= MIN_PAGE_CHARS
    }


def response_format(kind: str) -> dict | None:
    """The structured-output request: "json_schema" (OpenAI, vLLM), "json_object" (DeepSeek's JSON
    mode; the schema is in the prompt either way) or "none" (endpoints that reject both)."""
    if kind == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "page_problems", "schema": RESPONSE_SCHEMA}}
    if kind == "json_object":
        return {"type": "json_object"}
    if kind == "none":
        return None
    raise ValueError(f"unknown response format {kind!r}: json_schema, json_object or none")


def fallback_requests(
    split: DocumentSplit, pages: list[int], prompt: Prompt, max_tokens: int, structured: str = "json_schema"
) -> list[ChatRequest]:
    """One request per page: its cleaned text, the response schema in the prompt and as structured
    output (``response_format``)."""
    schema = json.dumps(RESPONSE_SCHEMA, ensure_ascii=False)
    return [
        ChatRequest(
            prompt.messages(schema=schema, page=str(page), page_text=page_text(split, page)),
            prompt.version,
            max_tokens=max_tokens,
            response_format=response_format(structured),
        )
        for page in pages
    ]


def _validated(data: object) -> list[dict]:
    """The problem items of a reply; raises ValueError naming the first field that breaks the schema."""
    if not isinstance(data, dict) or not isinstance(data.get("problems"), list):
        raise ValueError('no "problems" list')
    items = []
    for i, item in enumerate(data["problems"]):
        where = f"problems[{i}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where} is not an object")
        if isinstance(item.get("number"), int):
            item = {**item, "number": str(item["number"])}
        for name in ("number", "problem", "solution", "answer_raw", "section"):
            if name in item and not isinstance(item[name], str):
                raise ValueError(f"{where}.{name} is not a string")
        if not item.get("problem", "").strip():
            raise ValueError(f"{where}.problem is missing or empty")
        options = item.get("options", [])
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise ValueError(f"{where}.options is not a list of strings")
        if item.get("type", QuestionType.UNKNOWN) not in TYPES:
            raise ValueError(f"{where}.type {item.get('type')!r} is not one of {', '.join(TYPES)}")
        items.append(item)
    return items


def parse_reply(content: str, reasoning: str = "") -> tuple[list[dict], str]:
    """(problem items, "") for a reply that follows the schema, else ([], why it was rejected).

    The JSON may be wrapped in a code fence or follow a reasoning block; anything else around it
    makes the reply invalid."""
    _, final, _ = split_reasoning(content, reasoning)
    text = _FENCE_RE.sub("", final.strip())
    if not text:
        return [], "empty reply"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], f"not valid JSON ({exc.msg} at char {exc.pos}): {text[:80]!r}"
    try:
        return _validated(data), ""
    except ValueError as exc:
        return [], f"JSON does not follow the schema: {exc}"


def teacher_problems(split: DocumentSplit, page: int, items: list[dict]) -> list[SplitProblem]:
    """``SplitProblem`` records from validated items; the span is where the problem text is found on
    the page (the whole page when it is not found verbatim, noted as ``span_is_page``)."""
    start, end = next((s, e) for no, s, e in split.page_spans if no == page)
    language = detect_language(split.text)
    out = []
    for item in items:
        problem = item["problem"].strip()
        found = split.text.find(problem[:40], start, end)
        span, notes = (
            ((found, min(end, found + len(problem))), []) if found >= 0 else ((start, end), ["span_is_page"])
        )
        qtype = QuestionType(item.get("type", QuestionType.UNKNOWN))
        answer = "" if qtype == QuestionType.PROOF else item.get("answer_raw", "").strip()
        out.append(
            SplitProblem(
                number=item.get("number", "").strip(),
                section=item.get("section", "").strip(),
                type=qtype,
                language=language,
                problem=problem,
                options=[o.strip() for o in item.get("options", [])],
                solution=item.get("solution", "").strip(),
                answer_raw=answer,
                answer_rule="teacher" if answer else "none",
                page_start=page,
                page_end=page,
                raw_text=split.text[span[0] : span[1]],
                char_span=span,
                flags=notes,
            )
        )
    return out
