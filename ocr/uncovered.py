"""Print on a scanned page that no detected line covers: the pieces of formulas a text detector misses.

PP-OCR's detector finds lines of text, and skips small pieces set apart from them: the numerator `x²` over a
fraction bar, the `8` under one, the `>` between two fractions. They are found here as marks of dark ink
outside every line box (after fraction bars and rules are taken out), grouped the way glyphs of one word
sit together, and of about a text line's size: no speck, no figure, no rule of a table. The page's own
structure cuts the groups first: the print over and under each fraction bar, within its width, is its
numerator and denominator; a bracket as tall as a fraction is a piece of its own.
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
THINNEST = 0.2  # width over height: a thinner mark is a rule (a table's), not a glyph...
GLYPH = 0.8  # ...unless it is no taller than this share of a line's height (a `1` washed thin)
MIN_INK = 0.03  # of a line's height squared: fewer dark pixels are a speck
DELIMITER, MAX_DELIMITER = 1.3, 4.0  # of a line's height: a bracket around a fraction is this tall
NARROW = 0.35  # of its height: and at most this wide
BEND = 1.5  # pixels: the middles of a parenthesis's rows move at least this much (a table's rule: none)
REACH = 0.8  # of a line's height: how far over or under its bar a fraction's part may start
SHORT_BAR = 0.3  # of a line's height: a horizontal run at least this long over and under print is a bar
RULE_THICK = 0.2  # of a line's height: a bar is at most this thick


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
    short = _short_bars(ink, height)
    delimiters = _delimiters(ink, height)
    marks = _fraction_parts(ink, _boxes(bars) + short, height)
    grouped = cv2.dilate(ink, np.ones((3, max(int(GROUP * height), 3)), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(grouped, connectivity=8)
    for k in range(1, count):
        x, y, w, h = (int(v) for v in stats[k][:4])
        inside = ink[y : y + h, x : x + w] & (labels[y : y + h, x : x + w] == k)
        rows, columns = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
        if rows.size == 0:
            continue
        box = (x + columns[0], y + rows[0], x + columns[-1] + 1, y + rows[-1] + 1)
        if _worth_reading(box, int(inside.sum()), height):
            marks.append(box)
    return sorted(marks + delimiters, key=lambda mark: (mark[1], mark[0]))


def _boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in stats[1:count]]


def _short_bars(ink: np.ndarray, height: float) -> list[tuple[int, int, int, int]]:
    """The bars of small fractions (`\\frac{1}{4}`: shorter than a rule), taken out of `ink` in place: a
    flat piece of print of its own with print right over and right under it within its width (a minus
    sign or the strokes of `=` have none on one side; the crossbar of a `4` is no piece of its own)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    reach = max(int(REACH * height), 1)
    found = {}
    for k in range(1, count):
        x, y, w, h = (int(v) for v in stats[k][:4])
        if w < SHORT_BAR * height or h > RULE_THICK * height:
            continue
        over = ink[max(y - reach, 0) : y, x : x + w].any()
        under = ink[y + h : y + h + reach, x : x + w].any()
        if over and under:
            found[k] = (x, y, x + w, y + h)
    for k, (x0, y0, x1, y1) in found.items():
        ink[y0:y1, x0:x1][labels[y0:y1, x0:x1] == k] = 0
    return list(found.values())


def _worth_reading(box: tuple[int, int, int, int], ink: int, height: float) -> bool:
    """Whether a group of print is about a text line's size: no speck, no figure, no rule of a table."""
    tall, wide = box[3] - box[1], box[2] - box[0]
    thin_glyph = tall <= GLYPH * height  # a `1` is thin; a table's rule runs through whole rows
    return (
        ink >= MIN_INK * height**2
        and SMALLEST * height <= tall <= LARGEST * height
        and (THINNEST * tall <= wide or thin_glyph)
        and wide <= WIDEST * height
    )


def _fraction_parts(
    ink: np.ndarray, bars: list[tuple[int, int, int, int]], height: float
) -> list[tuple[int, int, int, int]]:
    """The numerator and denominator of each fraction bar in `bars`, taken out of `ink` in place: the
    print within the bar's width whose foot lies at most REACH over it, or whose top at most REACH under
    it. Each part is read on its own, cut where its bar ends (`\\frac{1}{4}, \\frac{1}{2}` side by
    side: the denominators `4, 2` would otherwise be read as one)."""
    fraction_bars = [bar for bar in bars if bar[2] - bar[0] <= WIDEST * height]
    if not fraction_bars:
        return []
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    parts: dict[tuple[int, bool], list[int]] = {}
    for k in range(1, count):
        x, y, w, h = (int(v) for v in stats[k][:4])
        middle = x + w / 2
        for b, (bx0, by0, bx1, by1) in enumerate(fraction_bars):
            if not bx0 <= middle <= bx1:
                continue
            if 0 <= by0 - (y + h) <= REACH * height or 0 <= y - by1 <= REACH * height:
                parts.setdefault((b, y < by0), []).append(k)
                break
    found = []
    for members in parts.values():
        boxes = [stats[k][:4] for k in members]
        box = (
            int(min(x for x, _, _, _ in boxes)),
            int(min(y for _, y, _, _ in boxes)),
            int(max(x + w for x, _, w, _ in boxes)),
            int(max(y + h for _, y, _, h in boxes)),
        )
        x0, y0, x1, y1 = box
        taken = np.isin(labels[y0:y1, x0:x1], members)
        if _worth_reading(box, int(ink[y0:y1, x0:x1][taken].sum()), height):
            found.append(box)
            ink[y0:y1, x0:x1][taken] = 0
    return found


def _delimiters(ink: np.ndarray, height: float) -> list[tuple[int, int, int, int]]:
    """The brackets sized to a fraction (taller than a line, narrow), taken out of `ink` in place: each is
    read on its own, and would otherwise join the numerators and denominators beside it into one piece
    too tall to read."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    found = []
    for k in range(1, count):
        x, y, w, h = (int(v) for v in stats[k][:4])
        if not (DELIMITER * height <= h <= MAX_DELIMITER * height and w <= NARROW * h):
            continue
        piece = labels[y : y + h, x : x + w] == k
        widths = piece.sum(axis=1)
        centres = (piece * np.arange(w)).sum(axis=1)[widths > 0] / widths[widths > 0]
        if np.ptp(centres) < BEND and widths.max() < 2 * np.median(widths[widths > 0]):
            continue  # straight, no serifs: a table's rule
        ink[y : y + h, x : x + w][piece] = 0
        found.append((x, y, x + w, y + h))
    return found
