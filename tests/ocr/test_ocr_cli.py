"""python -m ocr prints one JSON object per page."""

from __future__ import annotations

import json
import subprocess
import sys

from ocr_samples import EXAM_SCANNED, EXAM_TEXT, PROBLEMS_EN, ROOT

FIELDS = ["page", "text", "method", "engine", "engine_version", "confidence", "flags", "error"]


def run_cli(*args: str) -> tuple[int, list[dict]]:
    done = subprocess.run(
        [sys.executable, "-m", "ocr", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


def test_cli_text_layer_pages():
    code, rows = run_cli(str(EXAM_TEXT))
    assert code == 0
    assert [list(row) for row in rows] == [FIELDS, FIELDS]
    assert [row["page"] for row in rows] == [1, 2]
    assert "【答案】" in rows[0]["text"] and rows[0]["method"] == "text-layer"


def test_cli_page_selection_and_ocr():
    code, rows = run_cli(str(EXAM_SCANNED), "--pages", "2", "--dpi", "200")
    assert code == 0
    [row] = rows
    assert (row["page"], row["method"], row["engine"]) == (2, "ocr", "rapidocr")
    assert "运动服" in row["text"]


def test_cli_english_and_range():
    code, rows = run_cli(str(PROBLEMS_EN), "--pages", "1-1")
    assert code == 0 and "Problem 1." in rows[0]["text"]


def test_cli_bad_file(tmp_path):
    (tmp_path / "empty.pdf").write_bytes(b"")
    code, rows = run_cli(str(tmp_path / "empty.pdf"))
    assert code == 1
    assert rows == [
        {
            "page": 0,
            "text": "",
            "method": "error",
            "engine": "pymupdf",
            "engine_version": rows[0]["engine_version"],
            "confidence": 0.0,
            "flags": [],
            "error": "empty file (0 bytes)",
        }
    ]
