"""`python -m pipelines split FILE.pdf ...` prints one JSON object per problem (and per unreadable file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIELDS = [
    "number", "type", "problem", "options", "answer_raw", "answer", "solution", "page_start", "page_end",
    "source_file", "split_method", "flags",
]  # fmt: skip


def test_the_split_command_prints_each_problem_and_says_why_a_file_cannot_be_read(tmp_path):
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("not a pdf")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines",
            "split",
            "samples/inbox/english-sample/problems_en.pdf",
            str(not_pdf),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    error = [row for row in rows if "error" in row]
    problems = [row for row in rows if "error" not in row]
    assert [list(row) for row in problems] == [FIELDS] * 6
    assert [row["number"] for row in problems] == ["1", "2", "3", "4", "5", "6"]
    assert (problems[0]["answer"], problems[0]["options"][0]) == ("A", "$x+120=12$")
    assert (
        problems[3]["answer"] == "\\{x|-2\\leq x < 1\\}" and problems[3]["source_file"] == "problems_en.pdf"
    )
    assert [row["source_file"] for row in error] == ["notes.pdf"] and "not a PDF" in error[0]["error"]
