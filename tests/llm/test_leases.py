"""Leases on ledger keys: two workers on one ledger pay for each key once; a killed worker's keys are
finished by another: at once on the same machine (its process is gone), elsewhere once its leases expire
(``lease_checks``: an expired lease is claimed again, a live one is respected). The teacher is the real local server behind the counting
proxy; the workers are real processes (``cot_worker.py``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from distill.llm.ledger import LedgerEntry, open_ledger
from tests.llm.cot_worker import run
from tests.llm.test_resume import wait_for

WORKER = Path(__file__).with_name("cot_worker.py")
ROOT = Path(__file__).parents[2]


def _entry(key: str) -> LedgerEntry:
    return LedgerEntry(key, "m", "v", "answer", "", "stop", 1, 1, 0.0, 0.0, 1, 0.0)


def lease_checks(ledger) -> None:
    assert ledger.claim(["a", "b"], "w1", 60) == {"a", "b"}
    assert ledger.claim(["a", "b", "c"], "w2", 60) == {"c"}  # w1's live leases are respected
    assert ledger.claim(["a"], "w1", 60) == {"a"}  # an owner may claim again what it holds
    ledger.put_many([_entry("a")])
    assert ledger.claim(["a"], "w2", 60) == set()  # answered: never leased again
    ledger.claim(["d"], "w1", -1)  # a lease that already expired (its worker was killed)
    assert ledger.claim(["d"], "w2", 60) == {"d"}
    ledger.release(["b"], "w1")
    assert ledger.claim(["b"], "w2", 60) == {"b"}
    ledger.renew(["c"], "w2", 60)
    assert ledger.claim(["c"], "w1", 60) == set()


def test_leases_between_owners(tmp_path):
    lease_checks(open_ledger(tmp_path / "ledger.sqlite"))


def _worker(proxy, model_dir, ledger: str, n: int, lease_s: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), proxy.base_url, str(model_dir), ledger, str(n), str(lease_s)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def two_workers_pay_once(proxy, model_dir, ledger: str) -> None:
    workers = [_worker(proxy, model_dir, ledger, 8, 60) for _ in range(2)]
    for worker in workers:
        assert worker.wait(300) == 0
    assert len(proxy.delivered) == 16 and all(n == 1 for n in proxy.delivered.values())
    assert open_ledger(ledger).count() == 16


def killed_worker_finished_by_another(proxy, model_dir, ledger: str) -> None:
    proxy.hold_after(4)  # answers after the 4th stay in the proxy: in flight when the kill comes
    worker = _worker(proxy, model_dir, ledger, 8, 3)  # 3 s leases
    try:
        wait_for(lambda: open_ledger(ledger).count() == 4)
        wait_for(lambda: proxy.held >= 1)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    proxy.hold_after(None)
    out, stats = run(proxy.base_url, str(model_dir), ledger, 8, lease_s=3)
    assert not any(r.error for r in out) and len({r.request_key for r in out}) == 16
    assert stats.cached == 4 and stats.sent == 12 and open_ledger(ledger).count() == 16
    # none delivered twice; what was in flight at the kill was paid and asked again (no ledger saves it)
    assert all(n == 1 for n in proxy.delivered.values()) and set(proxy.lost) <= {r.request_key for r in out}


def test_two_processes_on_one_sqlite_ledger_pay_each_key_once(tmp_path, fault_proxy, local_model_dir):
    two_workers_pay_once(fault_proxy(), local_model_dir, str(tmp_path / "ledger.sqlite"))


def test_a_killed_workers_keys_are_finished_after_its_leases_expire(tmp_path, fault_proxy, local_model_dir):
    killed_worker_finished_by_another(fault_proxy(), local_model_dir, str(tmp_path / "ledger.sqlite"))


def test_leases_between_owners_on_postgres(postgres_db):
    lease_checks(open_ledger(postgres_db))


def test_the_postgres_ledger_keeps_entries_like_sqlite(postgres_db):
    ledger = open_ledger(postgres_db)
    first = _entry("k")
    ledger.put_many([first])
    again = open_ledger(postgres_db)  # another connection, as another process would have
    assert again.get_many(["k", "x"]) == {"k": first} and again.count() == 1
    assert "test@" not in repr(again)


def test_two_processes_on_one_postgres_ledger_pay_each_key_once(postgres_db, fault_proxy, local_model_dir):
    two_workers_pay_once(fault_proxy(), local_model_dir, postgres_db)


def test_a_killed_workers_keys_are_finished_on_postgres(postgres_db, fault_proxy, local_model_dir):
    killed_worker_finished_by_another(fault_proxy(), local_model_dir, postgres_db)


def test_only_the_leases_of_dead_workers_of_this_machine_are_freed(tmp_path):
    import socket

    from distill.llm.ledger import release_dead_leases

    ledger = open_ledger(tmp_path / "ledger.sqlite")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    here = socket.gethostname()
    ledger.claim(["a"], f"{here}:{dead.pid}:x", 600)  # a killed run of this machine
    ledger.claim(["b"], f"{here}:{os.getpid()}:y", 600)  # a live one
    ledger.claim(["c"], f"elsewhere:{dead.pid}:z", 600)  # a worker on another machine: its lease stands
    release_dead_leases(ledger, ["a", "b", "c"])
    assert set(ledger.holders(["a", "b", "c"])) == {"b", "c"}
