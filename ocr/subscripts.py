"""Subscript ones that a recognizer drops: `n₁ < n₂` read as `n < n2`.

A small subscript 1 is one thin stroke set low beside its letter, and PP-OCR's recognizer reads the pair
as the bare letter (at any resolution). It keeps the ₂ of the same pair, so the text shows a letter set
against itself with a 2 (`n<n2`, `x - x2`). Only there, and only where the page shows the stroke, is the 1
put back: beside the letter (in its character box or the first half of the next), a thin mark whose top is
below the letter's middle and whose foot is below the letter's, apart from the letter or touching it
(`x − x²`, where nothing follows the first x, stays as read). Measured on the gaokao scans
(benchmarks/ocr_bench.py): eleven ones put back (`n_1<n_2` and the like five times, `x_1+x_2` five times,
`|x_1-x_2|`), none where the paper has none (`x > x²`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import cv2
import numpy as np

from ocr.inline_math import Box
from ocr.watermark import PRINT

# a letter with nothing after it, an operator, the same letter with a 2: the place of a lost 1
PAIRED = re.compile(r"(?<![0-9A-Za-z_\\])([A-Za-zα-ωΑ-Ω])(?=\s*[<>≤≥=≠+\-−]\s*\1\s*2)")
MIN_AREA = 4  # pixels: a speck is no stroke


def lost_ones(text: str, chars: Sequence[Box], gray: np.ndarray) -> list[int]:
    """The indices of the letters of `text` (one line, its non-space characters boxed by `chars` in
    `gray`'s pixels) whose subscript one the page shows and the recognizer dropped; none when the boxes
    do not pair with the characters."""
    shown = [i for i, char in enumerate(text) if not char.isspace()]
    if len(shown) != len(chars) or not PAIRED.search(text):
        return []
    box_of = dict(zip(shown, chars, strict=True))
    lost = []
    for match in PAIRED.finditer(text):
        letter = box_of[match.start(1)]
        following = box_of[min(i for i in shown if i >= match.end(1))]  # the operator
        if _thin_low_mark(gray, letter, (following[0] + following[2]) / 2):
            lost.append(match.start(1))
    return lost


def _thin_low_mark(gray: np.ndarray, letter: Box, right: float) -> bool:
    """Whether, right of the letter (the largest mark centred in its box) and left of `right` (character
    boxes are approximate: a subscript may fall in the next one's), there is a thin mark set low: below
    the letter's middle at its top, below the letter's foot at its own; or the letter's own mark ends in
    such a stroke (a 1 that touches its letter). An operator is wide or set high."""
    x0, y0, x1, y1 = (max(int(round(v)), 0) for v in (*letter[:2], right, letter[3]))
    ink = (gray[y0:y1, x0:x1] < PRINT).astype(np.uint8)
    if ink.size == 0:
        return False
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    marks = [k for k in range(1, count) if stats[k][cv2.CC_STAT_AREA] >= MIN_AREA]
    own = [k for k in marks if stats[k][0] + stats[k][2] / 2 <= letter[2] - x0]
    if not own:
        return False
    main = max(own, key=lambda k: stats[k][2] * stats[k][3])
    lx, ly, lw, lh = stats[main][:4]
    if _tail(labels[ly : ly + lh, lx : lx + lw] == main):
        return True
    return any(
        x >= lx + 0.5 * lw and y >= ly + 0.35 * lh and y + h >= ly + 1.1 * lh and h <= lh and w <= 0.6 * h
        for x, y, w, h in (stats[k][:4] for k in marks if k != main)
    )


def _tail(mask: np.ndarray) -> bool:
    """Whether a mark ends in a thin stroke below it on its right, for at least a quarter of its height:
    the rows at its foot have ink only in its right half, at most a third of its width."""
    height, width = mask.shape
    rows = 0
    for row in mask[::-1]:
        columns = np.flatnonzero(row)
        if columns.size == 0:
            continue
        if columns[0] < width / 2 or columns[-1] - columns[0] >= width / 3:
            break
        rows += 1
    return rows >= height / 4
