"""split_eval's split modes: the rules alone, and the teacher for every page, against a real local
teacher server; the figures say how many pages were in doubt, sent, and re-split by the teacher."""

from __future__ import annotations

import csv

import pymupdf
import pytest

from benchmarks import split_eval
from benchmarks.split_eval import SplitMode, eval_split, teacher_fallback

QUESTIONS = ["计算 2+3 的值。", "计算 3+4 的值。", "计算 4+5 的值。"]


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setattr(split_eval, "CACHE", tmp_path / "cache")
    folder = tmp_path / "data" / "pdfs" / "gaokao2024"
    folder.mkdir(parents=True)
    doc = pymupdf.open()
    page = doc.new_page()
    for n, question in enumerate(QUESTIONS, start=1):
        page.insert_text((72, 72 + 40 * n), f"{n}. {question}", fontname="china-s", fontsize=11)
    doc.save(folder / "mini.pdf")
    with (folder / "mini.truth.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["prompt", "answer"])
        writer.writeheader()
        writer.writerows({"prompt": q, "answer": str(5 + 2 * i)} for i, q in enumerate(QUESTIONS))
    return tmp_path / "data"


def test_the_rules_mode_sends_nothing(data, capsys):
    eval_split(data, 0, teacher_fallback(SplitMode.RULES, "", ""), SplitMode.RULES)
    out = capsys.readouterr().out
    assert "found  3 / expected  3 [ok]" in out
    assert "pages in doubt 0  sent to the teacher -  records from the teacher 0" in out


def test_the_teacher_mode_sends_every_page_to_a_real_endpoint(data, capsys, local_teacher, local_model_dir):
    fallback = teacher_fallback(
        SplitMode.TEACHER, local_teacher.base_url, "local:smollm2", str(local_model_dir)
    )
    fallback.max_tokens = (
        16  # the tiny model rarely writes valid JSON: its replies are rejected, the rules stand
    )
    eval_split(data, 0, fallback, SplitMode.TEACHER)
    out = capsys.readouterr().out
    assert "== split (teacher mode)" in out
    assert "pages in doubt 0  sent to the teacher {'rejected': 1}" in out
    assert (split_eval.CACHE / "ledger.sqlite").is_file()  # the reply is kept: a re-run pays nothing
