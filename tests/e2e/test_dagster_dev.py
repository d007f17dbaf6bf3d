"""`dagster dev` on loopback: a partitioned run launched over GraphQL succeeds."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import pytest

from distill.llm.local_server import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""
STATUS = """query Status($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }"""


def graphql(port: int, query: str, variables: dict) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["data"]


def test_partitioned_run_over_graphql(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    shutil.copytree(ROOT / "samples" / "inbox" / "english-sample", inbox / "english-sample")
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").touch()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DATA_ROOT": str(tmp_path / "data"),
        "INBOX_ROOT": str(inbox),
        "PIPELINE_CONFIG": str(ROOT / "tests" / "e2e" / "fast.yaml"),
    }
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    dg.DagsterInstance.get().add_dynamic_partitions("collections", ["english-sample"])
    port = free_port()
    dagster = str(Path(sys.executable).parent / "dagster")
    server = subprocess.Popen(
        [dagster, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5)
                break
            except OSError:
                time.sleep(2)
        params = {
            "selector": {
                "repositoryLocationName": "pipelines.definitions",
                "repositoryName": "__repository__",
                "jobName": "collection_job",
                "assetSelection": [{"path": ["pdf_pages"]}, {"path": ["problem_pairs"]}],
            },
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": "english-sample"}]},
        }
        launched = graphql(port, LAUNCH, {"params": params})["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]
        status = None
        while time.monotonic() < deadline + 300:
            status = graphql(port, STATUS, {"runId": run_id})["runOrError"]["status"]
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                break
            time.sleep(2)
        assert status == "SUCCESS"
        assert (tmp_path / "data" / "problem_pairs" / "english-sample.parquet").is_file()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(60)
        except (
            subprocess.TimeoutExpired
        ):  # dagster dev (daemon, webserver, code server) slow to stop on a busy machine
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(30)
