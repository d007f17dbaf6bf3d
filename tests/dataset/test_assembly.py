import json
from pathlib import Path

from distill.core.textnorm import words
from distill.dataset.assembly import DatasetPolicy, in_test_split
from distill.dataset.card import card
from distill.dataset.decontamination import load_benchmarks
from tests.dataset.conftest import read, row

BENCHMARKS = sorted(Path("samples/benchmarks").glob("*.jsonl"))
MATH500 = [json.loads(line) for line in Path("samples/benchmarks/math500.jsonl").read_text().splitlines()]
GAOKAO24 = [json.loads(line) for line in Path("samples/benchmarks/gaokao2024.jsonl").read_text().splitlines()]


def test_every_dropped_sample_is_counted_and_listed_with_its_reason(build):
    rows = [
        row("a", "What is 2+3?"),
        row("a", "What is 2+3?", sample_index=1, verdict="incorrect"),
        row(
            "c",
            "Prove that the sum of two odd numbers is even.",
            type="proof",
            answer="",
            verdict="no_reference",
        ),
        row("d", "", verdict="correct"),
        row("e", "What is 7+8?", finish_reason="length"),
        row("f", "Broken", error="APITimeoutError: Request timed out.", error_kind="request_failed"),
        row("g", "如图，求三角形的面积。"),
        row("h", "What is 9+9?", filter_flags=["code_block", "mixed_language"]),
        row("i", "What is 1+1?", final_text="", reasoning="   "),
    ]
    report, out = build({"c": rows}, DatasetPolicy(require_verified=True, max_tokens=None, test_fraction=0.0))
    assert report.dropped == {
        "not verified (incorrect)": 1,
        "proof problem": 1,
        "empty problem": 1,
        "truncated generation": 1,
        "error: request_failed": 1,
        "figure missing": 1,
        "code block": 1,
        "empty teacher reply": 1,
    }
    assert [r["id"] for r in read(out, "sft/train")] == ["a-0"]
    listed = {r["id"]: r["reason"] for r in read(out, "reports/dropped")}
    assert (
        len(listed) == len(rows) - 1
        and listed["g-0"] == "figure missing"
        and listed["a-1"].startswith("not verified")
    )
    assert report.stages[0] == ("input", len(rows), 8) and report.stages[1] == ("sample filters", 1, 1)


def test_keep_all_policy_keeps_verdicts_and_grpo_takes_only_verifiable_problems(build):
    rows = [
        row("a", "What is 2+3?", verdict="incorrect", pass_rate=0.0),
        row("c", "Prove that 2 is prime.", type="proof", answer="", verdict="no_reference", pass_rate=None),
        row("d", "Find $x$ if $x+1=3$.", options=["A. 1", "B. 2"], answer="B"),
    ]
    report, out = build(
        {"c": rows}, DatasetPolicy(require_verified=False, max_tokens=None, test_fraction=0.0)
    )
    sft = read(out, "sft/train")
    assert [r["verdict"] for r in sft] == ["incorrect", "no_reference", "correct"]
    assert sft[0]["messages"][1]["content"] == "<think>\nthink\n</think>\n\\boxed{5}"
    assert sft[2]["messages"][0]["content"].startswith("Find $x$ if $x+1=3$.\nA. 1\nB. 2\nPlease reason")
    grpo = read(out, "grpo/train")
    assert [g["id"] for g in grpo] == ["a", "d"] and grpo[0]["prompt"][0]["role"] == "system"
    assert (
        grpo[1]["prompt"][1]["content"] == "Find $x$ if $x+1=3$.\nA. 1\nB. 2" and grpo[1]["solution"] == "B"
    )
    assert report.grpo_excluded == {"proof problem": 1}


def test_grpo_pass_rate_band(build):
    rows = [
        row(str(i), f"What is {i} plus {i}?", pass_rate=rate) for i, rate in enumerate([0.0, 0.5, 1.0, None])
    ]
    policy = DatasetPolicy(max_tokens=None, test_fraction=0.0, grpo_pass_rate=(0.25, 0.75))
    report, out = build({"c": rows}, policy)
    assert [g["id"] for g in read(out, "grpo/train")] == ["1"]
    assert report.grpo_excluded == {"pass rate outside band": 3}


def test_split_is_by_problem_and_stable_and_heldout_files_are_kept(build):
    policy = DatasetPolicy(test_fraction=0.5, max_tokens=None)
    sides = {pid: in_test_split(pid, policy) for pid in map(str, range(200))}
    assert sides == {pid: in_test_split(pid, policy) for pid in map(str, range(200))}
    assert 60 < sum(sides.values()) < 140
    rows = [
        row(str(i), f"Problem number {i} asks for {i} times {i}.", sample_index=k)
        for i in range(20)
        for k in range(2)
    ]
    extra = {"id": "x", "problem": "p", "answer": "1", "source": "bundled"}
    _, out = build({"c": rows}, policy, heldout=[extra])
    train = {r["problem_id"] for r in read(out, "sft/train")}
    test = {r["problem_id"] for r in read(out, "sft/test")}
    assert train and test and not train & test
    heldout = read(out, "eval/heldout")
    assert {h["id"] for h in heldout} == test | {"x"}
    assert all(in_test_split(pid, policy) for pid in test)


def test_benchmark_items_are_removed_with_the_item_recorded(build):
    item, short, zh = MATH500[0], next(m for m in MATH500 if len(words(m["problem"])) < 8), GAOKAO24[5]
    rows = {
        "english": [
            row("clean", "A farmer has 17 sheep and buys 5 more. How many sheep does the farmer have?"),
            row("verbatim", item["problem"]),
            row("edited", "Problem 3. " + item["problem"].replace("  ", " ").replace("$(0,3)$", "$(0, 3)$")),
            row("short", short["problem"].rstrip(".").replace("$", "")),  # too short for any 8-gram
        ],
        "chinese": [
            row(
                "translated",
                "Some English translation of a gaokao question.",
                translated=True,
                problem_original=zh["problem"].split("\n", 1)[1],
            )  # without the instruction line
        ],
    }
    references = load_benchmarks(BENCHMARKS)
    report, out = build(rows, references=references)
    found = {r["problem_id"]: r for r in read(out, "reports/contamination")}
    assert set(found) == {"verbatim", "edited", "short", "translated"}
    assert found["verbatim"]["benchmark_id"] == item["id"] and found["verbatim"]["method"] == "ngram"
    assert found["short"]["benchmark_id"] == short["id"] and found["short"]["method"] == "fuzzy"
    assert found["translated"]["benchmark"] == "gaokao2024"
    assert [r["problem_id"] for r in read(out, "sft/train")] == ["clean"]
    assert report.contamination["math500"] == {"items": 500, "problems": 3, "samples": 3}
    assert report.dropped["contaminated (math500)"] == 3


def test_math500_items_are_caught_and_the_bundled_sample_items_are_not():
    """MATH-500 items as a rendered/OCR'd sample would give them (spacing, LaTeX spelling, numbering) are
    all flagged; the problems the bundled sample PDFs are rendered from are not (they are no benchmark)."""
    from distill.dataset.decontamination import Decontaminator

    detector = Decontaminator(load_benchmarks(BENCHMARKS))
    level1 = [m for m in MATH500 if m["level"] == 1]
    variants = [
        f"{n}. " + m["problem"].replace("\\dfrac", "\\frac").replace("$", " $ ") for n, m in enumerate(level1)
    ]
    found = detector.query(variants)
    assert len(found) == len(level1) and {c.item.id for c in found} == {m["id"] for m in level1}
    samples = [
        i["question"]
        for p in sorted(Path("samples/sources").glob("*_items.json"))
        for i in json.loads(p.read_text())
    ]
    assert samples and detector.query(samples) == []


def test_duplicates_across_collections_keep_the_representative_with_kept_samples(build):
    text = "Let $f(x) = x^2 + 3x$. Find the sum of all real numbers $x$ such that $f(x) = 10$."
    rows = {
        "a": [row("a1", text, verdict="incorrect"), row("a2", "What is 2 + 2?")],
        "b": [
            row("b1", text.replace("Find", "Determine")),  # near duplicate of a1, with a verified sample
            row("b2", "what is  2+2 ?"),  # exact duplicate of a2 after normalization
            row("b3", text.replace("10", "12")),  # other numbers: another problem
        ],
    }
    report, out = build(rows, DatasetPolicy(require_verified=True, max_tokens=None, test_fraction=0.0))
    found = {r["problem_id"]: r for r in read(out, "reports/duplicates")}
    assert found["a1"]["representative_id"] == "b1" and found["a1"]["method"] == "near"
    assert found["b2"]["representative_id"] == "a2" and found["b2"]["method"] == "exact"
    assert set(found) == {"a1", "b2"} and report.duplicates == {"exact": 1, "near": 1}
    assert sorted(r["problem_id"] for r in read(out, "sft/train")) == ["a2", "b1", "b3"]


def test_too_long_samples_are_counted_with_the_students_tokens_and_only_long_ones_are_tokenized(build):
    asked = []

    def count_tokens(texts):
        asked.extend(texts)
        return [len(t.split()) for t in texts]

    rows = [row("short", "What is 2+3?"), row("long", "What is 4+5?", reasoning="step " * 300)]
    policy = DatasetPolicy(max_tokens=200, test_fraction=0.0)
    report, out = build({"c": rows}, policy, count_tokens=count_tokens)
    assert report.dropped == {"too long (> 200 tokens)": 1}
    assert len(asked) == 1 and "step step" in asked[0]
    assert [r["id"] for r in read(out, "sft/train")] == ["short-0"]


def test_views_are_sharded_and_load_with_datasets_through_the_card(build):
    import datasets

    from distill.dataset.card import write_card
    from training.sft import load_split

    rows = {
        c: [row(f"{c}{i}", f"Compute {k * 100 + i} squared.") for i in range(20)] for k, c in enumerate("abc")
    }
    policy = DatasetPolicy(max_tokens=None, test_fraction=0.0, shard_mb=0)  # a shard per written table
    report, out = build(rows, policy)
    write_card(out, report, policy, "apache-2.0")
    assert report.files["sft/train"] == [f"sft/train-0000{i}-of-00003.parquet" for i in range(3)]
    assert report.files["sft/test"] == ["sft/test.parquet"]  # empty view: one empty file
    assert datasets.load_dataset(str(out), "sft")["train"].num_rows == 60
    assert datasets.load_dataset(str(out), "grpo")["train"].num_rows == report.counts["grpo_train"] == 60
    assert load_split(out, "train").num_rows == 60  # training globs the shards


def test_fidelity_flags_of_pages_drop_by_policy_and_the_kept_ones_are_counted(build):
    rows = [
        row("a", "What is 2+3?", page_flags=["math_lost"]),
        row("b", "What is 4+4?", page_flags=["low_confidence"]),
        row("c", "What is 5+5?"),
    ]
    report, out = build({"c": rows})  # the default policy drops math_lost
    assert report.dropped == {"math lost": 1} and report.page_flags == {"low_confidence": 1}
    assert {r["problem_id"]: r["page_flags"] for r in read(out, "sft/train")} == {
        "b": ["low_confidence"],
        "c": [],
    }
    assert "fidelity flag" in card(report, DatasetPolicy(), "apache-2.0") and "low_confidence: 1" in card(
        report, DatasetPolicy(), "apache-2.0"
    )
    kept, _ = build({"c": rows}, DatasetPolicy(max_tokens=None, test_fraction=0.0, drop_flags=()))
    assert kept.dropped == {} and kept.page_flags == {"low_confidence": 1, "math_lost": 1}
