"""A fleet of two real local teacher servers used as one teacher: requests spread over both, one server
killed mid-run is ejected by its breaker and every sample still arrives; the step reports per server."""

from __future__ import annotations

import os
import signal
import threading

from distill.llm.client import ChatRequest, TeacherClient, TeacherSettings
from distill.llm.fleet import shown_url
from distill.llm.ledger import SqliteLedger
from distill.llm.local_server import LocalTeacherServer
from tests.llm.fault_proxy import FaultProxy
from tests.llm.test_resume import wait_for


def test_a_fleet_spreads_requests_and_survives_a_killed_server(tmp_path, local_teacher, local_model_dir):
    with LocalTeacherServer(local_model_dir) as second:
        second.base_url  # noqa: B018 - waits until it answers
        proxies = [FaultProxy(local_teacher.port).start(), FaultProxy(second.port).start()]
        settings = TeacherSettings(
            base_url="",
            base_urls=tuple(p.base_url for p in proxies),
            model="local:smollm2",
            served_model=str(local_model_dir),
            max_tokens=4,
            concurrency=4,
            timeout_s=60,
            max_retries=12,
            breaker_threshold=2,
            breaker_cooldown_s=0.5,
        )
        requests = [ChatRequest([{"role": "user", "content": f"Say {i}."}], "fleet-v1") for i in range(24)]
        results: list = []

        def run() -> None:
            results.append(TeacherClient(settings, SqliteLedger(tmp_path / "ledger.sqlite")).run(requests))

        worker = threading.Thread(target=run)
        worker.start()
        wait_for(lambda: sum(proxies[1].delivered.values()) >= 3)
        os.killpg(second._process.pid, signal.SIGKILL)  # the second server dies mid-run
        worker.join(300)
        for proxy in proxies:
            proxy.stop()
    [(out, stats)] = results
    assert len(out) == 24 and not any(r.error for r in out)  # every sample arrived
    assert sum(p.delivered[r.key] for r in out for p in proxies) == 24  # each answered once
    first, killed = (stats.endpoints[shown_url(p.base_url)] for p in proxies)
    assert killed["answered"] >= 3 and killed["failures"] >= 2 and killed["ejections"] >= 1
    assert first["answered"] + killed["answered"] == 24 and first["failures"] == 0
    assert stats.as_metadata()["endpoints"] == stats.endpoints
