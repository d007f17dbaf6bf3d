"""The workers section of the teacher benchmark: N processes on one ledger share the keys, none twice."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_workers_on_one_ledger_share_the_requests_and_the_server_counts_each_once():
    command = [sys.executable, "-m", "benchmarks.teacher_bench", "--workers", "1,2"]
    command += ["--requests", "64", "--latency", "0.2", "--concurrency", "8"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = re.findall(r"(\d) worker\(s\).*sent per worker \[([\d, ]+)\]  duplicates (-?\d+)", done.stdout)
    assert [(w, [int(n) for n in sent.split(",")], int(d)) for w, sent, d in rows][0] == ("1", [64], 0)
    workers, sent, duplicates = rows[1]
    counts = [int(n) for n in sent.split(",")]
    assert (workers, len(counts), sum(counts), int(duplicates)) == ("2", 2, 64, 0)


def test_the_step_arms_run_on_a_postgresql_ledger(postgres_url):
    command = [sys.executable, "-m", "benchmarks.teacher_bench", "--ledger-url", postgres_url]
    command += ["--requests", "64", "--latency", "0.05", "--concurrency", "8"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    arms = {row["arm"]: row for row in map(json.loads, re.findall(r"^\{.*\}$", done.stdout, re.M))}
    assert arms["step"]["ok"] == arms["rerun"]["ok"] == 64  # 32 problems, 2 samples each: all answered
    assert arms["rerun"]["seconds"] < arms["step"]["seconds"]  # every answer from the ledger, no request
    assert "step / bare throughput" in done.stdout
