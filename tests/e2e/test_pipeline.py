"""The whole graph on the bundled samples against the real local teacher, the way `make demo` runs it."""

import json
import os
import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
EXPECTED = json.loads((ROOT / "samples" / "inbox" / "expected.json").read_text())


def teacher_servers() -> set[int]:
    found = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if b"transformers.cli.transformers" in cmdline and b"serve" in cmdline:
                found.add(int(proc.name))
    return found


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "PIPELINE_CONFIG": str(ROOT / "tests" / "e2e" / "fast.yaml"),
        "DATA_ROOT": str(tmp / "data"),
        "INBOX_ROOT": str(tmp / "inbox"),
        "DAGSTER_HOME": str(tmp / "dagster"),
    }
    before = teacher_servers()

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "pipelines", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1500,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
        return result.stdout

    first = run("demo")
    return {"tmp": tmp, "data": tmp / "data", "stdout": first, "run": run, "servers_before": before}


def test_pages_problems_and_samples_for_every_collection(demo_run):
    data = demo_run["data"]
    pages = pq.read_table(data / "pdf_pages" / "gaokao-sample.parquet").to_pylist()
    methods = {(p["source_file"], p["method"]) for p in pages}
    assert ("exam_scanned.pdf", "ocr") in methods and ("exam_text.pdf", "text-layer") in methods
    assert all(p["engine"] == "rapidocr" for p in pages if p["method"] == "ocr")
    for collection in ("gaokao-sample", "english-sample"):
        problems = pq.read_table(data / "problem_pairs" / f"{collection}.parquet").to_pylist()
        expected = sum(f["num_problems"] for name, f in EXPECTED.items() if name.startswith(collection + "/"))
        assert len([p for p in problems if not p["error"]]) == expected
        samples = pq.read_table(data / "teacher_cot" / f"{collection}.parquet").to_pylist()
        assert len(samples) == expected
        assert all(s["teacher_model"] == "local:smollm2-135m-instruct" for s in samples)
        verified = pq.read_table(data / "verified_cot" / f"{collection}.parquet").to_pylist()
        checked = [v for v in verified if v["verdict"] in ("correct", "incorrect")]
        assert all(v["verify_method"] == f"math-verify {version('math-verify')}" for v in checked)
        assert {v["verdict"] for v in verified} <= {
            "correct",
            "incorrect",
            "no_answer",
            "no_reference",
            "error",
        }
    translated = pq.read_table(data / "translated_pairs" / "gaokao-sample.parquet").to_pylist()
    assert all(t["translated"] and t["problem_original"] for t in translated if not t["error"])


def test_dataset_has_messages_answers_and_provenance(demo_run):
    dataset = demo_run["data"] / "distill_dataset"
    sft = datasets.load_dataset("parquet", data_files=str(dataset / "sft" / "train.parquet"), split="train")
    assert len(sft) > 0
    row = sft[0]
    assert [m["role"] for m in row["messages"]] == ["user", "assistant"]
    assert row["messages"][1]["content"].startswith("<think>\n")
    for column in (
        "problem",
        "answer",
        "collection",
        "source_file",
        "source_sha256",
        "page_start",
        "ocr_engine",
        "teacher_model",
        "prompt_version",
        "teacher_input",
        "request_key",
    ):
        assert column in sft.column_names
    assert all(r["source_file"].endswith(".pdf") and r["page_start"] >= 1 for r in sft)
    card = (dataset / "README.md").read_text()
    assert card.startswith("---\nlicense:")
    # the versions of the tools that decided the rows' fate
    tools = json.loads((dataset / "dataset_info.json").read_text())["tools"]
    assert {"math-verify", "pymupdf", "rapidocr", "torch", "transformers", "trl"} <= set(tools)
    assert tools["transformers"] == version("transformers")
    assert f"math-verify {version('math-verify')}" in card
    assert pq.read_table(dataset / "eval" / "heldout.parquet").num_rows >= 8


def test_checkpoints_eval_figures_and_no_orphan_server(demo_run):
    data, stdout = demo_run["data"], demo_run["stdout"]
    for stage in ("sft_model", "grpo_model"):
        checkpoint = Path(json.loads((data / "models" / f"{stage}.json").read_text())["checkpoint"])
        assert (checkpoint / "config.json").is_file() and (checkpoint / "model.safetensors").is_file()
        assert (checkpoint / "tokenizer.json").is_file()
        metrics = json.loads((checkpoint.parent / "metrics.json").read_text())
        assert metrics["versions"]["trl"] == version("trl") and metrics["versions"]["torch"] == version(
            "torch"
        )
    results = json.loads((data / "student_eval" / "results.json").read_text())["results"]
    assert set(results) == {"base", "sft", "grpo"} and all(r["n"] == 4 for r in results.values())
    assert "== Summary" in stdout and "pass@1" in stdout
    assert teacher_servers() <= demo_run["servers_before"]


def test_rerun_pays_nothing_twice_and_does_not_retrain(demo_run):
    data = demo_run["data"]
    ledger = data / "ledger" / "requests.sqlite"
    count = sqlite3.connect(ledger).execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    sft_runs = sorted(p.name for p in (data / "models" / "sft_model").iterdir())
    demo_run["run"]("run")
    assert sqlite3.connect(ledger).execute("SELECT COUNT(*) FROM responses").fetchone()[0] == count
    assert sorted(p.name for p in (data / "models" / "sft_model").iterdir()) == sft_runs
