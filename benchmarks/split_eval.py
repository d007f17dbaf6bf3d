"""Splitting and answer handling measured on the real data in ../shared/data (issue 4).

    .venv/bin/python -m benchmarks.split_eval [--data DIR] [--only split,layouts,extract,normalize,throughput]
        [--split-mode rules|doubtful|teacher --teacher-url URL --teacher-model NAME
         [--teacher-served-model NAME] [--teacher-key-env VAR]] [--layout-scan-dpi N] [--show N]

Sections (each prints its figures; ``--show N`` also prints up to N failures per section):

- ``split``: each scanned gaokao 2024 exam (``pdfs/gaokao2024/*.pdf``) goes through ``ocr.extract_pdf``
  (cached in ``.cache/split_eval/`` by PDF sha256 and a hash of the ``ocr`` package source) and the
  pipeline's split (``problems_from_pages``) in the ``--split-mode``: ``rules`` (the rules alone, the
  default), ``doubtful`` (the rules, and the teacher for the pages they leave in doubt, as the pipeline
  runs) or ``teacher`` (every page re-split by the teacher), the two last against the OpenAI-compatible
  endpoint given (its key in the variable ``--teacher-key-env``; replies kept in
  ``.cache/split_eval/ledger.sqlite``, never paid twice). Per exam: pages in doubt, pages sent, records
  from the teacher; problems found vs expected (rows of ``*.truth.csv``), and the text similarity of
  each problem matched by number to its truth prompt: ``difflib`` ratio of both texts reduced to
  letters, digits, CJK and math symbols (LaTeX commands mapped to their Unicode symbols, so that
  ``$A \\cap B$`` and the OCR's ``A∩B`` compare equal: blind to scripts). Then, per exam and overall,
  the math structure of the matched problems against the corrected truth (``benchmarks/math_structure.py``:
  superscripts and subscripts with their content, fractions, roots, overlines; recall and precision) and a
  script-aware CER, where ``x3`` for ``x^{3}`` is an error.
- ``layouts``: the exact-truth items (``benchmarks/exact_truth``) typeset in 20 layouts that rotate
  through every numbering, option, arrangement, section-header, instruction and answer-key style of
  ``benchmarks/exact_truth/layouts.py``, each paper and its key file read back as a folder
  (``layout_measure.py``): per layout and per style, layouts split into the right count, problems found,
  answers matched (verified against the item's answer) and median similarity; ``--layout-scan-dpi N``
  scans the papers first.
- ``extract``: GAOKAO-Bench choice and fill-in items (``solutions/gaokaobench_*.json``): the share whose
  answer extracted from ``analysis`` verifies (math-verify) against the ``answer`` field.
- ``normalize``: the reference answers of ``answers/qwen25math_*.jsonl`` and ``benchmarks/math500.jsonl``:
  the share whose normalized form math-verify parses, and the share that also round-trips (normalizing
  it again changes nothing, and it verifies equal to itself).
- ``throughput``: 100k answers (the references, repeated, plus adversarial LaTeX) normalized by 2
  processes: wall time and the slowest item; then math-verify parsing of the adversarial ones with the
  per-item bound of ``parse_many``.

The data is read from ../shared/data (``--data``); without it the command says so and exits with 2.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import hashlib
import json
import os
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from enum import StrEnum
from pathlib import Path

from benchmarks.gaokao_truth import TRUTH_ERRATA, corrected
from benchmarks.math_structure import Fidelity
from distill.answers.bounded import parse_many, verify_many
from distill.answers.normalize import choice_letters, extract_answer, normalize_answer
from distill.core.kinds import SplitMethod
from distill.core.records import PageRow
from distill.llm.client import TeacherClient, TeacherSettings
from distill.llm.ledger import SqliteLedger
from distill.llm.prompts import Prompt
from distill.problems.pairs import Fallback, problems_from_pages
from distill.problems.split_fallback import SendPages
from distill.problems.splitting import split_document

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / ".cache" / "split_eval"
SECTIONS = ("split", "layouts", "extract", "normalize", "throughput")

_LATEX_SYMBOLS = {
    "cap": "∩", "cup": "∪", "in": "∈", "notin": "∉", "subseteq": "⊆", "subset": "⊂", "emptyset": "∅",
    "varnothing": "∅", "leq": "≤", "le": "≤", "leqslant": "≤", "geq": "≥", "ge": "≥", "geqslant": "≥",
    "neq": "≠", "ne": "≠", "approx": "≈", "infty": "∞", "pi": "π", "alpha": "α", "beta": "β",
    "gamma": "γ", "theta": "θ", "omega": "ω", "Omega": "Ω", "lambda": "λ", "mu": "μ", "sigma": "σ",
    "varphi": "φ", "phi": "φ", "Gamma": "Γ", "Delta": "Δ", "triangle": "△", "angle": "∠", "perp": "⊥",
    "parallel": "∥", "sqrt": "√", "times": "×", "cdot": "·", "pm": "±", "circ": "°", "degree": "°",
    "Rightarrow": "⇒", "rightarrow": "→", "to": "→", "cdots": "…", "ldots": "…", "dots": "…",
    "prime": "′", "mid": "|", "sum": "∑", "int": "∫",
}  # fmt: skip
_FUNCTIONS = {"sin", "cos", "tan", "cot", "sec", "csc", "ln", "log", "lg", "exp", "min", "max", "lim"}
_KEEP_RE = re.compile(r"[0-9a-zA-Z\u4e00-\u9fff=<>+\-*/|∩∪∈∉⊆⊂∅≤≥≠≈∞παβγθωΩλμσφΓΔ△∠⊥∥√×·±°⇒→∑∫]")
_SYNONYMS = str.maketrans({"−": "-", "–": "-", "—": "-", "∕": "/", "∣": "|", "⩽": "≤", "⩾": "≥", "∝": "α"})


def canonical_text(text: str) -> str:
    """Text reduced for similarity: LaTeX commands as symbols, then only letters, digits, CJK, math."""
    text = re.sub(r"\\(?:begin|end)\s*\{[^{}]*\}", " ", text)
    text = re.sub(
        r"\\([A-Za-z]+)",
        lambda m: _LATEX_SYMBOLS.get(m.group(1), m.group(1) if m.group(1) in _FUNCTIONS else " "),
        text,
    )
    text = unicodedata.normalize("NFKC", text).translate(_SYNONYMS)
    return "".join(_KEEP_RE.findall(text)).lower()


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, canonical_text(a), canonical_text(b), autojunk=False).ratio()


def problem_text(problem: str, options: list[str]) -> str:
    return "\n".join([problem, *(f"{chr(65 + i)}. {o}" for i, o in enumerate(options))])


def exam_fidelity(exam: str, truth: list[str], by_number: dict) -> Fidelity:
    """Math structure and script-aware CER of the problems matched by number to the truth questions,
    against the corrected truth (questions of TRUTH_ERRATA left out)."""
    fidelity = Fidelity()
    for n, question in enumerate(truth, start=1):
        if n in by_number and (exam, n) not in TRUTH_ERRATA:
            found = by_number[n]
            fidelity.add(corrected(exam, n, question), problem_text(found.problem, found.options))
    return fidelity


def _ocr_source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "ocr").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def ocr_pages(pdf: Path) -> list[tuple[int, str]]:
    """(page, text) of a PDF through ``ocr.extract_pdf``, cached by PDF and OCR source."""
    key = f"{hashlib.sha256(pdf.read_bytes()).hexdigest()[:16]}-{_ocr_source_hash()}"
    cached = CACHE / f"{pdf.stem}-{key}.json"
    if cached.is_file():
        return [tuple(p) for p in json.loads(cached.read_text(encoding="utf-8"))]
    from ocr import extract_pdf  # loads the OCR models: only when the cache misses

    pages = [(p.page, p.text) for p in extract_pdf(pdf) if not p.error]
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    return pages


class SplitMode(StrEnum):
    RULES = "rules"  # the rules alone (what the pipeline does without a teacher)
    DOUBTFUL = "doubtful"  # the rules, and the teacher for the pages they leave in doubt (the default)
    TEACHER = "teacher"  # every page re-split by the teacher (teacher-always)


def split_exam(name: str, pages: list[tuple[int, str]], fallback: Fallback | None) -> tuple[list, str]:
    """The problem rows of one exam as the pipeline splits it (``problems_from_pages``), and a line
    saying how many pages were in doubt, sent, and how many records the teacher gave."""
    rows = [
        PageRow(collection="split_eval", source_file=name, source_sha256=name, page=page, text=text)
        for page, text in pages
    ]
    result = problems_from_pages(rows, fallback)
    problems = [row for row in result.rows if not row.error]
    teacher = sum(row.split_method == SplitMethod.TEACHER for row in problems)
    differs = sum(any(n.startswith("count_differs") for n in row.split_notes) for row in problems)
    return problems, (
        f"pages in doubt {result.pages_in_doubt}  sent to the teacher {dict(result.fallback) or '-'}"
        f"  records from the teacher {teacher}  rows whose count differs {differs}"
    )


def teacher_fallback(
    mode: SplitMode, url: str, model: str, served: str = "", key_env: str = "TEACHER_API_KEY"
) -> Fallback | None:
    """The teacher of the split modes that use one: an OpenAI-compatible endpoint, its key read from the
    environment variable `key_env`, replies kept in ``.cache/split_eval/ledger.sqlite`` (never paid twice)."""
    if mode is SplitMode.RULES:
        return None
    settings = TeacherSettings(
        base_url=url,
        model=model,
        served_model=served,
        api_key=os.environ.get(key_env, "EMPTY"),
        temperature=0.0,
        max_tokens=2048,
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    client = TeacherClient(settings, SqliteLedger(CACHE / "ledger.sqlite"))
    send = SendPages.ALL if mode is SplitMode.TEACHER else SendPages.DOUBTFUL
    return Fallback(
        client, Prompt.load(ROOT / "configs/prompts/split_fallback.yaml"), send=send, max_pages=100
    )


def eval_split(
    data: Path, show: int, fallback: Fallback | None = None, mode: SplitMode = SplitMode.RULES
) -> None:
    print(f"== split ({mode} mode): gaokao 2024 exams (OCR -> the pipeline's split) vs truth files")
    sims_all: list[float] = []
    fidelity_all = Fidelity()
    for truth_csv in sorted((data / "pdfs" / "gaokao2024").glob("*.truth.csv")):
        pdf = truth_csv.with_name(truth_csv.name.replace(".truth.csv", ".pdf"))
        with truth_csv.open(encoding="utf-8") as f:
            truth_rows = list(csv.DictReader(f))
        truth = [row["prompt"] for row in truth_rows]
        pages = ocr_pages(pdf)
        started = time.monotonic()
        problems, doubt = split_exam(pdf.name, pages, fallback)
        seconds = time.monotonic() - started
        by_number = {int(p.number): p for p in problems if p.number.isdigit()}
        sims = {
            n: similarity(problem_text(by_number[n].problem, by_number[n].options), truth[n - 1])
            for n in range(1, len(truth) + 1)
            if n in by_number
        }
        sims_all += sims.values()
        missing = [n for n in range(1, len(truth) + 1) if n not in by_number]
        extra = [p.number for p in problems if not p.number.isdigit() or int(p.number) > len(truth)]
        letters = {
            n: row["answer"].strip()
            for n, row in enumerate(truth_rows, 1)
            if choice_letters(row["answer"].strip())
        }
        agree = sum(
            normalize_answer(by_number[n].answer_raw, "multi_choice") == a
            for n, a in letters.items()
            if n in by_number
        )
        status = "ok" if len(problems) == len(truth) and not missing else "WRONG"
        median = statistics.median(sims.values()) if sims else 0.0
        print(
            f"  {pdf.stem:10s} found {len(problems):2d} / expected {len(truth):2d} [{status}]"
            f"  similarity median {median:.3f} min {min(sims.values(), default=0):.3f}"
            f"  missing {missing or '-'} extra {extra or '-'}  choice answers {agree}/{len(letters)}"
            f"  split {seconds * 1000:.0f} ms"
        )
        print(f"  {'':10s} {doubt}")
        fidelity = exam_fidelity(pdf.stem, truth, by_number)
        fidelity_all.merge(fidelity)
        print(f"  {'':10s} {fidelity.summary()}")
        for n, s in sorted(sims.items(), key=lambda kv: kv[1])[:show]:
            p = by_number[n]
            print(f"    #{n} {s:.3f} found: {canonical_text(problem_text(p.problem, p.options))[:110]}")
            print(f"    #{n}       truth: {canonical_text(truth[n - 1])[:110]}")
    if sims_all:
        print(
            f"  all exams: median similarity {statistics.median(sims_all):.3f} over {len(sims_all)} problems"
            " (normalized: blind to scripts)"
        )
        print("  all exams, math structure against the corrected truth (benchmarks/math_structure.py):")
        for line in fidelity_all.tally.lines():
            print(f"    {line}")
        print(f"    script-aware CER {fidelity_all.cer():.3f}")


def eval_layouts(data: Path, show: int, scan_dpi: int = 0, per_source: int = 4) -> None:
    """The exact-truth items typeset in every layout of ``benchmarks/exact_truth/layouts.py`` and read
    back as a folder (paper and key file), as set or scanned at `scan_dpi`: figures per layout, then per
    style of each dimension."""
    from benchmarks.exact_truth.items import load_items
    from benchmarks.exact_truth.layout_measure import TARGETS, score_layouts
    from benchmarks.exact_truth.layouts import LAYOUTS

    items, _ = load_items(data, per_source)
    counts = Counter(item.language for item in items)
    print(
        f"== layouts{f' scanned at {scan_dpi} dpi' if scan_dpi else ' (text layer)'}: {len(LAYOUTS)} layouts, papers of {counts['zh']} Chinese / {counts['en']} English items"
        f" (targets: right count in every layout, answers matched >= {TARGETS['answers']:.2f},"
        f" similarity median >= {TARGETS['similarity']:.2f})"
    )
    started = time.monotonic()
    scores = score_layouts(items, LAYOUTS, scan_dpi=scan_dpi)
    for name, score in scores.per_layout.items():
        print(f"  {name:48s} {score.line()}")
        for miss in score.misses[:show]:
            print(f"      {miss}")
    print("  per style:")
    for (dimension, style), score in sorted(scores.per_style.items()):
        print(f"    {dimension:11s} {style:24s} {score.line()}")
    print(f"  all layouts: {scores.total.line()}  ({time.monotonic() - started:.0f} s)")


def _bench_items(data: Path) -> list[tuple[str, str, str, str, str]]:
    """(type, id, question, analysis, answer) of the GAOKAO-Bench choice and fill-in items."""
    items = []
    for path in sorted((data / "solutions").glob("gaokaobench_*.json")):
        if "MCQs" in path.name:
            qtype = "choice"
        elif "Fill-in" in path.name:
            qtype = "fill"
        else:
            continue
        for ex in json.loads(path.read_text(encoding="utf-8"))["example"]:
            answer = "".join(ex["answer"]) if isinstance(ex["answer"], list) else ex["answer"]
            items.append((qtype, f"{path.stem}#{ex['index']}", ex["question"], ex["analysis"], answer))
    return items


def eval_extract(data: Path, show: int) -> None:
    print("== extract: GAOKAO-Bench answers extracted from `analysis` vs the `answer` field")
    items = _bench_items(data)
    extracted = []
    for qtype, _, question, analysis, answer in items:
        hint = "multi_choice" if qtype == "choice" and len(answer.strip()) > 1 else qtype
        hint = "single_choice" if hint == "choice" else hint
        options = [o for p in split_document([(1, question)]) for o in p.options]
        extracted.append(extract_answer(analysis, "", hint, options))
    verdicts = verify_many(
        [(item[-1], raw) for item, (raw, _) in zip(items, extracted, strict=True)], workers=2
    )
    for qtype in ("choice", "fill"):
        idx = [i for i, item in enumerate(items) if item[0] == qtype]
        agree = sum(verdicts[i] is True for i in idx)
        rules = Counter(extracted[i][1] for i in idx)
        print(f"  {qtype:6s} {agree}/{len(idx)} = {agree / len(idx):.1%} agree   rules {dict(rules)}")
        for i in [i for i in idx if verdicts[i] is not True][:show]:
            print(f"    {items[i][1]}: gold {items[i][-1].strip()!r} got {extracted[i]!r} ({verdicts[i]})")


def _reference_answers(data: Path) -> dict[str, list[str]]:
    sets = {}
    for path in sorted((data / "answers").glob("qwen25math_*.jsonl")) + [
        data / "benchmarks" / "math500.jsonl"
    ]:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        sets[path.stem] = [str(r["answer"]) for r in rows]
    return sets


def eval_normalize(data: Path, show: int) -> None:
    print("== normalize: reference answers -> normalized form math-verify parses and round-trips")
    total = parsed_n = round_n = 0
    empty = 0
    for name, answers in _reference_answers(data).items():
        empty += sum(not a.strip() for a in answers)
        answers = [a for a in answers if a.strip()]
        normalized = [normalize_answer(a) for a in answers]
        parsed = parse_many(normalized, workers=2)
        same = verify_many([(n, n) for n in normalized], workers=2)
        idem = [normalize_answer(n) == n for n in normalized]
        ok = [bool(p and s and i) for p, s, i in zip(parsed, same, idem, strict=True)]
        total, parsed_n, round_n = total + len(answers), parsed_n + sum(map(bool, parsed)), round_n + sum(ok)
        print(
            f"  {name:32s} {len(answers):4d}  parse {sum(map(bool, parsed)) / len(answers):7.2%}"
            f"  round-trip {sum(ok) / len(answers):7.2%}"
        )
        for i in [i for i, good in enumerate(ok) if not good][:show]:
            print(f"    {answers[i]!r} -> {normalized[i]!r} parse={parsed[i]} self={same[i]} idem={idem[i]}")
    print(
        f"  all {total}: parse {parsed_n / total:.2%}  round-trip {round_n / total:.2%}"
        f"  ({empty} empty references left out)"
    )


ADVERSARIAL = [  # the first ones are short enough to be normalized and parsed; the others are refused
    "x" + "^{x" * 100 + "}" * 100,  # math-verify parses this for about a minute
    "(" * 300 + ")" * 300,
    "\\frac{" * 100 + "1" + "}" * 100,
    "(10^{100})!",
    "2^{2^{2^{2^{2^{2^{2^{2}}}}}}}",
    "1+" * 300 + "1",
    "{" * 5000,
    "$" * 3000 + "x",
    "\\boxed{" * 300,
    "1" * 20000,
    "\\text{" + "或" * 5000 + "}",
    "A、" * 3000,
    "\\left(" * 500 + "\\right)" * 500,
]


def _normalize_chunk(answers: list[str]) -> tuple[int, float]:
    slowest = 0.0
    for a in answers:
        start = time.perf_counter()
        normalize_answer(a)
        slowest = max(slowest, time.perf_counter() - start)
    return len(answers), slowest


def eval_throughput(data: Path, n: int = 100_000) -> None:
    print(f"== throughput: normalize {n} answers on 2 processes, then bounded parsing of adversarial LaTeX")
    pool = [a for answers in _reference_answers(data).values() for a in answers] + ADVERSARIAL
    answers = [pool[i % len(pool)] for i in range(n)]
    chunks = [answers[i : i + 5000] for i in range(0, n, 5000)]
    started = time.monotonic()
    with ProcessPoolExecutor(2) as ex:
        results = list(ex.map(_normalize_chunk, chunks))
    seconds = time.monotonic() - started
    print(
        f"  normalized {sum(c for c, _ in results)} in {seconds:.1f} s (incl. process start)"
        f"  slowest item {max(s for _, s in results) * 1000:.1f} ms"
    )
    started = time.monotonic()
    parsed = parse_many([normalize_answer(a) for a in ADVERSARIAL], timeout_s=2.0, workers=2)
    print(
        f"  parse_many on {len(ADVERSARIAL)} adversarial answers: {time.monotonic() - started:.1f} s,"
        f" outcomes {dict(Counter(map(str, parsed)))} (None = over the 2 s bound)"
    )
    started = time.monotonic()
    verdicts = verify_many([(a, a) for a in ADVERSARIAL], timeout_s=2.0, workers=2)
    print(
        f"  verify_many on the same, each against itself: {time.monotonic() - started:.1f} s,"
        f" outcomes {dict(Counter(map(str, verdicts)))} (None: unparseable, or over the 2 s bound)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data directory")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--show", type=int, default=0, help="failures to print per section")
    parser.add_argument("--split-mode", choices=[m.value for m in SplitMode], default="rules")
    parser.add_argument("--teacher-url", default="", help="split modes with a teacher: its /v1 base URL")
    parser.add_argument("--teacher-model", default="", help="the model's name in requests and the ledger")
    parser.add_argument("--teacher-served-model", default="", help="the name the endpoint serves, if other")
    parser.add_argument("--teacher-key-env", default="TEACHER_API_KEY", help="the API key's variable")
    parser.add_argument(
        "--layout-scan-dpi",
        type=int,
        default=0,
        help="layouts: scan the papers at this dpi first (0: text layer)",
    )
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"split_eval: the data directory {args.data} is absent; nothing measured.", file=sys.stderr)
        return 2
    for section in args.only.split(","):
        if section == "split":
            mode = SplitMode(args.split_mode)
            if mode is not SplitMode.RULES and not args.teacher_url:
                parser.error(f"--split-mode {mode} needs a teacher: --teacher-url and --teacher-model")
            fallback = teacher_fallback(
                mode, args.teacher_url, args.teacher_model, args.teacher_served_model, args.teacher_key_env
            )
            eval_split(args.data, args.show, fallback, mode)
        elif section == "layouts":
            eval_layouts(args.data, args.show, args.layout_scan_dpi)
        elif section == "extract":
            eval_extract(args.data, args.show)
        elif section == "normalize":
            eval_normalize(args.data, args.show)
        elif section == "throughput":
            eval_throughput(args.data)
        else:
            parser.error(f"unknown section {section!r}; known: {', '.join(SECTIONS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
