"""Print on a scanned page that no detected line covers: the pieces of formulas a text detector misses.

PP-OCR's detector finds lines of text, and skips small pieces set apart from them: the numerator `x²` over a
fraction bar, the `8` under one, the `>` between two fractions. They are found here as marks of dark ink
outside every line box (after fraction bars and rules are taken out), grouped the way glyphs of one word
sit together, and of about a text line's size: no speck, no figure, no rule of a table. The page's own
structure cuts the groups first: the print over and under each fraction bar, within its width, is its
numerator and denominator; a bracket as tall as a fraction is a piece of its own.

The detector's boxes are loose: a line box may hold a fraction bar, or a whole fraction (read `π 2`).
`fraction_bars` finds the bars on the whole page, so that a line running past a bar is read apart beside
it (ocr/extract.py) and each bar is uncovered, with its parts that no line of their own covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import cv2
import numpy as np

from ocr.inline_math import Box
from ocr.watermark import PRINT

MARGIN = 2  # pixels between a line box cut beside a fraction bar and the bar
LOOSE = 0.07  # of a line's height: the least padding of a detector's line box around its glyphs
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
PART = 0.3  # of a line's height: a fraction's numerator and denominator are each at least this tall
TIGHT = 0.45  # of a line's height: and start at most this far from their bar
DOT = 0.2  # of a line's height: a part's print may break this much (the dot of an `i` over its stem)
MEND = 0.15  # of a line's height: gaps this wide in a bar (a thin scan breaks it) are mended
CONTAINED = 0.2  # of a line's height: how far a fraction's part may reach past the ends of its bar
RUNS_ON = 0.5  # of a line's height: a line box reaching this far past a bar's end holds more than its part


def uncovered_marks(
    gray: np.ndarray,
    boxes: Sequence[Box],
    bars: Sequence[FractionBar] = (),
    covered: np.ndarray | None = None,
) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of the groups of print in `gray` that none of the line `boxes` covers, top to bottom.
    The fraction `bars` (`fraction_bars`) count as uncovered wherever they lie; `covered` is
    `covered_print(gray, boxes)` when the caller has it already."""
    if not boxes:
        return []
    height = float(np.median([box[3] - box[1] for box in boxes]))
    covered = covered_print(gray, boxes) if covered is None else covered
    ink = ((gray < PRINT) & ~covered).astype(np.uint8)
    fraction = [tuple(int(v) for v in bar.box) for bar in bars]
    for x0, y0, x1, y1 in fraction:
        ink[y0:y1, x0:x1] = 0
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(int(BAR * height), 3)), np.uint8))
    ink &= 1 - rules
    short = _short_bars(ink, height)
    delimiters = _delimiters(ink, height)
    marks = _fraction_parts(ink, _boxes(rules) + short + fraction, height)
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


class FractionBar(NamedTuple):
    box: Box  # pixels
    parts: tuple[tuple[float, float], tuple[float, float]]  # the middles of its numerator and denominator


def fraction_bars(gray: np.ndarray, boxes: Sequence[Box]) -> list[FractionBar]:
    """The page's fraction bars (pixel boxes), wherever the detector's line boxes put them: flat pieces of
    print of their own (gaps up to MEND mended), at least SHORT_BAR long, with a part at least PART tall right over and right under
    them (at most TIGHT away), each within the bar's width. The strokes of `=` or `三` have no part that tall
    over them; neither part of a bar lies in a line of its own that runs on past it (a minus between two
    lines of text, a stroke at the top of a CJK glyph under a line: one "part" is in the line over it)."""
    if not boxes:
        return []
    height = float(np.median([box[3] - box[1] for box in boxes]))
    ink = (gray < PRINT).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    mended = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, max(int(MEND * height), 2)), np.uint8))
    count, _, flat, _ = cv2.connectedComponentsWithStats(mended, connectivity=8)
    reach = int(2 * height)
    bars = []
    for k in range(1, count):
        x, y, w, h = (int(v) for v in flat[k][:4])
        if not SHORT_BAR * height <= w <= WIDEST * height or h > RULE_THICK * height:
            continue
        over = _part(ink[max(y - reach, 0) : y, x : x + w].any(axis=1)[::-1], height)
        under = _part(ink[y + h : y + h + reach, x : x + w].any(axis=1), height)
        if over is None or under is None:
            continue
        rows = (slice(y - over[1] - 1, y - over[0]), slice(y + h + under[0], y + h + under[1] + 1))
        if not all(_within(labels[part, x : x + w], stats, x, x + w, height) for part in rows):
            continue
        bar = (float(x), float(y), float(x + w), float(y + h))
        parts = ((x + w / 2, y - sum(over) / 2), (x + w / 2, y + h + sum(under) / 2))
        if not any(_elsewhere(part, bar, boxes, height) for part in parts):
            bars.append(FractionBar(bar, parts))
    return _one_a_fraction(bars, height)


def _one_a_fraction(bars: list[FractionBar], height: float) -> list[FractionBar]:
    """The bars, those broken in pieces (a scan's noise) joined: one over the other within RULE_THICK, or
    side by side, and overlapping."""
    joined: list[FractionBar] = []
    for bar in sorted(bars, key=lambda b: b.box[0]):
        last = joined[-1].box if joined else None
        if last and bar.box[0] <= last[2] + MARGIN and abs(bar.box[1] - last[1]) <= RULE_THICK * height:
            box = (last[0], min(last[1], bar.box[1]), max(last[2], bar.box[2]), max(last[3], bar.box[3]))
            joined[-1] = FractionBar(box, joined[-1].parts)
        else:
            joined.append(bar)
    return joined


def cut_at(line: Box, bar: FractionBar, height: float) -> bool:
    """Whether a line box is to be read apart beside a bar: it holds the bar or a part, and reaches on
    past the bar by more than RUNS_ON (it holds more than the fraction: `6cos(π 2`)."""
    return (_holds(line, bar.box) or any(_inside(part, line) for part in bar.parts)) and (
        bar.box[0] - line[0] > RUNS_ON * height or line[2] - bar.box[2] > RUNS_ON * height
    )


def _part(rows: np.ndarray, height: float) -> tuple[int, int] | None:
    """Where the part beside a bar lies (its nearest and farthest row, counted from the bar), given which
    rows hold print, nearest the bar first: None when the nearest print is farther than TIGHT or less
    than PART tall."""
    inked = np.flatnonzero(rows)
    if inked.size == 0 or inked[0] > TIGHT * height:
        return None
    gaps = np.flatnonzero(np.diff(inked) > max(DOT * height, 2))  # the dot of an `i` is of its part
    last = int(inked[gaps[0]] if gaps.size else inked[-1])
    if last - inked[0] + 1 < PART * height:
        return None
    return int(inked[0]), last


def _within(labels: np.ndarray, stats: np.ndarray, x0: int, x1: int, height: float) -> bool:
    """Whether the glyphs of `labels` (a part's rows over a bar's width) lie within the bar's width (a
    fraction's bar is as wide as its parts; a glyph of the line over a stroke of `二` runs past it)."""
    slack = CONTAINED * height
    return all(
        stats[k][0] >= x0 - slack and stats[k][0] + stats[k][2] <= x1 + slack for k in np.unique(labels) if k
    )


def _elsewhere(point: tuple[float, float], bar: Box, boxes: Sequence[Box], height: float) -> bool:
    """Whether a part lies in a line box that does not hold the bar and runs on past it by more than
    RUNS_ON (a line of text over or under a minus)."""
    return any(
        _inside(point, b)
        and not _holds(b, bar)
        and (bar[0] - b[0] > RUNS_ON * height or b[2] - bar[2] > RUNS_ON * height)
        for b in boxes
    )


def _holds(outer: Box, inner: Box) -> bool:
    return outer[0] <= inner[0] and inner[2] <= outer[2] and outer[1] <= inner[1] and inner[3] <= outer[3]


def _inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in stats[1:count]]


def covered_print(gray: np.ndarray, boxes: Sequence[Box]) -> np.ndarray:
    """Where `gray` holds print that a line box covers, glyph by glyph: a piece of print is covered when
    most of it lies inside a box less its padding (LOOSE of the lines' height). A detector's boxes are
    loose, and one may clip the edge of a glyph beside it that it does not hold (the `π` over a fraction
    bar, a bracket)."""
    if not boxes:
        return np.zeros(gray.shape, bool)
    page = (gray < PRINT).astype(np.uint8)
    inside = np.zeros(gray.shape, bool)
    trim = int(LOOSE * float(np.median([box[3] - box[1] for box in boxes])))
    for x0, y0, x1, y1 in boxes:
        inside[
            max(int(y0) + trim, 0) : max(int(y1) - trim, 0), max(int(x0) + trim, 0) : max(int(x1) - trim, 0)
        ] = True
    count, labels, stats, _ = cv2.connectedComponentsWithStats(page, connectivity=8)
    covered = 2 * np.bincount(labels[inside], minlength=count) > stats[:, cv2.CC_STAT_AREA]
    covered[0] = False
    return covered[labels]


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
