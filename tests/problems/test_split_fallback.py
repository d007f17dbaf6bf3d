"""The teacher fallback of splitting: which pages go to it, how its replies are validated, and which
path produced each row. The teacher is the real local server (SmolLM2-135M, which ignores
``response_format`` and rarely writes valid JSON): the tests assert the recorded path, not its quality."""

from __future__ import annotations

import json

from distill.core.records import PageRow
from distill.llm.client import TeacherClient, TeacherSettings
from distill.llm.ledger import LedgerEntry, SqliteLedger
from distill.llm.prompts import Prompt
from distill.problems.pairs import Fallback, problems_from_pages
from distill.problems.split_fallback import (
    ALWAYS,
    SendPages,
    fallback_requests,
    parse_reply,
    review_pages,
    teacher_problems,
)
from distill.problems.splitting import split_pages

PROMPT = Prompt.load("configs/prompts/split_fallback.yaml")
# Problem 2 lost its number line: the rules infer it, and its page is in doubt.
LOST_NUMBER = """1. 计算 $2+3$.
【答案】5
【解析】直接计算.
故答案为5.
计算 $3+4$.
【答案】7
3. 计算 $4+5$.
【答案】9"""
NOISE = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor."
VALID = {
    "problems": [
        {
            "number": "1",
            "type": "fill",
            "problem": "计算 $2+3$.",
            "options": [],
            "solution": "直接计算.",
            "answer_raw": "5",
        },
        {
            "number": "2",
            "type": "fill",
            "problem": "计算 $3+4$.",
            "options": [],
            "solution": "",
            "answer_raw": "7",
        },
        {
            "number": "3",
            "type": "proof",
            "problem": "Show it.",
            "options": [],
            "solution": "",
            "answer_raw": "9",
        },
    ]
}


def pages_of(source: str, *texts: str) -> list[PageRow]:
    return [
        PageRow(
            collection="c",
            source_file=source,
            source_sha256=source,
            page=i,
            text=text,
            method="text-layer",
            engine="pymupdf",
        )
        for i, text in enumerate(texts, start=1)
    ]


def test_pages_in_doubt_and_why():
    assert review_pages(split_pages([(1, LOST_NUMBER)])) == {1: "repaired problems: 2 (number_inferred)"}
    assert review_pages(split_pages([(1, NOISE), (2, "- 2 -"), (3, "ok")])) == {
        1: "no problem found by the rules"
    }
    clean = "1. 计算 $1+1$.\n【答案】2\n2. 计算 $2+2$.\n【答案】4"
    assert review_pages(split_pages([(1, clean)])) == {}
    stray = clean + "\n\n" + "\n".join([NOISE] * 3)  # a page whose text mostly went to no problem
    assert (
        review_pages(split_pages([(1, "1. 计算 $1+1$.\n【答案】2"), (2, "【解析】略\n" + NOISE * 3)])) == {}
    )
    assert review_pages(split_pages([(1, stray)])) == {}  # after a problem, text is its solution
    orphan = split_pages([(1, clean), (2, "Answer Key\n" + NOISE * 3)])
    assert list(review_pages(orphan)) == [2]


def test_replies_are_validated_against_the_schema():
    assert parse_reply(json.dumps(VALID))[0][1]["problem"] == "计算 $3+4$."
    fenced = "<think>the page has three problems</think>\n```json\n" + json.dumps(VALID) + "\n```"
    assert len(parse_reply(fenced)[0]) == 3
    assert len(parse_reply(json.dumps(VALID), reasoning="thinking in its own field")[0]) == 3
    assert parse_reply("") == ([], "empty reply")
    assert parse_reply("Sure! Here are the problems: 1. ...")[1].startswith("not valid JSON (Expecting value")
    assert parse_reply('{"items": []}') == ([], 'JSON does not follow the schema: no "problems" list')
    bad_type = {"problems": [{**VALID["problems"][0], "type": "essay"}]}
    assert "problems[0].type 'essay' is not one of" in parse_reply(json.dumps(bad_type))[1]
    empty = {"problems": [{**VALID["problems"][0], "problem": " "}]}
    assert parse_reply(json.dumps(empty))[1].endswith("problems[0].problem is missing or empty")
    options = {"problems": [{**VALID["problems"][0], "options": "A. 1"}]}
    assert parse_reply(json.dumps(options))[1].endswith("problems[0].options is not a list of strings")
    assert parse_reply('{"problems": []}') == ([], "")


def test_teacher_records_locate_their_text_on_the_page():
    split = split_pages([(1, LOST_NUMBER)])
    items, _ = parse_reply(json.dumps(VALID))
    first, second, proof = teacher_problems(split, 1, items)
    assert split.text[first.char_span[0] : first.char_span[1]] == "计算 $2+3$." and first.flags == []
    assert second.raw_text == "计算 $3+4$." and second.answer_rule == "teacher"
    assert proof.char_span == (0, len(split.text)) and proof.flags == ["span_is_page"]
    assert (proof.type, proof.answer_raw, proof.answer_rule) == ("proof", "", "none")


def test_real_teacher_path_is_recorded_and_never_paid_twice(tmp_path, local_teacher, local_model_dir):
    settings = TeacherSettings(
        base_url=local_teacher.base_url,
        model="local:smollm2",
        served_model=str(local_model_dir),
        max_tokens=16,
        temperature=0.0,
        max_retries=0,
        timeout_s=600,
    )
    client = TeacherClient(settings, SqliteLedger(tmp_path / "ledger.sqlite"))
    pages = pages_of("lost.pdf", LOST_NUMBER) + pages_of("noise.pdf", NOISE)
    first = problems_from_pages(pages, Fallback(client, PROMPT, max_tokens=16))
    assert first.teacher.requested == 2 and first.teacher.sent + first.teacher.failed == 2
    assert sum(first.fallback.values()) == 2 and set(first.fallback) <= {"accepted", "rejected"}
    lost = [r for r in first.rows if r.source_file == "lost.pdf"]
    for row in lost:  # whichever path won, the row says so and keeps what the other path gave
        if row.split_fallback == "accepted":
            assert row.split_method == "teacher" and json.loads(row.rule_record)[1]["number"] == "2"
        else:
            assert row.split_method == "rules" and row.split_fallback.startswith("rejected: ")
            assert row.split_notes[-1] == "doubt: repaired problems: 2 (number_inferred)"
    if all(r.split_method == "rules" for r in lost):
        assert [(r.number, r.answer) for r in lost] == [("1", "5"), ("2", "7"), ("3", "9")]
    (noise,) = [r for r in first.rows if r.source_file == "noise.pdf"]
    assert noise.error is not None or noise.split_method == "teacher"
    if noise.error:
        assert noise.error.startswith("no problem found by the splitting rules (teacher fallback: rejected: ")
    again = problems_from_pages(pages, Fallback(client, PROMPT, max_tokens=16))
    assert again.teacher.cached == first.teacher.sent  # replies that arrived come from the ledger
    assert again.teacher.sent + again.teacher.failed == first.teacher.failed
    if first.teacher.failed == 0:
        assert [(r.id, r.split_fallback) for r in again.rows] == [
            (r.id, r.split_fallback) for r in first.rows
        ]


def _answered(tmp_path, reply: dict) -> TeacherClient:
    """A client whose ledger already holds the teacher's `reply` to the fallback request of LOST_NUMBER."""
    settings = TeacherSettings(base_url="http://127.0.0.1:9/v1", model="m", max_retries=0, timeout_s=5)
    ledger = SqliteLedger(tmp_path / "ledger.sqlite")
    client = TeacherClient(settings, ledger)
    (request,) = fallback_requests(split_pages([(1, LOST_NUMBER)]), [1], PROMPT, 256)
    ledger.put(
        LedgerEntry(
            key=client.key(request),
            model="m",
            prompt_version=PROMPT.version,
            content=json.dumps(reply, ensure_ascii=False),
            reasoning="",
            finish_reason="stop",
            prompt_tokens=1,
            completion_tokens=1,
            latency_s=0.0,
            cost_usd=0.0,
            attempts=1,
            created_at=0.0,
        )
    )
    return client


def test_a_valid_reply_replaces_the_rules_and_keeps_their_record(tmp_path):
    """The accepted path, with the teacher's reply already in the ledger (no endpoint is called)."""
    client = _answered(tmp_path, VALID)
    result = problems_from_pages(pages_of("lost.pdf", LOST_NUMBER), Fallback(client, PROMPT, max_tokens=256))
    assert result.fallback == {"accepted": 1} and result.teacher.cached == 1
    assert not any(note.startswith("count_differs") for row in result.rows for note in row.split_notes)
    rows = result.rows
    assert [(r.number, r.split_method, r.split_fallback, r.answer) for r in rows] == [
        ("3", "teacher", "accepted", ""),  # located on no text: its span is the whole page
        ("1", "teacher", "accepted", "5"),
        ("2", "teacher", "accepted", "7"),
    ]
    rules = json.loads(rows[1].rule_record)
    assert [r["number"] for r in rules] == ["1", "2", "3"] and rules[1]["flags"] == ["number_inferred"]
    assert rows[0].answer_issue == "proof: no single final answer"


def test_when_the_teacher_counts_other_problems_than_the_rules_the_rows_say_so(tmp_path):
    client = _answered(tmp_path, {"problems": VALID["problems"][1:]})
    rows = problems_from_pages(
        pages_of("lost.pdf", LOST_NUMBER), Fallback(client, PROMPT, max_tokens=256)
    ).rows
    assert [r.split_method for r in rows] == ["teacher"] * (len(VALID["problems"]) - 1)
    assert all("count_differs: rules 3, teacher 2" in r.split_notes for r in rows)
    assert [p["number"] for p in json.loads(rows[0].rule_record)] == ["1", "2", "3"]  # both records kept


def test_an_unreachable_teacher_leaves_the_rules_records(tmp_path):
    settings = TeacherSettings(base_url="http://127.0.0.1:9/v1", model="m", max_retries=0, timeout_s=5)
    client = TeacherClient(settings, SqliteLedger(tmp_path / "ledger.sqlite"))
    result = problems_from_pages(pages_of("lost.pdf", LOST_NUMBER), Fallback(client, PROMPT, max_tokens=16))
    assert [(r.number, r.split_method, r.answer) for r in result.rows] == [
        ("1", "rules", "5"),
        ("2", "rules", "7"),
        ("3", "rules", "9"),
    ]
    assert all(r.split_fallback.startswith("rejected: request failed: ") for r in result.rows)
    assert result.fallback == {"rejected": 1}


CLEAN = """1. 计算 $1+1$ 的值.
【答案】2
【解析】直接相加即得.
2. 计算 $2+2$ 的值.
【答案】4
【解析】直接相加即得."""


def test_doubtful_pages_are_counted_and_only_they_are_sent_by_default(tmp_path):
    settings = TeacherSettings(base_url="http://127.0.0.1:9/v1", model="m", max_retries=0, timeout_s=5)
    client = TeacherClient(settings, SqliteLedger(tmp_path / "ledger.sqlite"))
    pages = pages_of("lost.pdf", LOST_NUMBER) + pages_of("clean.pdf", CLEAN)
    rules_only = problems_from_pages(pages)
    assert rules_only.pages_in_doubt == 1 and rules_only.fallback == {"off": 1}
    doubtful = problems_from_pages(pages, Fallback(client, PROMPT, max_tokens=16))
    assert doubtful.pages_in_doubt == 1 and doubtful.fallback == {"rejected": 1}
    clean_rows = [r for r in doubtful.rows if r.source_file == "clean.pdf"]
    assert all(not r.split_fallback and not r.split_notes for r in clean_rows)


def test_the_teacher_always_mode_sends_every_page_with_text(tmp_path):
    settings = TeacherSettings(base_url="http://127.0.0.1:9/v1", model="m", max_retries=0, timeout_s=5)
    client = TeacherClient(settings, SqliteLedger(tmp_path / "ledger.sqlite"))
    pages = pages_of("lost.pdf", LOST_NUMBER) + pages_of("clean.pdf", CLEAN)
    always = problems_from_pages(pages, Fallback(client, PROMPT, max_tokens=16, send=SendPages.ALL))
    assert always.pages_in_doubt == 1 and always.fallback == {"rejected": 2}  # both pages were sent
    clean_rows = [r for r in always.rows if r.source_file == "clean.pdf"]
    assert [r.split_method for r in clean_rows] == ["rules", "rules"]  # the request failed: the rules stand
    assert all(f"doubt: {ALWAYS}" in r.split_notes for r in clean_rows)
