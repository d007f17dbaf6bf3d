"""Problem sets of student_eval: bundled benchmarks with subset sizes and a level cap, files, the arith set."""

from __future__ import annotations

import json

import pytest

from training.eval_sets import BENCHMARKS, arithmetic, benchmark, read_problems


@pytest.mark.parametrize(
    ("name", "size"), [("math500", 500), ("aime24", 30), ("amc23", 40), ("gaokao2024", 119)]
)
def test_bundled_benchmarks_load_whole_and_as_subsets(name, size):
    problems = benchmark(name)
    assert len(problems) == size and {p["set"] for p in problems} == {name}
    assert all(p["problem"] and p["answer"] and p["id"] for p in problems)
    assert benchmark(name, 5) == problems[:5]


def test_level_cap_keeps_the_easiest_math500_problems(tmp_path):
    easy = benchmark("math500", max_level=1)
    assert len(easy) == 43
    rows = [
        {"id": "a", "problem": "p", "answer": "1", "level": 3},
        {"id": "b", "problem": "q", "answer": "2"},
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    assert [p["id"] for p in read_problems(path, max_level=2)] == ["b"]  # no level: kept
    assert read_problems(path)[0] == {"id": "a", "problem": "p", "answer": "1", "set": "mixed"}


def test_arith_is_deterministic_and_correct():
    problems = arithmetic(30)
    assert problems == benchmark("arith", 30) and arithmetic(30, seed=1) != problems
    for p in problems:
        expression = p["problem"].removeprefix("What is $").removesuffix("$?").replace("\\times", "*")
        assert str(eval(expression)) == p["answer"]  # noqa: S307 - generated digits and operators only
    assert "arith" in BENCHMARKS
    with pytest.raises(ValueError, match="unknown benchmark"):
        benchmark("gsm8k")
