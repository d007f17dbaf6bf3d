"""Print on a scanned page that no detected line covers: the pieces of formulas a text detector misses.

PP-OCR's detector finds lines of text, and skips small pieces set apart from them: the numerator `x²` over a
fraction bar, the `8` under one, the `>` between two fractions. They are found here as marks of dark ink
outside every line box (after fraction bars and rules are taken out), grouped the way glyphs of one word
sit together, and of about a text line's size: no speck, no figure, no rule of a table.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ocr.inline_math import Box
from ocr.watermark import PRINT

MARGIN = 2  # pixels around a line box counted as covered
BAR = 0.8  # of a line's height: a horizontal run at least this long is a fraction bar or a rule
GROUP = 0.4  # of a line's height: glyphs closer than this are read together
SMALLEST, LARGEST = 0.25, 1.5  # of a line's height: the height of a piece worth reading
WIDEST = 8.0  # of a line's height
THINNEST = 0.2  # width over height: a thinner mark is a rule (a table's), not a glyph
MIN_INK = 0.03  # of a line's height squared: fewer dark pixels are a speck


def uncovered_marks(gray: np.ndarray, boxes: Sequence[Box]) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of the groups of print in `gray` that none of the line `boxes` covers, top to bottom."""
    if not boxes:
        return []
    height = float(np.median([box[3] - box[1] for box in boxes]))
    ink = (gray < PRINT).astype(np.uint8)
    for x0, y0, x1, y1 in boxes:
        ink[max(int(y0) - MARGIN, 0) : int(y1) + MARGIN, max(int(x0) - MARGIN, 0) : int(x1) + MARGIN] = 0
    bars = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(int(BAR * height), 3)), np.uint8))
    ink &= 1 - bars
    grouped = cv2.dilate(ink, np.ones((3, max(int(GROUP * height), 3)), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(grouped, connectivity=8)
    marks = []
    for k in range(1, count):
        x, y, w, h = (int(v) for v in stats[k][:4])
        inside = ink[y : y + h, x : x + w] & (labels[y : y + h, x : x + w] == k)
        rows, columns = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
        if rows.size == 0 or inside.sum() < MIN_INK * height**2:
            continue
        x0, x1, y0, y1 = x + columns[0], x + columns[-1] + 1, y + rows[0], y + rows[-1] + 1
        tall, wide = y1 - y0, x1 - x0
        if SMALLEST * height <= tall <= LARGEST * height and THINNEST * tall <= wide <= WIDEST * height:
            marks.append((x0, y0, x1, y1))
    return sorted(marks, key=lambda mark: (mark[1], mark[0]))
