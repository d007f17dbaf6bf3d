"""The production instance (configs/dagster.yaml): a collection materialized from the CLI by Dagster's
multiprocess executor, each step in a process of its own, with runs and events stored on a real
PostgreSQL server and the ledger on it too; and the same with the data root on a real S3-compatible
server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import fsspec
import psycopg
import pytest

from distill.core.records import PageRow, VerifiedRow
from distill.core.storage import TableStore
from pipelines.jobs import COLLECTION_ASSETS

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def production(tmp_path: Path, postgres_db: str, **variables: str) -> Callable[..., str]:
    """A runner of commands against the production instance on ``postgres_db`` (the ledger on it too), the
    english sample as the inbox, the data root in ``tmp_path`` unless ``variables`` say otherwise."""
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
        **variables,
    }

    def run(*args: str) -> str:
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
        return done.stdout + done.stderr

    return run


def test_a_collection_runs_in_worker_processes_against_a_postgres_instance(tmp_path, postgres_db):
    run = production(tmp_path, postgres_db)
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


def test_the_collection_job_with_its_data_root_on_an_object_store(tmp_path, postgres_db, s3_env, s3_root):
    """Every table, the page cache and the dataset on the S3 server; the instance and the ledger on
    PostgreSQL; the local work dir holds no table. Run again, nothing is extracted or asked twice."""
    work = tmp_path / "work"
    run = production(tmp_path, postgres_db, **s3_env, DATA_ROOT=s3_root, WORK_DIR=str(work))

    def materialize(selection: str, partition: str | None = None) -> str:
        command = [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "pipelines.definitions"]
        return run(*command, *(["--partition", partition] if partition else []), "--select", selection)

    run(sys.executable, "-m", "pipelines", "register")
    materialize(",".join(COLLECTION_ASSETS), "english-sample")
    store = TableStore(s3_root, str(work))
    for asset in COLLECTION_ASSETS:
        assert store.partitions(asset) == ["english-sample"], asset
    samples = store.read_rows("verified_cot", "english-sample", VerifiedRow)
    assert samples and all(row.source_file for row in samples)
    fs, root = fsspec.core.url_to_fs(s3_root)
    cached = [p for p in fs.find(f"{root}/cache/pdf_pages") if p.endswith(".json")]
    pages = len(store.read_rows("pdf_pages", "english-sample", PageRow))
    assert len(cached) == pages
    assert not list(work.rglob("*.parquet"))  # the work dir holds no table
    with psycopg.connect(postgres_db) as conn:
        answered = conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    assert answered > 0

    materialize(",".join(COLLECTION_ASSETS), "english-sample")
    materialize("distill_dataset")
    with psycopg.connect(postgres_db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == answered  # none asked twice
        statuses = conn.execute("SELECT status FROM runs").fetchall()
        events = conn.execute(
            "SELECT event FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION' "
            "AND asset_key = '[\"pdf_pages\"]' ORDER BY id"
        ).fetchall()
    assert statuses == [("SUCCESS",)] * 3
    assert [_found(json.loads(event), "cached_pages") for (event,) in events] == [0, pages]  # the second
    # run read every page from the cache
    pointer = json.loads(store.read_bytes(store.url("distill_dataset", "current.json")))
    assert pointer["url"] == store.url("distill_dataset", pointer["version"])
    assert fs.exists(f"{root}/distill_dataset/{pointer['version']}/dataset_info.json")


def _found(tree: object, name: str) -> object:
    """The value of the metadata entry ``name`` in a serialized event (entries are stored as a list of
    ``{"label": ..., "entry_data": {"value": ...}}``)."""
    if isinstance(tree, dict):
        if tree.get("label") == name and isinstance(tree.get("entry_data"), dict):
            return tree["entry_data"].get("value")
        tree = list(tree.values())
    if isinstance(tree, list):
        for item in tree:
            if (value := _found(item, name)) is not None:
                return value
    return None
