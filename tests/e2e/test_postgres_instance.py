"""The production instance (configs/dagster.yaml): a collection materialized from the CLI by Dagster's
multiprocess executor, each step in a process of its own, with runs and events stored on a real
PostgreSQL server and the ledger on it too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_a_collection_runs_in_worker_processes_against_a_postgres_instance(tmp_path, postgres_db):
    home, inbox = tmp_path / "dagster", tmp_path / "inbox"
    home.mkdir()
    shutil.copy(ROOT / "configs" / "dagster.yaml", home / "dagster.yaml")
    shutil.copytree(ROOT / "samples" / "inbox" / "english-sample", inbox / "english-sample")
    url = urlparse(postgres_db)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": url.hostname,
        "DAGSTER_PG_PORT": str(url.port),
        "DAGSTER_PG_USER": url.username,
        "DAGSTER_PG_PASSWORD": "unused",  # the test server trusts loopback
        "DAGSTER_PG_DB": url.path.lstrip("/"),
        "PIPELINE_CONFIG": str(ROOT / "tests" / "e2e" / "fast.yaml"),
        "DATA_ROOT": str(tmp_path / "data"),
        "INBOX_ROOT": str(inbox),
        "LEDGER_URL": postgres_db,
    }

    def run(*args: str) -> str:
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
        return done.stdout + done.stderr

    run(sys.executable, "-m", "pipelines", "register")
    out = run(
        sys.executable, "-m", "dagster", "asset", "materialize", "-m", "pipelines.definitions",
        "--partition", "english-sample", "--select", "pdf_pages,problem_pairs",
    )  # fmt: skip
    assert "multiprocess" in out.lower()
    with psycopg.connect(postgres_db) as conn:
        runs = conn.execute("SELECT status FROM runs").fetchall()
        materialized = conn.execute(
            "SELECT DISTINCT asset_key FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'"
        ).fetchall()
        pids = conn.execute(
            "SELECT COUNT(DISTINCT event::json -> 'dagster_event' ->> 'pid') FROM event_logs "
            "WHERE dagster_event_type = 'STEP_START'"
        ).fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables")}
    assert runs == [("SUCCESS",)]
    assert {key for (key,) in materialized} == {'["pdf_pages"]', '["problem_pairs"]'}
    assert pids == 2  # each step ran in a worker process of its own
    assert {
        "runs",
        "event_logs",
        "responses",
        "leases",
    } <= tables  # the instance and the ledger on one server
