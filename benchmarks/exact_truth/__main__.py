"""The exact-truth corpus: licensed items typeset into exam papers whose truth is their source LaTeX.

    .venv/bin/python -m benchmarks.exact_truth build [--out DIR] [--per-source N] [--paper-size N]
                                                     [--forms text,images,vector,scan150,scan200,scan300]
    .venv/bin/python -m benchmarks.exact_truth measure [--corpus DIR] [--forms ...]
    .venv/bin/python -m benchmarks.exact_truth fixtures   # rewrites the small corpus in samples/exact_truth

``build`` reads the items (``benchmarks/exact_truth/items.py``) from ../shared/data (``--data``), groups
them by language into papers of ``--paper-size`` (choice questions first, numbered from 1), and writes
each paper in every form: ``text`` (formulas as text in math fonts), ``images`` (formulas as PNG images),
``vector`` (formulas as outlines), ``scanN`` (the text form with a grey watermark, rasterized at N dpi,
tilted, blurred and noisy; ``scan.py``). Beside them: ``manifest.json`` (papers, items with their number,
source, index, licence and truth; the items passed over and why) and the licences of the sources.
Default DIR: ``.cache/exact_truth``. The tools are the project's own (matplotlib's mathtext, PyMuPDF,
OpenCV): no TeX installation.

``measure`` extracts and splits every paper of every form with the project's settings and prints the
figures of ``measure.py`` per form, with the math structure per kind; the targets of the math-fidelity
issue are printed beside them. The committed fixtures (``samples/exact_truth``: one Chinese and one
English paper, no MATH-500 item, forms text, images, vector and scan200) are what the tests read.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from benchmarks.exact_truth.items import SOURCES, Item, load_items
from benchmarks.exact_truth.measure import score_form
from benchmarks.exact_truth.scan import scanned
from benchmarks.exact_truth.typeset import Form, ordered, paper
from benchmarks.math_structure import Kind

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_CORPUS = ROOT / ".cache" / "exact_truth"
FIXTURES = ROOT / "samples" / "exact_truth"
ALL_FORMS = ("text", "images", "vector", "scan150", "scan200", "scan300")
FIXTURE_FORMS = ("text", "images", "vector", "scan200")
TARGETS = {"text": 0.95, "images": 0.95, "vector": 0.95, "scan200": 0.90, "scan300": 0.90}


def papers(items: list[Item], size: int) -> list[tuple[str, list[Item]]]:
    """Items grouped by language into papers of at most `size`, named zh01, zh02, ..., en01, ..."""
    out = []
    for language in ("zh", "en"):
        group = [item for item in items if item.language == language]
        for start in range(0, len(group), size):
            out.append((f"{language}{start // size + 1:02d}", ordered(group[start : start + size])))
    return out


def build(data: Path, out: Path, per_source: int, size: int, forms: tuple[str, ...], sources=SOURCES) -> None:
    items, skipped = load_items(data, per_source, sources)
    out.mkdir(parents=True, exist_ok=True)
    manifest = {
        "papers": [],
        "forms": list(forms),
        "skipped": [[*key, n] for key, n in sorted(skipped.items())],
    }
    for name, group in papers(items, size):
        text_pdf = paper(name, group, Form.TEXT)
        for form in forms:
            if form.startswith("scan"):
                data_out = scanned(text_pdf, int(form[4:]), name)
            else:
                data_out = text_pdf if form == "text" else paper(name, group, Form(form))
            (out / form).mkdir(exist_ok=True)
            (out / form / f"{name}.pdf").write_bytes(data_out)
        manifest["papers"].append(
            {
                "name": name,
                "language": group[0].language,
                "items": [{"number": n, **item.to_dict()} for n, item in enumerate(group, start=1)],
            }
        )
        print(f"  {name}: {len(group)} items, forms {', '.join(forms)}")
    for source in sources:
        shutil.copyfile(data / source.licence, out / Path(source.licence).name)
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"exact-truth corpus: {len(items)} items in {len(manifest['papers'])} papers -> {out}")
    for source, reason, n in manifest["skipped"]:
        print(f"  passed over: {source}: {n} ({reason})")


def measure(corpus: Path, forms: tuple[str, ...]) -> None:
    print(f"exact-truth corpus {corpus}")
    for form in forms:
        if not (corpus / form).is_dir():
            continue
        score = score_form(corpus, form)
        tally = score.fidelity.tally
        structure = tally.recall(*Kind)
        target = TARGETS.get(form)
        print(score.line())
        print(
            f"{'':8s} {score.fidelity.summary()}  all structure recall "
            f"{'-' if structure is None else f'{structure:.3f}'}"
            + (f" (target >= {target:.2f})" if target else "")
        )
        for line in tally.lines():
            print(f"{'':10s}{line}")
        if score.unflagged_losses:
            print(f"{'':8s} unflagged math losses: {', '.join(score.unflagged_losses)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.exact_truth", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("command", choices=("build", "measure", "fixtures"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--out", "--corpus", dest="corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--per-source", type=int, default=10, help="items of each source")
    parser.add_argument("--paper-size", type=int, default=10, help="items a paper")
    parser.add_argument("--forms", default=",".join(ALL_FORMS))
    args = parser.parse_args(argv)
    forms = tuple(args.forms.split(","))
    if args.command == "measure":
        measure(args.corpus, forms)
        return 0
    if not (args.data / "solutions").is_dir():
        print(f"exact_truth: {args.data} holds no source items (pass --data)", file=sys.stderr)
        return 2
    if args.command == "fixtures":
        licensed = tuple(s for s in SOURCES if s.name != "math500")  # held out for evaluation: not committed
        build(args.data, FIXTURES, per_source=3, size=12, forms=FIXTURE_FORMS, sources=licensed)
    else:
        build(args.data, args.corpus, args.per_source, args.paper_size, forms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
