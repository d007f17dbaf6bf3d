"""The dataset card: a Hugging Face ``README.md`` (YAML header with licence and configs, then sources,
counts per stage and filter, teacher and prompts, decontamination report, length histograms) and
``dataset_info.json``, written next to the Parquet files."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
import yaml

from distill.dataset.assembly import DatasetPolicy, DatasetReport

HISTOGRAM = "images/lengths.png"
_CONFIGS = {
    "sft": {"train": "sft/train", "test": "sft/test"},
    "grpo": {"train": "grpo/train"},
    "eval": {"test": "eval/heldout"},
}
_COUNTS = {
    "sft/train": "sft_train",
    "sft/test": "sft_test",
    "grpo/train": "grpo_train",
    "eval/heldout": "heldout",
}


def header(report: DatasetReport, license_id: str) -> dict:
    rows = report.counts["sft_train"] + report.counts["sft_test"]
    size = next(
        label
        for bound, label in (
            (1e3, "n<1K"),
            (1e4, "1K<n<10K"),
            (1e5, "10K<n<100K"),
            (1e6, "100K<n<1M"),
            (float("inf"), "n>1M"),
        )
        if rows < bound
    )
    configs = []  # empty splits are left out: `datasets` cannot load a split without rows
    for name, splits in _CONFIGS.items():
        files = [
            {"split": split, "path": report.files[view]}
            for split, view in splits.items()
            if report.counts[_COUNTS[view]]
        ]
        if files:
            configs.append({"config_name": name, "data_files": files})
    return {
        "license": license_id,
        "language": ["en"],
        "task_categories": ["text-generation"],
        "tags": ["math", "reasoning", "chain-of-thought", "distillation"],
        "size_categories": [size],
        "configs": configs,
    }


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + [
        "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |" for row in rows
    ]


def card(report: DatasetReport, policy: DatasetPolicy, license_id: str) -> str:
    prov = report.provenance
    contamination = [[b, c["items"], c["problems"], c["samples"]] for b, c in report.contamination.items()]
    lines = [
        "---",
        yaml.safe_dump(header(report, license_id), sort_keys=False, allow_unicode=True).rstrip(),
        "---",
        "# R1-style chain-of-thought distillation dataset",
        "",
        f"Version `{report.version}`. Math problems extracted from PDFs (OCR, problem/solution splitting, "
        "translation to English), solved by an R1-style teacher whose final answers were verified against the "
        "references, then filtered, deduplicated and decontaminated.",
        "",
        "```python",
        "from datasets import load_dataset",
        'sft = load_dataset("path/to/this/dir", "sft")    # messages: user problem, assistant <think>...</think> answer',
        'grpo = load_dataset("path/to/this/dir", "grpo")  # prompt + answer/solution for rule rewards',
        "```",
        "",
        "## Sources",
        *_table(["collection", "samples in"], [[c, n] for c, n in report.sources.items()]),
        "",
        f"- teacher: {', '.join(prov['teacher_model']) or '-'}",
        f"- teacher prompt versions: {', '.join(prov['prompt_version']) or '-'}; views: SFT user turn "
        f"`{prov['sft_prompt'][0]}`, GRPO prompt `{prov['grpo_prompt'][0]}`",
        f"- translation prompt versions: {', '.join(v for v in prov['translation_prompt_version'] if v) or '-'}",
        f"- OCR engines: {', '.join(v for v in prov['ocr_engine'] if v) or '-'}",
        f"- answer verification: {', '.join(v for v in prov['verify_method'] if v) or 'no sample was checked'}",
        f"- tools of this build: {', '.join(f'{name} {v}' for name, v in report.tools.items())}",
        f"- licence of this build: {license_id} (set in the pipeline's `dataset.license`; the sources' own licences apply)",
        "",
        "## Counts per stage",
        *_table(["stage", "samples", "problems"], [list(s) for s in report.stages]),
        "",
        *_table(
            ["view", "rows", "files"],
            [[view, report.counts[key], ", ".join(report.files[view])] for view, key in _COUNTS.items()],
        ),
        "",
        "Kept SFT samples whose pages carry a fidelity flag (the extracted math may not be the page's; "
        "`page_flags`, dropped when listed in `drop_flags`): "
        + (", ".join(f"{flag}: {n}" for flag, n in report.page_flags.items()) or "none")
        + ".",
        "",
        f"Reviewed by a person (the review page): {sum(report.review.values())} problems"
        + (f" ({', '.join(f'{k} {n}' for k, n in report.review.items())})" if report.review else "")
        + "; corrected problems were asked again, rejected ones dropped with the reviewer's reason.",
        "",
        f"Share of SFT samples whose answer verified: {report.verified_share:.3f}. The split is by problem "
        f"(stable hash of its id, test fraction {policy.test_fraction}).",
        "",
        "## Filters (samples dropped, by reason)",
        *(
            _table(["reason", "samples"], [[r, n] for r, n in report.dropped.items()])
            if report.dropped
            else ["None."]
        ),
        "",
        "Every dropped sample is listed with its reason in `reports/dropped.parquet`. Train problems left out of "
        "the GRPO view: " + (", ".join(f"{r}: {n}" for r, n in report.grpo_excluded.items()) or "none") + ".",
        "",
        "## Deduplication",
        f"Exact duplicates (normalized text): {report.duplicates['exact']} problems; near duplicates (MinHash LSH on "
        f"character 5-grams, similarity ratio >= {policy.near_duplicate_ratio} and the same numbers): "
        f"{report.duplicates['near']} problems. Each duplicate and its kept representative are in "
        "`reports/duplicates.parquet`.",
        "",
        "## Decontamination",
        f"Against the benchmark problems below: the problem holds at least {policy.ngram_coverage:.0%} of an "
        f"item's word {policy.ngram}-grams (the n-gram test of open-r1 and s1), or its similarity ratio to an item "
        f"is at least {policy.fuzzy_ratio}. Matches are in `reports/contamination.parquet`.",
        "",
        *_table(["benchmark", "items", "problems matched", "samples removed"], contamination),
        "",
        *(
            _table(
                ["problem", "benchmark item", "method", "score"],
                [
                    [e["problem_id"], e["benchmark_id"], e["method"], f"{e['score']:.2f}"]
                    for e in report.contamination_examples
                ],
            )
            if report.contamination_examples
            else []
        ),
        "",
        "## Lengths",
        f"![Length histograms]({HISTOGRAM})",
        "",
        "## Policy",
        *[f"- {k}: {v}" for k, v in asdict(policy).items()],
        "",
    ]
    return "\n".join(lines)


def histograms(report: DatasetReport, path: Path) -> None:
    """Characters per SFT sample of the problem and of the reasoning, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, (name, values) in zip(axes, report.lengths.items(), strict=True):
        ax.hist(values if len(values) else np.zeros(0), bins=50, color="#4c72b0")
        ax.set_title(f"{name} (characters per SFT sample)")
        ax.set_xlabel("characters")
        ax.set_ylabel("samples")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=80)
    plt.close(figure)


def write_card(directory: Path, report: DatasetReport, policy: DatasetPolicy, license_id: str) -> None:
    """``README.md``, its histogram image and ``dataset_info.json``."""
    histograms(report, directory / HISTOGRAM)
    (directory / "README.md").write_text(card(report, policy, license_id), encoding="utf-8")
    info = {f.name: getattr(report, f.name) for f in fields(report) if f.name != "lengths"}
    info.update(collections=sorted(report.sources), policy=asdict(policy), license=license_id)
    (directory / "dataset_info.json").write_text(json.dumps(info, indent=1, default=str), encoding="utf-8")
