"""python -m ocr prints one JSON object per page."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.ocr.ocr_samples import EXAM_SCANNED, EXAM_TEXT, ROOT, english_sample

FIELDS = ["page", "text", "method", "engine", "engine_version", "confidence", "flags", "error", "notes"]


def run_cli(*args: str) -> tuple[int, list[dict], str]:
    done = subprocess.run(
        [sys.executable, "-m", "ocr", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()], done.stderr


def test_cli_text_layer_pages():
    code, rows, _ = run_cli(str(EXAM_TEXT))
    assert code == 0
    assert [list(row) for row in rows] == [FIELDS, FIELDS]
    assert [row["page"] for row in rows] == [1, 2]
    assert "【答案】" in rows[0]["text"] and rows[0]["method"] == "text-layer"


def test_cli_page_selection_ocr_and_lines():
    code, rows, _ = run_cli(str(EXAM_SCANNED), "--pages", "2", "--dpi", "200", "--lines")
    assert code == 0
    [row] = rows
    assert (row["page"], row["method"], row["engine"], row["flags"]) == (2, "ocr", "rapidocr", ["scanned"])
    assert "运动服" in row["text"]
    assert row["lines"] and all(
        set(line) == {"text", "box", "score", "low_confidence", "uncovered", "formula_image"}
        for line in row["lines"]
    )


def test_cli_english_and_range():
    pdf, _ = english_sample()
    code, rows, _ = run_cli(str(pdf), "--pages", "1-1")
    assert code == 0 and [row["page"] for row in rows] == [1] and "Problem 1." in rows[0]["text"]


def test_cli_bad_file(tmp_path):
    (tmp_path / "empty.pdf").write_bytes(b"")
    code, rows, _ = run_cli(str(tmp_path / "empty.pdf"))
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
            "notes": [],
        }
    ]


def test_cli_engine_that_cannot_run_exits_2_and_names_the_missing_models(tmp_path):
    code, rows, err = run_cli(str(EXAM_TEXT), "--engine", "paddleocr", "--option", f"model_root={tmp_path}")
    assert (code, rows) == (2, [])
    assert "model directories not staged" in err and str(tmp_path / "PP-FormulaNet_plus-L") in err


def test_cli_engine_options_are_json_values():
    """`dilation=false` reaches rapidocr as False, `dilation='"false"'` as the (true) string "false":
    the detector's map dilated gives (nearly) every line a larger box."""
    page = ("--pages", "1", "--lines")
    _, [dilated], _ = run_cli(str(EXAM_SCANNED), *page, "--option", "dilation=true")
    _, [plain], _ = run_cli(str(EXAM_SCANNED), *page, "--option", "dilation=false")
    _, [text], _ = run_cli(str(EXAM_SCANNED), *page, "--option", 'dilation="false"')
    assert text["lines"] == dilated["lines"] != plain["lines"]

    def area(line: dict) -> float:
        x0, y0, x1, y1 = line["box"]
        return (x1 - x0) * (y1 - y0)

    larger = [area(a) > area(b) for a, b in zip(dilated["lines"], plain["lines"], strict=False)]
    assert sum(larger) > 0.8 * len(larger)
