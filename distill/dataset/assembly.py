"""Assembly of the distillation dataset from the ``verified_cot`` tables of every collection (pure logic).

It streams: the input tables are read in Arrow batches twice, and only per-problem texts and per-row
decisions are held in memory.

1. Scan: each sample gets the first sample filter that drops it (``filters.sample_reasons``); each
   problem is recorded once (texts, answer, flags, pass rate, kept samples).
2. Problems: decontamination against the benchmark items (``decontamination``), then deduplication of
   the rest (``dedup``); the samples of a contaminated or duplicate problem are dropped with that reason.
3. Write: kept samples go to the SFT view, split by problem (a stable hash of its id); verifiable
   train problems go to the GRPO view, verifiable test problems (plus extra held-out items) to the eval
   view; every dropped sample goes to ``reports/dropped.parquet`` with its reason, and the duplicate and
   contamination findings to ``reports/``. Nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from distill.core.kinds import Verdict
from distill.core.records import VerifiedRow, check_columns
from distill.core.textnorm import normalize
from distill.core.versions import dataset_tools
from distill.dataset import views
from distill.dataset.decontamination import BenchmarkItem, Contamination, Decontaminator
from distill.dataset.dedup import Duplicate, find_duplicates
from distill.dataset.filters import CountTokens, figure_missing, proof_problem, sample_reasons
from distill.dataset.minhash import band_keys, signatures
from distill.dataset.shards import ShardWriter
from distill.llm.prompts import Prompt

log = logging.getLogger(__name__)
BATCH_ROWS = 8192
BANDS = 32  # of 4 rows of a 128-permutation MinHash: candidates from a Jaccard of about 0.4
PROVENANCE_KEYS = (
    "collection",
    "teacher_model",
    "prompt_version",
    "translation_prompt_version",
    "ocr_engine",
    "verify_method",
)
_SCAN_COLUMNS = [
    "id",
    "collection",
    "problem",
    "options",
    "problem_text",
    "problem_original",
    "answer",
    "type",
    "error",
    "finish_reason",
    "verdict",
    "reasoning",
    "final_text",
    "filter_flags",
    "page_flags",
    "pass_rate",
    "teacher_model",
    "prompt_version",
    "translation_prompt_version",
    "ocr_engine",
    "verify_method",
    "error_kind",
    "review",
]
REPORT_SCHEMAS = {
    "reports/dropped": pa.schema([("id", pa.string()), ("problem_id", pa.string()), ("collection", pa.string()),
                                  ("reason", pa.string())]),
    "reports/duplicates": pa.schema([("problem_id", pa.string()), ("collection", pa.string()),
                                     ("representative_id", pa.string()), ("representative_collection", pa.string()),
                                     ("method", pa.string()), ("similarity", pa.float64()), ("problem", pa.string()),
                                     ("representative_problem", pa.string())]),
    "reports/contamination": pa.schema([("problem_id", pa.string()), ("collection", pa.string()),
                                        ("benchmark", pa.string()), ("benchmark_id", pa.string()),
                                        ("method", pa.string()), ("score", pa.float64()), ("evidence", pa.string()),
                                        ("problem", pa.string())]),
}  # fmt: skip


@dataclass(frozen=True)
class DatasetPolicy:
    require_verified: bool = True  # keep only samples whose answer verified against the reference
    drop_truncated: bool = True  # drop generations cut by max_tokens (finish_reason == "length")
    # R1 flags of the sample and fidelity flags of its pages that drop it
    drop_flags: tuple[str, ...] = ("mixed_language", "code_block", "repetition", "math_lost")
    max_tokens: int | None = 16384  # SFT conversation length in the student's tokens; None: no limit
    near_duplicate_ratio: float = 0.9  # similarity ratio of normalized texts for a near duplicate
    ngram: int = 8  # word n-gram of decontamination
    ngram_coverage: float = 0.5  # share of a benchmark item's n-grams a problem must hold
    fuzzy_ratio: float = 0.85  # similarity ratio to a benchmark item that counts as contamination
    grpo_pass_rate: tuple[float, float] | None = None  # GRPO keeps problems whose pass rate is in the band
    test_fraction: float = 0.2
    shard_mb: int = 256  # Arrow data per Parquet shard
    seed: str = "r1-distill"


@dataclass
class DatasetReport:
    """What was built: figures for the card, ``dataset_info.json`` and the asset's metadata."""

    version: str
    sources: dict[str, int]  # collection -> samples in
    counts: dict[str, int]
    dropped: dict[str, int]  # samples, by reason
    grpo_excluded: dict[str, int]  # train problems left out of GRPO, by reason
    stages: list[tuple[str, int, int]]  # (stage, samples left, problems left)
    files: dict[str, list[str]]  # view -> shard paths relative to the dataset dir
    provenance: dict[str, list[str]]
    contamination: dict[str, dict[str, int]]  # benchmark -> {"items", "problems", "samples"}
    contamination_examples: list[dict]
    duplicates: dict[str, int]  # {"exact", "near"} problems
    verified_share: float
    tools: dict[str, str]  # package -> version: the verifier, OCR engines and model libraries of this build
    page_flags: dict[str, int]  # SFT samples kept although their pages carry a fidelity flag, by flag
    review: dict[str, int]  # problems a person reviewed, by outcome: accepted | corrected | rejected
    lengths: dict[str, np.ndarray] = field(repr=False)  # characters per SFT row: "problem", "reasoning"


def decontaminator(references: Sequence[BenchmarkItem], policy: DatasetPolicy) -> Decontaminator:
    return Decontaminator(
        references,
        ngram=policy.ngram,
        fuzzy_threshold=policy.fuzzy_ratio,
        min_coverage=policy.ngram_coverage,
        bands=BANDS,
    )


def in_test_split(problem_id: str, policy: DatasetPolicy) -> bool:
    bucket = int(hashlib.sha256(f"{policy.seed}:{problem_id}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < policy.test_fraction


def _batches(url: str, columns: Sequence[str] | None = None) -> Iterator[pa.Table]:
    """A ``verified_cot`` file in batches, after checking it has every column of ``VerifiedRow``."""
    with fsspec.open(url, "rb") as f:
        parquet = pq.ParquetFile(f)
        check_columns(parquet.schema_arrow.names, VerifiedRow, url)
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            yield pa.Table.from_batches([batch])


@dataclass
class _Problems:
    """One entry per problem id, in order of first appearance."""

    index: dict[str, int] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # English problem with its options
    originals: list[str] = field(default_factory=list)  # text before translation, "" when the same
    answers: list[str] = field(default_factory=list)
    pass_rates: list[float | None] = field(default_factory=list)
    # why the problem cannot be a GRPO or eval problem: "empty problem" | "figure missing" | ...
    flags: list[str | None] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)  # samples that passed the sample filters

    def add(self, table: pa.Table, reasons: pa.Array) -> np.ndarray:
        """Record the batch's new problems and count kept samples; returns each row's problem index."""
        rows, new = np.empty(len(table), dtype=np.int64), []
        for r, pid in enumerate(table.column("id").to_pylist()):
            p = self.index.get(pid)
            if p is None:
                p = self.index[pid] = len(self.ids) + len(new)
                new.append(r)
            rows[r] = p
        if new:
            self._append(table.take(new))
        for p in rows[pc.is_null(reasons).to_numpy(zero_copy_only=False)].tolist():
            self.kept[p] += 1
        return rows

    def _append(self, first: pa.Table) -> None:
        def column(name: str, default: object = "") -> list:
            return (
                first.column(name).to_pylist()
                if default is None
                else pc.fill_null(first.column(name), default).to_pylist()
            )

        texts, answers = views.problem_text(first).to_pylist(), column("answer")
        figure, proof = figure_missing(first).to_pylist(), proof_problem(first).to_pylist()
        self.ids += column("id")
        self.collections += column("collection")
        self.texts += texts
        self.originals += [
            o if o.strip() and o != p else ""
            for o, p in zip(column("problem_original"), column("problem"), strict=True)
        ]
        self.answers += answers
        self.pass_rates += column("pass_rate", None)
        self.flags += [
            "empty problem"
            if not t.strip()
            else "figure missing"
            if f
            else "proof problem"
            if pr
            else "no reference answer"
            if not a.strip()
            else None
            for t, f, pr, a in zip(texts, figure, proof, answers, strict=True)
        ]
        self.kept += [0] * len(first)


@dataclass
class _Scan:
    problems: _Problems
    reasons: list[pa.Array]  # per input: each row's sample-filter reason (null: kept)
    rows: list[np.ndarray]  # per input: each row's problem index
    provenance: dict[str, set[str]]
    sources: Counter[str]
    reviews: dict[str, str]  # problem id -> what a person's review made of it (reviewed problems only)


def _scan(
    inputs: Sequence[str], policy: DatasetPolicy, template: views.Template, count_tokens: CountTokens | None
) -> _Scan:
    problems, reasons, rows, sources, reviews = _Problems(), [], [], Counter(), {}
    provenance: dict[str, set[str]] = {key: set() for key in PROVENANCE_KEYS}
    for url in inputs:
        chunks, indices = [], []
        for table in _batches(url, _SCAN_COLUMNS):
            sources.update(_counts(table.column("collection")))
            reviewed = pc.not_equal(table.column("review"), "")
            reviews.update(
                zip(*(table.column(c).filter(reviewed).to_pylist() for c in ("id", "review")), strict=True)
            )
            ok = pc.is_null(table.column("error"))
            for key in PROVENANCE_KEYS:
                provenance[key].update(str(v) for v in pc.unique(table.column(key).filter(ok)).to_pylist())
            reason = sample_reasons(
                table,
                require_verified=policy.require_verified,
                drop_truncated=policy.drop_truncated,
                drop_flags=policy.drop_flags,
                max_tokens=policy.max_tokens,
                count_tokens=count_tokens,
                conversation_text=lambda t: views.conversation_text(t, template),
            )
            chunks.append(reason)
            indices.append(problems.add(table, reason))
        reasons.append(pa.concat_arrays(chunks) if chunks else pa.array([], pa.string()))
        rows.append(np.concatenate(indices) if indices else np.empty(0, dtype=np.int64))
    return _Scan(problems, reasons, rows, provenance, sources, reviews)


def _judge(
    problems: _Problems, references: Sequence[BenchmarkItem], policy: DatasetPolicy
) -> tuple[dict[int, Contamination], list[Duplicate]]:
    """Contaminated problems (by problem index), then the duplicates among the others."""
    owners, texts, normalized = [], [], []
    for p, (text, original) in enumerate(zip(problems.texts, problems.originals, strict=True)):
        for raw in (text, original):
            norm = normalize(raw) if raw else ""
            if norm:
                owners.append(p)
                texts.append(raw)
                normalized.append(norm)
    keys = band_keys(signatures(normalized), BANDS)
    contaminated: dict[int, Contamination] = {}
    if references:
        for hit in decontaminator(references, policy).find(texts, keys):
            contaminated.setdefault(owners[hit.text], hit)
    clean = [i for i, owner in enumerate(owners) if owner not in contaminated]
    rank = [(-kept, p) for p, kept in enumerate(problems.kept)]
    duplicates = find_duplicates(
        [owners[i] for i in clean],
        [normalized[i] for i in clean],
        keys[clean],
        rank,
        policy.near_duplicate_ratio,
    )
    return contaminated, duplicates


def build_dataset(
    inputs: Sequence[str],
    out: Path,
    policy: DatasetPolicy,
    sft_prompt: Prompt,
    grpo_prompt: Prompt,
    references: Sequence[BenchmarkItem],
    heldout_extra: Sequence[dict],
    count_tokens: CountTokens | None,
) -> DatasetReport:
    """Build the dataset of the ``verified_cot`` tables at ``inputs`` (URLs) into the empty dir ``out``."""
    started = time.perf_counter()
    template = views.Template.of(sft_prompt)
    scan = _scan(inputs, policy, template, count_tokens)
    problems = scan.problems
    log.info(f"scan: {len(problems.ids)} problems, {time.perf_counter() - started:.1f} s")
    contaminated, duplicates = _judge(problems, references, policy)
    log.info(
        f"judged: {len(contaminated)} contaminated, {len(duplicates)} duplicate problems, "
        f"{time.perf_counter() - started:.1f} s"
    )
    verdicts: list[str | None] = [None] * len(problems.ids)
    for p, hit in contaminated.items():
        verdicts[p] = f"contaminated ({hit.item.benchmark})"
    for dup in duplicates:
        verdicts[dup.problem] = f"duplicate problem ({dup.method})"
    is_test = np.fromiter(
        (in_test_split(i, policy) for i in problems.ids), dtype=bool, count=len(problems.ids)
    )
    samples = _write_samples(inputs, scan, pa.array(verdicts, pa.string()), is_test, out, template, policy)
    log.info(f"samples written: {time.perf_counter() - started:.1f} s")
    grpo, grpo_excluded = _grpo(problems, verdicts, is_test, policy)
    writer = ShardWriter(out, "grpo/train", views.GRPO_SCHEMA, policy.shard_mb << 20)
    grpo_template = views.Template.of(grpo_prompt)
    for first in range(0, len(grpo), 65536):
        writer.write(views.grpo_table(_problem_table(problems, grpo[first : first + 65536]), grpo_template))
    heldout = _heldout(problems, verdicts, is_test, heldout_extra)
    contamination = _contamination_table(problems, contaminated)
    files = {
        **samples.files,
        "grpo/train": writer.close(),
        "eval/heldout": [_write(heldout, out / "eval/heldout.parquet")],
        "reports/duplicates": [
            _write(_duplicates_table(problems, duplicates), out / "reports/duplicates.parquet")
        ],
        "reports/contamination": [_write(contamination, out / "reports/contamination.parquet")],
    }
    benchmarks = Counter(item.benchmark for item in references)
    matched = Counter(hit.item.benchmark for hit in contaminated.values())
    return DatasetReport(
        version=_digest(out),
        sources=dict(sorted(scan.sources.items())),
        counts={
            "input_rows": sum(map(len, scan.rows)),
            "input_problems": len(problems.ids),
            "sft_train": samples.train,
            "sft_test": samples.test,
            "grpo_train": writer.rows,
            "heldout": heldout.num_rows,
        },
        dropped=dict(sorted(samples.dropped.items())),
        grpo_excluded=dict(sorted(grpo_excluded.items())),
        stages=_stages(
            problems, [list(contaminated), [d.problem for d in duplicates]], sum(map(len, scan.rows))
        ),
        files={view: [str(path.relative_to(out)) for path in paths] for view, paths in files.items()},
        provenance={
            **{key: sorted(values) for key, values in scan.provenance.items()},
            "sft_prompt": [sft_prompt.version],
            "grpo_prompt": [grpo_prompt.version],
        },
        contamination={
            b: {
                "items": benchmarks[b],
                "problems": matched[b],
                "samples": samples.dropped.get(f"contaminated ({b})", 0),
            }
            for b in sorted(benchmarks)
        },
        contamination_examples=contamination.slice(0, 20).drop_columns(["evidence"]).to_pylist(),
        duplicates={m: sum(d.method == m for d in duplicates) for m in ("exact", "near")},
        verified_share=samples.verified / (samples.train + samples.test)
        if samples.train + samples.test
        else 0.0,
        tools=dataset_tools(),
        page_flags=dict(sorted(samples.page_flags.items())),
        review=dict(sorted(Counter(scan.reviews.values()).items())),
        lengths={k: np.concatenate(v) if v else np.empty(0, np.int64) for k, v in samples.lengths.items()},
    )


@dataclass
class _Samples:
    files: dict[str, list[Path]]
    dropped: Counter[str]
    lengths: dict[str, list[np.ndarray]]
    train: int = 0
    test: int = 0
    verified: int = 0
    page_flags: Counter[str] = field(default_factory=Counter)


def _write_samples(
    inputs: Sequence[str],
    scan: _Scan,
    problem_verdicts: pa.Array,
    is_test: np.ndarray,
    out: Path,
    template: views.Template,
    policy: DatasetPolicy,
) -> _Samples:
    """Second pass: kept samples to the SFT splits, dropped ones to ``reports/dropped`` with their reason."""
    max_bytes = policy.shard_mb << 20
    sft = {side: ShardWriter(out, f"sft/{side}", views.SFT_SCHEMA, max_bytes) for side in ("train", "test")}
    gone = ShardWriter(out, "reports/dropped", REPORT_SCHEMAS["reports/dropped"], max_bytes)
    result = _Samples({}, Counter(), {"problem": [], "reasoning": []})
    for url, sample_reasons_, rows in zip(inputs, scan.reasons, scan.rows, strict=True):
        offset = 0
        for table in _batches(url):
            at = rows[offset : offset + len(table)]
            reason = pc.coalesce(sample_reasons_.slice(offset, len(table)), problem_verdicts.take(at))
            offset += len(table)
            drop = pc.is_valid(reason)
            result.dropped.update(_counts(reason.filter(drop)))
            gone.write(_dropped_table(table.filter(drop), reason.filter(drop)))
            keep = pc.invert(drop).to_numpy(zero_copy_only=False)
            kept = views.sft_table(table.filter(keep), template)
            test = pa.array(is_test[at[keep]])
            sft["test"].write(kept.filter(test))
            sft["train"].write(kept.filter(pc.invert(test)))
            result.verified += pc.sum(pc.equal(kept.column("verdict"), Verdict.CORRECT.value)).as_py() or 0
            result.page_flags.update(
                f for flags in kept.column("page_flags").to_pylist() for f in flags or []
            )
            for name in result.lengths:
                result.lengths[name].append(pc.utf8_length(kept.column(name)).to_numpy(zero_copy_only=False))
    result.files = {
        "sft/train": sft["train"].close(),
        "sft/test": sft["test"].close(),
        "reports/dropped": gone.close(),
    }
    result.train, result.test = sft["train"].rows, sft["test"].rows
    return result


def _stages(problems: _Problems, removed: list[list[int]], rows: int) -> list[tuple[str, int, int]]:
    """(stage, samples left, problems left) after the sample filters, decontamination, deduplication."""
    kept = np.asarray(problems.kept, dtype=np.int64)
    stages = [("input", rows, len(kept)), ("sample filters", int(kept.sum()), int((kept > 0).sum()))]
    gone = np.zeros(len(kept), dtype=bool)
    for stage, found in zip(("decontamination", "deduplication"), removed, strict=True):
        gone[found] = True
        stages.append((stage, int(kept[~gone].sum()), int((kept[~gone] > 0).sum())))
    return stages


def _counts(values: pa.Array | pa.ChunkedArray) -> dict[str, int]:
    counts = pc.value_counts(values)
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True))


def _dropped_table(table: pa.Table, reason: pa.Array) -> pa.Table:
    ids = pc.binary_join_element_wise(
        table.column("id"), pc.cast(table.column("sample_index"), pa.string()), "-"
    )
    return pa.table(
        [ids, table.column("id"), table.column("collection"), reason],
        schema=REPORT_SCHEMAS["reports/dropped"],
    )


def _grpo(
    problems: _Problems, verdicts: list[str | None], is_test: np.ndarray, policy: DatasetPolicy
) -> tuple[list[int], Counter[str]]:
    """Train problems with a verifiable answer, neither contaminated nor duplicate, in the pass-rate band."""
    chosen, excluded = [], Counter()
    band = policy.grpo_pass_rate
    for p, (verdict, flag, rate) in enumerate(
        zip(verdicts, problems.flags, problems.pass_rates, strict=True)
    ):
        if is_test[p]:
            continue
        reason = verdict or flag
        if reason is None and band is not None and (rate is None or not band[0] <= rate <= band[1]):
            reason = "pass rate outside band"
        if reason is None:
            chosen.append(p)
        else:
            excluded[reason] += 1
    return chosen, excluded


def _problem_table(problems: _Problems, chosen: Sequence[int]) -> pa.Table:
    return pa.table(
        {
            "id": [problems.ids[p] for p in chosen],
            "text": [problems.texts[p] for p in chosen],
            "answer": [problems.answers[p] for p in chosen],
            "collection": [problems.collections[p] for p in chosen],
            "pass_rate": pa.array([problems.pass_rates[p] for p in chosen], pa.float64()),
        }
    )


def _heldout(
    problems: _Problems, verdicts: list[str | None], is_test: np.ndarray, extra: Sequence[dict]
) -> pa.Table:
    """Test problems usable for evaluation, then the extra held-out items (first id wins)."""
    rows = {
        problems.ids[p]: {
            "id": problems.ids[p],
            "problem": problems.texts[p],
            "answer": problems.answers[p],
            "source": problems.collections[p],
        }
        for p in np.flatnonzero(is_test).tolist()
        if verdicts[p] is None and problems.flags[p] is None
    }
    for item in extra:
        rows.setdefault(str(item["id"]), {k: str(item[k]) for k in views.HELDOUT_SCHEMA.names})
    return pa.Table.from_pylist(list(rows.values()), schema=views.HELDOUT_SCHEMA)


def _duplicates_table(problems: _Problems, duplicates: Sequence[Duplicate]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "problem_id": problems.ids[d.problem],
                "collection": problems.collections[d.problem],
                "representative_id": problems.ids[d.representative],
                "representative_collection": problems.collections[d.representative],
                "method": d.method,
                "similarity": d.similarity,
                "problem": problems.texts[d.problem],
                "representative_problem": problems.texts[d.representative],
            }
            for d in duplicates
        ],
        schema=REPORT_SCHEMAS["reports/duplicates"],
    )


def _contamination_table(problems: _Problems, contaminated: dict[int, Contamination]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "problem_id": problems.ids[p],
                "collection": problems.collections[p],
                "benchmark": c.item.benchmark,
                "benchmark_id": c.item.id,
                "method": c.method,
                "score": c.score,
                "evidence": c.evidence,
                "problem": problems.texts[p],
            }
            for p, c in sorted(contaminated.items())
        ],
        schema=REPORT_SCHEMAS["reports/contamination"],
    )


def _write(table: pa.Table, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def _digest(out: Path) -> str:
    """Content hash of every Parquet file: training keyed on it does not rerun for an unchanged dataset."""
    digest = hashlib.sha256()
    for path in sorted(out.rglob("*.parquet")):
        digest.update(str(path.relative_to(out)).encode())
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:16]
