"""The teacher client against the real local server (transformers serve over loopback)."""

import asyncio
import contextlib

import pytest
from openai.types.chat import ChatCompletionMessage

from distill.llm.client import ChatRequest, TeacherClient, TeacherSettings, _GroupCommit, reasoning_of
from distill.llm.ledger import LedgerEntry, SqliteLedger
from distill.llm.local_server import free_port


def settings(base_url: str, model_dir, **overrides) -> TeacherSettings:
    return TeacherSettings(
        base_url=base_url,
        model="local:smollm2",
        served_model=str(model_dir),
        **{"max_tokens": 8, "max_retries": 0, "timeout_s": 120, **overrides},
    )


def test_completed_calls_are_kept_and_never_requested_again(tmp_path, local_teacher, local_model_dir):
    ledger = SqliteLedger(tmp_path / "ledger.sqlite")
    requests = [
        ChatRequest([{"role": "user", "content": f"Say the number {i}."}], "test-v1", sample_index=0)
        for i in range(3)
    ]
    requests.append(requests[0])  # the same request twice in one batch is sent once
    results, stats = TeacherClient(settings(local_teacher.base_url, local_model_dir), ledger).run(requests)
    assert stats.sent == 3 and stats.cached == 0 and stats.failed == 0 and stats.deduplicated == 1
    assert all(r.content and r.finish_reason in ("stop", "length") and r.attempts == 1 for r in results)
    assert results[3].key == results[0].key and ledger.count() == 3
    assert stats.prompt_tokens > 0 and stats.completion_tokens > 0

    # Nothing listens on this port: every answer must come from the ledger.
    dead = TeacherClient(settings(f"http://127.0.0.1:{free_port()}/v1", local_model_dir), ledger)
    again, stats = dead.run(requests)
    assert stats.cached == 4 and stats.sent == 0 and stats.failed == 0
    assert [r.content for r in again] == [r.content for r in results]


def test_results_stream_to_the_sink_as_they_are_committed(tmp_path, local_teacher, local_model_dir):
    ledger = SqliteLedger(tmp_path / "ledger.sqlite")
    client = TeacherClient(settings(local_teacher.base_url, local_model_dir, concurrency=2), ledger)
    seen = []

    def sink(index, result):
        assert ledger.get_many([result.key])  # committed before the caller sees it
        seen.append(index)

    requests = (ChatRequest([{"role": "user", "content": f"Count to {i}."}], "test-v1") for i in range(3))
    stats = client.stream(requests, sink)  # a generator: the client never needs the whole list
    assert sorted(seen) == list(range(3)) and stats.requested == 3 and stats.sent == 3


def test_sample_index_and_response_format_make_distinct_requests(tmp_path, local_teacher, local_model_dir):
    ledger = SqliteLedger(tmp_path / "ledger.sqlite")
    client = TeacherClient(settings(local_teacher.base_url, local_model_dir), ledger)
    messages = [{"role": "user", "content": "Pick a number."}]
    requests = [ChatRequest(messages, "test-v1", sample_index=k) for k in range(2)]
    requests.append(ChatRequest(messages, "test-v1", response_format={"type": "json_object"}))
    _, stats = client.run(requests)
    assert stats.sent == 3 and ledger.count() == 3


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"reasoning_content": "DeepSeek API"}, "DeepSeek API"),
        ({"reasoning": "vLLM --reasoning-parser"}, "vLLM --reasoning-parser"),
        ({}, ""),
    ],
)
def test_reasoning_is_read_from_either_field(extra, expected):
    message = ChatCompletionMessage.model_validate({"role": "assistant", "content": "\\boxed{5}", **extra})
    assert reasoning_of(message) == expected


def test_answers_gathering_for_one_commit_are_committed_when_the_run_stops(tmp_path):
    """The commit task takes an answer and waits a moment for more to join it: stopped then, the answer
    it holds is committed by the flush with those still queued."""
    ledger = SqliteLedger(tmp_path / "l.sqlite")
    committed = []
    commits = _GroupCommit(ledger, committed.append, backlog=8)

    async def stopped_while_gathering() -> None:
        task = asyncio.create_task(commits.run())
        for key in ("a", "b"):
            await commits.put(LedgerEntry(key, "m", "v1", "answer", "", "stop", 3, 5, 0.1, 0.0, 1, 0.0))
        await asyncio.sleep(0)  # the task takes "a" and waits for more to join it
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(stopped_while_gathering())
    assert ledger.count() == 0 and committed == []
    commits.flush()
    assert sorted(ledger.get_many(["a", "b"])) == ["a", "b"]
