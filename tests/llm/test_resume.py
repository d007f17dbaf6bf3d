"""A teacher step killed with SIGKILL in the middle resumes without losing or repeating an answer."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from distill.llm.ledger import SqliteLedger
from tests.llm.cot_worker import run

WORKER = Path(__file__).with_name("cot_worker.py")


def wait_for(condition, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_sigkill_in_the_middle_then_resume(tmp_path, fault_proxy, local_model_dir):
    proxy = fault_proxy({"500": 0.1, "drop": 0.1}, seed=3)
    proxy.hold_after(6)  # answers after the 6th stay in the proxy: in flight when the kill comes
    ledger_path = str(tmp_path / "ledger.sqlite")
    args = [proxy.base_url, str(local_model_dir), ledger_path, "8"]  # 8 problems x 2 samples
    root = Path(__file__).parents[2]  # on the worker's path for ``benchmarks``
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), *args], cwd=root, env={**os.environ, "PYTHONPATH": str(root)}
    )
    try:
        wait_for(lambda: SqliteLedger(ledger_path).count() == 6)
        wait_for(lambda: proxy.held >= 1)  # an answer the server gave is in flight
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    assert worker.returncode == -signal.SIGKILL
    assert SqliteLedger(ledger_path).count() == sum(proxy.delivered.values()) == 6  # nothing lost

    proxy.hold_after(None)
    out, stats = run(*args[:3], 8)
    assert stats.cached == 6 and stats.sent == 10 and not any(r.error for r in out)
    assert [(r.id, r.sample_index) for r in out] == [(f"p{i}", k) for i in range(8) for k in range(2)]
    keys = {r.request_key for r in out}
    assert set(proxy.delivered) == keys and all(n == 1 for n in proxy.delivered.values())  # none twice
    assert SqliteLedger(ledger_path).count() == 16
    # What was in flight at the kill was answered by the server and never received: paid, and asked
    # again by the resumed run (at most `concurrency` answers; no ledger can save those).
    assert sum(proxy.lost.values()) >= proxy.held >= 1 and set(proxy.lost) <= keys
