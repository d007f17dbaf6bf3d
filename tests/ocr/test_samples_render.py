"""samples/render.py reproduces the bundled samples byte for byte, and expected.json describes them."""

from __future__ import annotations

import subprocess
import sys

from tests.ocr.ocr_samples import INBOX, ROOT


def test_render_is_byte_identical(tmp_path):
    subprocess.run(
        [sys.executable, "samples/render.py", "--out", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    produced = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    bundled = sorted(str(p.relative_to(INBOX)) for p in INBOX.rglob("*") if p.is_file())
    assert produced == bundled and "expected.json" in produced
    for relpath in bundled:
        assert (tmp_path / relpath).read_bytes() == (INBOX / relpath).read_bytes(), relpath


def test_expected_json_describes_the_samples(expected):
    pdfs = sorted(str(p.relative_to(INBOX)) for p in INBOX.rglob("*.pdf"))
    assert sorted(expected) == pdfs
    total = 0
    for info in expected.values():
        numbers = [problem["number"] for problem in info["problems"]]
        assert numbers == list(range(1, info["num_problems"] + 1))
        assert all(problem["answer"] for problem in info["problems"])
        total += info["num_problems"]
    assert 10 <= total <= 20
