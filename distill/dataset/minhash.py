"""MinHash signatures of character n-grams and LSH banding, vectorized with numpy.

Texts are hashed in batches: the code points of a whole batch form one array, the n-gram hashes are a
rolling polynomial over it, and each of ``num_perm`` hash functions ``(a * h mod 2**64) >> 32`` (multiply-shift
with an odd ``a``) takes its minimum per text with ``np.minimum.reduceat``. Everything is deterministic: the
same texts give the same signatures in every process.

LSH: the signature is cut into ``bands`` of ``num_perm // bands`` rows; two texts are candidates when
they agree on every row of at least one band (probability ``1 - (1 - J**rows)**bands`` for Jaccard J).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_BATCH_NGRAMS = (
    1 << 14
)  # n-grams hashed at once: a (num_perm x n-grams) temporary of 16 MB that stays in cache


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: spreads the polynomial hash over all 64 bits."""
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def _ngram_hashes(texts: Sequence[str], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every character n-gram of every text, and the start of each text's run in them.
    A text shorter than n counts as one n-gram (padded)."""
    padded = [t if len(t) >= n else t.ljust(n, "\0") for t in texts]
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) for t in padded), dtype=np.int64, count=len(padded))
    ends = np.cumsum(lengths)
    h = np.zeros(len(codes) - n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * np.uint64(1_000_003) + codes[k : len(codes) - n + 1 + k]
        h = _mix(h)
    counts = lengths - n + 1
    valid = np.ones(len(h), dtype=bool)
    for k in range(1, n):  # n-grams that cross into the next text
        valid[ends[:-1] - k] = False
    out_starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return h[valid], out_starts


def signatures(texts: Sequence[str], num_perm: int = 128, ngram: int = 5, seed: int = 1) -> np.ndarray:
    """(len(texts), num_perm) uint32 MinHash signatures of the texts' character n-grams."""
    a = np.random.default_rng(seed).integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    out = np.empty((num_perm, len(texts)), dtype=np.uint32)
    buffer = np.empty((num_perm, _BATCH_NGRAMS), dtype=np.uint64)
    i = 0
    while i < len(texts):
        j, total = i, 0  # a batch of texts with at most _BATCH_NGRAMS n-grams (or one longer text)
        while j < len(texts) and (total == 0 or total + len(texts[j]) <= _BATCH_NGRAMS):
            total += max(len(texts[j]) - ngram + 1, 1)
            j += 1
        hashes, starts = _ngram_hashes(texts[i:j], ngram)
        permuted = (
            buffer[:, : len(hashes)]
            if len(hashes) <= _BATCH_NGRAMS
            else np.empty((num_perm, len(hashes)), np.uint64)
        )
        np.multiply(
            a[:, None], hashes[None, :], out=permuted
        )  # multiply-shift hashing; the shift after the min
        out[:, i:j] = np.minimum.reduceat(permuted, starts, axis=1) >> np.uint64(32)
        i = j
    return np.ascontiguousarray(out.T)


def band_keys(sigs: np.ndarray, bands: int) -> np.ndarray:
    """(len(sigs), bands) uint64 keys: one hash per band of rows."""
    rows = sigs.shape[1] // bands
    cut = sigs[:, : rows * bands].reshape(len(sigs), bands, rows).astype(np.uint64)
    keys = np.zeros((len(sigs), bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            keys = _mix(keys * np.uint64(0x100000001B3) + cut[:, :, r])
    return keys


def candidate_pairs(keys: np.ndarray) -> np.ndarray:
    """(k, 2) index pairs i < j that share a band key. Within a bucket each member is paired with the
    next one in index order (a chain), so a bucket of m texts gives m - 1 pairs, not m^2/2."""
    pairs = []
    for band in range(keys.shape[1]):
        column = keys[:, band]
        order = np.argsort(column, kind="stable")
        same = column[order[1:]] == column[order[:-1]]
        pairs.append(np.stack([order[:-1][same], order[1:][same]], axis=1))
    found = np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=np.int64)
    found.sort(axis=1)
    return np.unique(found, axis=0)


def matches(query_keys: np.ndarray, index_keys: np.ndarray) -> np.ndarray:
    """(k, 2) pairs (query row, index row) that share a band key, for a small index (benchmarks)."""
    pairs = []
    for band in range(query_keys.shape[1]):
        order = np.argsort(index_keys[:, band], kind="stable")
        sorted_keys = index_keys[order, band]
        pos = np.searchsorted(sorted_keys, query_keys[:, band])
        for offset in range(int(np.max(np.unique(sorted_keys, return_counts=True)[1], initial=0))):
            at = np.minimum(pos + offset, len(sorted_keys) - 1)
            hit = (pos + offset < len(sorted_keys)) & (sorted_keys[at] == query_keys[:, band])
            pairs.append(np.stack([np.nonzero(hit)[0], order[at[hit]]], axis=1))
    found = np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=np.int64)
    return np.unique(found, axis=0)
