"""Dataset assembly at scale: time, peak memory, and precision/recall of dedup and decontamination (issue 6).

    .venv/bin/python -m benchmarks.dataset_bench --rows 100000 [--samples-per-problem 2] [--workdir DIR]

1. A synthetic ``verified_cot`` corpus of ``--rows`` samples in 8 collections is written to the work dir
   (not timed). Problems are random sequences of the words and numbers of the bundled problems
   (``samples/benchmarks``, ``samples/sources``): unrelated to one another and to the benchmarks, so
   every match is a planted one. Planted: 3% of problems are exact copies of an earlier problem in
   formatting noise (case, spacing, ``$``, ``\\dfrac``/``\\frac``, braces, final stop), 2% near copies (the
   same plus one word inserted, deleted or replaced, for problems of 20 words or more), 0.5% benchmark
   items (verbatim, in formatting noise, with a problem number, with one word edited, or for gaokao 2024
   as the untranslated original); and sample faults the filters must catch (errors, truncations, R1
   flags, figure references, proofs, conversations over the token limit).
2. ``distill.dataset.assembly.build_dataset`` runs in a child process with the student's tokenizer (SmolLM2),
   ``max_tokens`` 4096 and every filter on; its wall time and peak RSS are measured.
3. Precision and recall: a reported duplicate is right when it and its representative come from the
   same planted group; recall counts every planted copy. Contamination likewise, per planted item.
4. With ../shared/data present (``--shared``), real non-benchmark problems (GAOKAO-Bench 2010-2022,
   CMATH, cn_middle_school, gaokao 2023 en, gaokao math QA/cloze) are checked against the bundled
   benchmarks: what is flagged there is a false positive or a real overlap (examples are printed).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from distill.core.records import VerifiedRow, arrow_schema

COLLECTIONS = 8
BENCHMARKS = sorted(Path("samples/benchmarks").glob("*.jsonl"))
MAX_TOKENS = 4096
_WORD = re.compile(r"\S+")


def _vocabulary() -> tuple[np.ndarray, np.ndarray]:
    """Words (short, without digits or CJK) and CJK characters of the bundled problems."""
    texts = [json.loads(line)["problem"] for p in BENCHMARKS for line in p.read_text().splitlines()]
    for path in Path("samples/sources").glob("*_items.json"):
        texts += [item.get("question", "") for item in json.loads(path.read_text())]
    words = sorted(
        {
            w
            for t in texts
            for w in _WORD.findall(t)
            if len(w) <= 20 and not any(c.isdigit() or c >= "\u3000" for c in w)
        }
    )
    cjk = sorted({c for t in texts for c in t if "\u4e00" <= c <= "\u9fff"})
    return np.array(words, dtype=object), np.array(cjk, dtype=object)


def _noise(text: str, rng: np.random.Generator) -> str:
    """Formatting that normalization removes."""
    ops = [
        lambda t: t.upper() if len(t) < 3 else t[0].swapcase() + t[1:],
        lambda t: t.replace(" ", "  "),
        lambda t: t.replace("$", ""),
        lambda t: t.replace("\\frac", "\\dfrac"),
        lambda t: re.sub(r"\^(\w)", r"^{\1}", t),
        lambda t: t.rstrip(".") if t.endswith(".") else t + ".",
        lambda t: f"\n {t} \n",
    ]
    for k in rng.choice(len(ops), size=2, replace=False):
        text = ops[k](text)
    return text


def _edit_word(text: str, rng: np.random.Generator, words: np.ndarray) -> str:
    """Insert, delete or replace one word that holds no digit."""
    tokens = text.split(" ")
    plain = [i for i, t in enumerate(tokens) if not any(c.isdigit() for c in t)]
    i = int(rng.choice(plain))
    op = rng.integers(3)
    if op == 0:
        tokens.insert(i, words[rng.integers(len(words))])
    elif op == 1:
        del tokens[i]
    else:
        tokens[i] = words[rng.integers(len(words))]
    return " ".join(tokens)


def generate(workdir: Path, rows: int, samples: int, seed: int = 0) -> dict:
    """Write the corpus and return the truth: per problem its planted group and benchmark item."""
    rng = np.random.default_rng(seed)
    words, cjk = _vocabulary()
    items = [(p.stem, json.loads(line)) for p in BENCHMARKS for line in p.read_text().splitlines()]
    n_problems = rows // samples
    texts, originals, group, bench, kinds = [], [], [], [], []
    bases: list[int] = []

    def add(text: str, original: str, of: int, item: str | None, kind: str) -> None:
        texts.append(text)
        originals.append(original)
        group.append(of)
        bench.append(item)
        kinds.append(kind)

    for j in range(n_problems):
        roll = rng.random()
        if roll < 0.005:
            name, item = items[rng.integers(len(items))]
            lines = [ln for ln in item["problem"].splitlines() if not ln.startswith("请完成下面")]
            problem = "\n".join(lines)
            style = rng.integers(4)
            original = ""
            if name == "gaokao2024":
                original, problem = problem, " ".join(rng.choice(words, 20))
            elif style == 1:
                problem = _noise(problem, rng)
            elif style == 2:
                problem = f"Problem {rng.integers(1, 30)}. {problem}"
            elif style == 3 and len(problem.split(" ")) >= 20:
                problem = _edit_word(problem, rng, words)
            add(problem, original, j, item["id"], "benchmark")
        elif roll < 0.055 and bases:
            base = bases[rng.integers(len(bases))]
            copy = _noise(texts[base], rng)
            near = roll >= 0.035 and len(texts[base].split(" ")) >= 20
            original = _noise(originals[base], rng) if originals[base] else ""
            add(
                _edit_word(copy, rng, words) if near else copy,
                original,
                group[base],
                None,
                "near copy" if near else "exact copy",
            )
        else:
            length = int(rng.integers(6, 60))
            tokens = list(rng.choice(words, length))
            for _ in range(int(rng.integers(1, 4))):
                tokens.insert(int(rng.integers(length)), str(rng.integers(1, 10_000)))
            translated = rng.random() < 0.1
            add(
                " ".join(tokens),
                "".join(rng.choice(cjk, int(rng.integers(20, 80)))) if translated else "",
                j,
                None,
                "base",
            )
            bases.append(j)
    ids = [f"q{j:07d}" for j in range(n_problems)]
    figure = {j for j in bases if rng.random() < 0.005}
    proof = {j for j in bases if rng.random() < 0.003} - figure
    schema = arrow_schema(VerifiedRow)
    urls = []
    for c in range(COLLECTIONS):
        lo, hi = c * n_problems // COLLECTIONS, (c + 1) * n_problems // COLLECTIONS
        table = _collection(
            f"col{c}", range(lo, hi), samples, ids, texts, originals, figure, proof, words, rng
        )
        path = workdir / "verified_cot" / f"col{c}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        columns = [
            table.column(f.name).cast(f.type)
            if f.name in table.column_names
            else pa.nulls(len(table), f.type)
            for f in schema
        ]
        pq.write_table(pa.Table.from_arrays(columns, schema=schema), path)
        urls.append(str(path))
    truth = {"ids": ids, "group": group, "bench": bench, "kinds": kinds, "urls": urls}
    (workdir / "truth.json").write_text(json.dumps(truth))
    return truth


def _collection(name, problems, samples, ids, texts, originals, figure, proof, words, rng) -> pa.Table:
    rows = []
    for j in problems:
        correct = rng.random(samples) < 0.7
        problem = ("As shown in the figure, " + texts[j]) if j in figure else texts[j]
        for k in range(samples):
            fault = rng.random()
            length = int(rng.integers(150, 400)) if fault > 0.002 else 4000  # 0.2%: over the token limit
            reasoning = " ".join(rng.choice(words, length))
            rows.append(
                {
                    "id": ids[j],
                    "collection": name,
                    "source_file": f"{name}/paper{j % 50}.pdf",
                    "source_sha256": "0" * 64,
                    "page_start": 1 + j % 9,
                    "page_end": 1 + j % 9,
                    "ocr_engine": "pymupdf",
                    "number": str(j % 20 + 1),
                    "type": "proof" if j in proof else "computation",
                    "language": "zh" if originals[j] else "en",
                    "problem": problem,
                    "options": [],
                    "answer": "" if j in proof else str(j % 97),
                    "problem_original": originals[j],
                    "translated": bool(originals[j]),
                    "sample_index": k,
                    "teacher_model": "synthetic-r1",
                    "prompt_version": "cot-distill-v1",
                    "reasoning": reasoning,
                    "final_text": f"The answer is \\boxed{{{j % 97}}}.",
                    "verdict": "correct" if correct[k] else "incorrect",
                    "finish_reason": "length" if 0.002 < fault < 0.022 else "stop",
                    "error": "teacher failed: timeout" if 0.022 < fault < 0.027 else None,
                    "filter_flags": ["mixed_language"] if 0.027 < fault < 0.037 else [],
                    "pass_rate": float(correct.mean()),
                }
            )
    return pa.Table.from_pylist(rows)


def assemble(workdir: Path) -> None:
    """Child process: build the dataset and print its report as JSON."""
    from distill.dataset.assembly import DatasetPolicy, build_dataset
    from distill.dataset.decontamination import load_benchmarks
    from distill.dataset.filters import student_token_counter
    from distill.llm.local_model import LOCAL_MODEL_ALIAS
    from distill.llm.prompts import Prompt

    logging.basicConfig(level=logging.INFO, format="  %(message)s", stream=sys.stderr)
    truth = json.loads((workdir / "truth.json").read_text())
    out = workdir / "dataset"
    out.mkdir()
    policy = DatasetPolicy(max_tokens=MAX_TOKENS, test_fraction=0.05)
    start = time.perf_counter()
    report = build_dataset(
        truth["urls"],
        out,
        policy,
        Prompt.load("configs/prompts/cot_distill.yaml"),
        Prompt.load("configs/prompts/grpo.yaml"),
        load_benchmarks(BENCHMARKS),
        [],
        student_token_counter(LOCAL_MODEL_ALIAS),
    )
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {"seconds": seconds, "counts": report.counts, "dropped": report.dropped, "stages": report.stages}
        )
    )


def score(workdir: Path, truth: dict) -> dict:
    group = dict(zip(truth["ids"], truth["group"], strict=True))
    bench = dict(zip(truth["ids"], truth["bench"], strict=True))
    dups = pq.read_table(workdir / "dataset/reports/duplicates.parquet").to_pylist()
    right = sum(group[d["problem_id"]] == group[d["representative_id"]] for d in dups)
    planted = sum(k.endswith("copy") for k in truth["kinds"])
    found = pq.read_table(workdir / "dataset/reports/contamination.parquet").to_pylist()
    hits = sum(bench[c["problem_id"]] is not None for c in found)
    same_item = sum(bench[c["problem_id"]] == c["benchmark_id"] for c in found)
    planted_bench = sum(b is not None for b in truth["bench"])
    flagged = {d["problem_id"] for d in dups} | {d["representative_id"] for d in dups}
    by_kind = {
        kind: sum(
            1 for k, pid in zip(truth["kinds"], truth["ids"], strict=True) if k == kind and pid in flagged
        )
        for kind in ("exact copy", "near copy")
    }
    return {
        "dedup": {
            "planted": planted,
            "reported": len(dups),
            "right": right,
            "precision": right / len(dups) if dups else 1.0,
            "recall": right / planted if planted else 1.0,
            "planted_by_kind": {k: truth["kinds"].count(k) for k in ("exact copy", "near copy")},
            "in_a_reported_pair_by_kind": by_kind,
        },
        "decontamination": {
            "planted": planted_bench,
            "reported": len(found),
            "right": hits,
            "same_item": same_item,
            "precision": hits / len(found) if found else 1.0,
            "recall": hits / planted_bench if planted_bench else 1.0,
        },
    }


def real_data(shared: Path) -> None:
    """Real problems that are no benchmark item, checked against the bundled benchmarks."""
    from distill.dataset.decontamination import Decontaminator, load_benchmarks

    data = shared / "data"
    if not data.is_dir():
        print(f"real data: {data} is absent; skipped")
        return
    sets = {
        p.stem: [json.loads(line)["question"] for line in p.read_text().splitlines() if line.strip()]
        for p in sorted((data / "answers").glob("qwen25math_*.jsonl"))
        if not any(b in p.stem for b in ("aime24", "amc23", "gaokao2024"))
    }
    for path in sorted((data / "solutions").glob("gaokaobench_*.json")):
        sets[path.stem] = [e["question"] for e in json.loads(path.read_text())["example"]]
    detector = Decontaminator(load_benchmarks(BENCHMARKS))
    for name, problems in sets.items():
        found = detector.query(problems)
        print(f"real data: {name:<45} {len(problems):>5} problems, {len(found)} flagged")
        for c in found[:3]:
            print(f"    {c.method} {c.score:.2f} {c.item.id}: {problems[c.text][:90]!r}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--samples-per-problem", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="default: a new temp dir")
    parser.add_argument("--shared", type=Path, default=Path("../shared"), help="for the real-data section")
    parser.add_argument("--assemble", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.assemble:
        assemble(args.assemble)
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="dataset_bench-"))
    print(f"corpus: {args.rows} rows, {args.samples_per_problem} samples per problem, in {workdir}")
    start = time.perf_counter()
    truth = generate(workdir, args.rows, args.samples_per_problem)
    size = sum(Path(u).stat().st_size for u in truth["urls"]) / 2**20
    print(f"corpus written in {time.perf_counter() - start:.0f} s ({size:.0f} MB of Parquet)")
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.dataset_bench", "--assemble", str(workdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stderr.write(child.stderr)
    if child.returncode:
        raise SystemExit(f"assembly failed ({child.returncode})")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20  # KiB -> GiB
    print(
        f"assembly: {result['seconds']:.1f} s, {args.rows / result['seconds']:.0f} rows/s, peak RSS {peak:.2f} GB"
    )
    print(f"stages: {result['stages']}")
    print(f"counts: {result['counts']}")
    print(f"dropped: {result['dropped']}")
    for name, figures in score(workdir, truth).items():
        print(f"{name}: {json.dumps(figures)}")
    real_data(args.shared)


if __name__ == "__main__":
    main()
