"""Paths to the bundled sample PDFs and helpers shared by the OCR tests."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INBOX = ROOT / "samples" / "inbox"
EXAM_TEXT = INBOX / "gaokao-sample" / "exam_text.pdf"
EXAM_SCANNED = INBOX / "gaokao-sample" / "exam_scanned.pdf"
EXAM_SCANNED_TRUTH = INBOX / "gaokao-sample" / "exam_scanned.truth.txt"


def english_sample() -> tuple[Path, dict]:
    """The bundled English problem set (whichever collection holds it) and its expected.json entry."""
    expected = json.loads((INBOX / "expected.json").read_text(encoding="utf-8"))
    [(relpath, info)] = [(k, v) for k, v in expected.items() if k.endswith("problems_en.pdf")]
    return INBOX / relpath, info


def cjk_recall(truth: str, found: str) -> float:
    """Share of the CJK characters of `truth` (counted as a multiset) that `found` contains."""
    wanted = Counter(char for char in truth if "\u4e00" <= char <= "\u9fff")
    got = Counter(char for char in found if "\u4e00" <= char <= "\u9fff")
    return sum(min(count, got[char]) for char, count in wanted.items()) / sum(wanted.values())
