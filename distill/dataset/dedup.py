"""Problem deduplication across collections: exact and near-duplicate (pure logic).

A problem may have several texts (the English text and, when translated, its original). Two problems
are duplicates when one of their normalized texts is equal (exact), or when MinHash LSH on character
5-grams makes them candidates and the similarity ratio of the normalized texts (``rapidfuzz``'s Indel
ratio) reaches the threshold and both texts have the same numbers in the same order: a problem with
other numbers is another problem. Duplicates form clusters; each keeps one representative, the
problem ranked first (the caller ranks by kept samples, then input order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from distill.core.textnorm import numbers
from distill.dataset.minhash import candidate_pairs


@dataclass(frozen=True)
class Duplicate:
    problem: int  # index of the dropped problem
    representative: int  # index of the kept problem
    method: str  # "exact" | "near"
    similarity: float  # best ratio between their normalized texts (1.0: equal)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def similar(a: str, b: str, threshold: float) -> bool:
    return Indel.normalized_similarity(a, b, score_cutoff=threshold) >= threshold and numbers(a) == numbers(b)


def find_duplicates(
    owners: Sequence[int],
    texts: Sequence[str],
    keys: np.ndarray,
    rank: Sequence[object],
    threshold: float,
) -> list[Duplicate]:
    """Duplicates among problems ``0..len(rank)-1``. ``texts`` are normalized texts, ``owners[i]`` the
    problem of ``texts[i]``, ``keys`` their LSH band keys; the lowest ``rank`` of a cluster is kept."""
    clusters = _UnionFind(len(rank))
    first: dict[str, int] = {}
    for i, text in enumerate(texts):
        clusters.union(owners[first.setdefault(text, i)], owners[i])
    for i, j in candidate_pairs(keys).tolist():
        a, b = owners[i], owners[j]
        if clusters.find(a) != clusters.find(b) and similar(texts[i], texts[j], threshold):
            clusters.union(a, b)
    members: dict[int, list[int]] = {}
    for problem in range(len(rank)):
        members.setdefault(clusters.find(problem), []).append(problem)
    texts_of: dict[int, list[str]] = {}
    for owner, text in zip(owners, texts, strict=True):
        texts_of.setdefault(owner, []).append(text)
    out = []
    for group in members.values():
        if len(group) == 1:
            continue
        keep = min(group, key=lambda p: rank[p])
        for problem in group:
            if problem != keep:
                best = max(
                    Indel.normalized_similarity(a, b) for a in texts_of[problem] for b in texts_of[keep]
                )
                out.append(Duplicate(problem, keep, "exact" if best == 1.0 else "near", best))
    return sorted(out, key=lambda d: d.problem)
