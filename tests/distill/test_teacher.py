"""The teacher client against the real local server (transformers serve over loopback)."""

from distill.ledger import SqliteLedger
from distill.local_server import free_port
from distill.teacher import ChatRequest, TeacherClient, TeacherSettings


def settings(base_url: str, model_dir) -> TeacherSettings:
    return TeacherSettings(base_url=base_url, model="local:smollm2", served_model=str(model_dir), max_tokens=8,
                           max_retries=0, timeout_s=120)  # fmt: skip


def test_completed_calls_are_kept_and_never_requested_again(tmp_path, local_teacher, local_model_dir):
    ledger = SqliteLedger(tmp_path / "ledger.sqlite")
    requests = [
        ChatRequest([{"role": "user", "content": f"Say the number {i}."}], "test-v1", sample_index=0)
        for i in range(3)
    ]
    requests.append(requests[0])  # the same request twice in one batch is sent once
    results, stats = TeacherClient(settings(local_teacher.base_url, local_model_dir), ledger).run(requests)
    assert stats.sent == 3 and stats.cached == 0 and stats.failed == 0
    assert all(r.content and r.finish_reason in ("stop", "length") for r in results)
    assert results[3].key == results[0].key and ledger.count() == 3

    # Nothing listens on this port: every answer must come from the ledger.
    dead = TeacherClient(settings(f"http://127.0.0.1:{free_port()}/v1", local_model_dir), ledger)
    again, stats = dead.run(requests)
    assert stats.cached == 4 and stats.sent == 0 and stats.failed == 0
    assert [r.content for r in again] == [r.content for r in results]


def test_a_dead_endpoint_gives_recorded_errors_not_a_crash(tmp_path, local_model_dir):
    ledger = SqliteLedger(tmp_path / "ledger.sqlite")
    client = TeacherClient(settings(f"http://127.0.0.1:{free_port()}/v1", local_model_dir), ledger)
    results, stats = client.run([ChatRequest([{"role": "user", "content": "hi"}], "test-v1")])
    assert stats.failed == 1 and results[0].error.startswith("APIConnectionError")
    assert ledger.count() == 0


def test_sample_index_makes_distinct_requests(tmp_path, local_teacher, local_model_dir):
    ledger = SqliteLedger(tmp_path / "ledger.sqlite")
    client = TeacherClient(settings(local_teacher.base_url, local_model_dir), ledger)
    messages = [{"role": "user", "content": "Pick a number."}]
    _, stats = client.run([ChatRequest(messages, "test-v1", sample_index=k) for k in range(2)])
    assert stats.sent == 2 and ledger.count() == 2
