"""The teacher step against the real local teacher behind a fault-injecting proxy on loopback."""

import pytest

from benchmarks.teacher_bench import sum_problems
from distill.cot.generate import generate_cot
from distill.llm.client import ChatRequest, TeacherClient, TeacherSettings
from distill.llm.flow_control import EndpointDown, EndpointRejected
from distill.llm.ledger import SqliteLedger
from distill.llm.prompts import Prompt

PROMPT = "configs/prompts/cot_distill.yaml"


def settings(base_url: str, model_dir, **overrides) -> TeacherSettings:
    values = dict(
        max_tokens=4,
        concurrency=4,
        timeout_s=30.0,
        max_retries=12,
        breaker_threshold=5,
        breaker_cooldown_s=0.5,
        breaker_give_up_s=120.0,
    )
    return TeacherSettings(
        base_url=base_url, model="local:smollm2", served_model=str(model_dir), **{**values, **overrides}
    )


def test_every_sample_arrives_and_nothing_is_paid_twice_through_faults(
    tmp_path, fault_proxy, local_model_dir
):
    faults = {"429": 0.1, "500": 0.1, "drop": 0.1, "slow": 0.05, "truncate": 0.05, "truncate_json": 0.05}
    # seed 38 draws every fault within its first 10 attempts; slow: past the client's 30 s timeout
    proxy = fault_proxy(faults, seed=38, slow_s=32.0, retry_after="0.5")
    ledger = SqliteLedger(tmp_path / "ledger.sqlite")
    client = TeacherClient(settings(proxy.base_url, local_model_dir), ledger)
    rows = sum_problems(6)
    out, stats = generate_cot(rows, client, Prompt.load(PROMPT), "distill", samples=2)

    assert all(proxy.injected[f] > 0 for f in faults), proxy.injected  # every fault was met
    assert [(r.id, r.sample_index) for r in out] == [(p.id, k) for p in rows for k in range(2)]
    assert not any(r.error for r in out) and stats.failed == 0 and stats.sent == 12
    assert all(r.truncated == (r.finish_reason == "length") for r in out) and any(r.truncated for r in out)
    assert stats.retries == sum(r.attempts - 1 for r in out) > 0
    # Each answer that reached the client was committed once and never asked for again.
    keys = {r.request_key for r in out}
    assert set(proxy.delivered) == keys and all(n == 1 for n in proxy.delivered.values())
    assert ledger.count() == len(keys) == sum(proxy.delivered.values())

    # A re-run of the partition sends nothing.
    attempts = proxy.attempts
    again, stats = generate_cot(rows, client, Prompt.load(PROMPT), "distill", samples=2)
    assert stats.cached == 12 and stats.sent == 0 and proxy.attempts == attempts
    assert [r.request_key for r in again] == [r.request_key for r in out]


def test_a_bad_request_fails_alone_without_retries(tmp_path, fault_proxy, local_model_dir):
    proxy = fault_proxy({"400": 1.0})
    client = TeacherClient(settings(proxy.base_url, local_model_dir), SqliteLedger(tmp_path / "l.sqlite"))
    results, stats = client.run([ChatRequest([{"role": "user", "content": f"q{i}"}], "v1") for i in range(3)])
    assert stats.failed == 3 and proxy.attempts == 3 and stats.errors == {"BadRequestError": 3}
    assert all(r.error.startswith("BadRequestError: HTTP 400") for r in results)


def test_a_dead_endpoint_stops_the_step_instead_of_burning_retries(tmp_path, fault_proxy, local_model_dir):
    proxy = fault_proxy({"drop": 1.0})
    client = TeacherClient(
        settings(proxy.base_url, local_model_dir, breaker_threshold=4, breaker_give_up_s=1.5),
        SqliteLedger(tmp_path / "l.sqlite"),
    )
    requests = [ChatRequest([{"role": "user", "content": f"q{i}"}], "v1") for i in range(40)]
    with pytest.raises(EndpointDown, match="failed every call"):
        client.run(requests)
    assert proxy.attempts < 20  # without the breaker: 40 requests x 13 attempts


def test_a_rejected_key_stops_the_step_at_once(tmp_path, fault_proxy, local_model_dir):
    proxy = fault_proxy({"401_echo": 1.0})
    client = TeacherClient(
        settings(proxy.base_url, local_model_dir, api_key="sk-do-not-echo-me"),
        SqliteLedger(tmp_path / "l.sqlite"),
    )
    with pytest.raises(EndpointRejected, match="401") as failure:
        client.run([ChatRequest([{"role": "user", "content": f"q{i}"}], "v1") for i in range(20)])
    assert "sk-do-not-echo-me" not in str(failure.value) and proxy.attempts <= 4


def test_answers_received_before_the_step_stops_are_kept(tmp_path, fault_proxy, local_model_dir):
    proxy = fault_proxy({"401_echo": 0.3}, seed=5)  # six answers, then a rejected key
    ledger = SqliteLedger(tmp_path / "l.sqlite")
    client = TeacherClient(settings(proxy.base_url, local_model_dir), ledger)
    requests = [ChatRequest([{"role": "user", "content": f"q{i}"}], "v1") for i in range(20)]
    with pytest.raises(EndpointRejected):
        client.run(requests)
    committed = ledger.get_many([client.key(r) for r in requests])
    assert set(committed) == set(proxy.delivered) and len(committed) >= 1
