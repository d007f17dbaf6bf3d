"""Decontamination against benchmark problems (pure logic).

A problem is contaminated by a benchmark item when it contains the item's word 8-grams (as open-r1's
``scripts/decontaminate.py`` and s1 look for; words from ``textnorm.words``, so LaTeX spelling and spacing
do not matter and Chinese counts character by character) — at least ``min_coverage`` of them, since one
shared 8-gram of digits, single letters or CJK characters ("已 知 集 合 a 1 2 3") is common between
different problems — or when MinHash LSH makes them candidates and the similarity ratio of their
normalized texts reaches ``fuzzy_threshold`` (edited copies, and short items that have no 8-gram).

Benchmark boilerplate is not evidence: lines that occur in ``boilerplate_items`` or more items (answer
instructions such as "请完成下面一道选择题…") are removed from the items, n-grams that occur in that many
items are left out of the index, and so are the choice lines ("A. -1-i"), which different problems share.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Indel

from distill.core.storage import read_jsonl
from distill.core.textnorm import normalize, problem_body, strip_options, words
from distill.dataset.minhash import band_keys, matches, signatures


@dataclass(frozen=True)
class BenchmarkItem:
    benchmark: str  # file stem: math500, aime24, ...
    id: str
    problem: str


@dataclass(frozen=True)
class Contamination:
    text: int  # index of the contaminated text among the queried texts
    item: BenchmarkItem
    method: str  # "ngram" | "fuzzy"
    score: float  # ratio of the normalized texts
    evidence: str  # a shared n-gram and the share of the item's n-grams found, or the item's normalized stem


def load_benchmarks(paths: Iterable[str | Path]) -> list[BenchmarkItem]:
    """Items of JSONL files with ``id`` and ``problem``; the benchmark is named by the file stem."""
    return [
        BenchmarkItem(path.stem, str(row.get("id", f"{path.stem}-{n}")), row["problem"])
        for path in map(Path, paths)
        for n, row in enumerate(read_jsonl(path))
    ]


class Decontaminator:
    """An index of benchmark items that tells which texts contain one."""

    def __init__(
        self,
        items: Sequence[BenchmarkItem],
        ngram: int = 8,
        fuzzy_threshold: float = 0.85,
        min_coverage: float = 0.5,
        boilerplate_items: int = 3,
        bands: int = 32,
    ) -> None:
        self.items, self.ngram, self.fuzzy_threshold, self.bands = list(items), ngram, fuzzy_threshold, bands
        self.min_coverage = min_coverage
        texts = [problem_body(item.problem) for item in self.items]
        lines = Counter(line for text in texts for line in {ln.strip() for ln in text.splitlines()})
        boilerplate = {line for line, count in lines.items() if count >= boilerplate_items and line}
        bodies = ["\n".join(ln for ln in t.splitlines() if ln.strip() not in boilerplate) for t in texts]
        stems = [strip_options(body) for body in bodies]
        grams_of = [set(self._grams(words(stem))) for stem in stems]
        counts = Counter(gram for grams in grams_of for gram in grams)
        self.index: dict[tuple[str, ...], list[int]] = {}
        self.sizes = [0] * len(self.items)  # distinct indexed n-grams per item
        for i, grams in enumerate(grams_of):
            for gram in grams:
                if counts[gram] < boilerplate_items:
                    self.index.setdefault(gram, []).append(i)
                    self.sizes[i] += 1
        self.keys = band_keys(signatures([normalize(body) for body in bodies]), bands)
        self.normalized = [normalize(stem) for stem in stems]

    def _grams(self, tokens: list[str]) -> Iterable[tuple[str, ...]]:
        return (tuple(tokens[i : i + self.ngram]) for i in range(len(tokens) - self.ngram + 1))

    def ngram_match(self, text: str) -> tuple[int, float, tuple[str, ...]] | None:
        """The item whose n-grams the text covers most, if at least ``min_coverage``: (item, share, n-gram)."""
        shared: dict[int, set[tuple[str, ...]]] = {}
        for gram in self._grams(words(text)):
            for item in self.index.get(gram, ()):
                shared.setdefault(item, set()).add(gram)
        if not shared:
            return None
        item = max(shared, key=lambda i: (len(shared[i]) / self.sizes[i], -i))
        coverage = len(shared[item]) / self.sizes[item]
        return (item, coverage, min(shared[item])) if coverage >= self.min_coverage else None

    def find(self, texts: Sequence[str], keys: np.ndarray) -> list[Contamination]:
        """Contaminated texts (raw ``texts`` and the LSH ``keys`` of their normalized forms), one match each.
        Scores compare stems (options removed): different problems often share a list of options."""
        found: dict[int, Contamination] = {}
        for i, text in enumerate(texts):
            hit = self.ngram_match(text)
            if hit is not None:
                item, coverage, gram = hit
                score = Indel.normalized_similarity(normalize(strip_options(text)), self.normalized[item])
                evidence = f"{' '.join(gram)} ({coverage:.0%} of its {self.ngram}-grams)"
                found[i] = Contamination(i, self.items[item], "ngram", score, evidence)
        for i, item in matches(keys, self.keys).tolist():
            if i in found:
                continue
            stem = normalize(strip_options(texts[i]))
            score = Indel.normalized_similarity(
                stem, self.normalized[item], score_cutoff=self.fuzzy_threshold
            )
            if score >= self.fuzzy_threshold:
                found[i] = Contamination(i, self.items[item], "fuzzy", score, self.normalized[item])
        return [found[i] for i in sorted(found)]

    def query(self, texts: Sequence[str]) -> list[Contamination]:
        """``find`` for raw texts alone (normalizes and hashes them)."""
        return self.find(texts, band_keys(signatures([normalize(t) for t in texts]), self.bands))
