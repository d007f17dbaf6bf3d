"""Reading order for boxes on a page: columns left to right, rows top to bottom, boxes left to right in a row.

A page is cut into vertical segments by rows that cross the column gutter; a segment is read column by
column only when both sides look like columns of text (several rows, rows filling their column from the
text's outer edge), so that option rows ("A. 1   B. 2   C. 3   D. 4"), a column of D. options
and short lines stay rows of a single column.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Box = Sequence[float]  # x0, y0, x1, y1 with y growing downwards

MIN_COLUMN_ROWS = 3  # a column has at least this many rows
MIN_COLUMN_FILL = 0.8  # median row width / column width: lines of a column of text nearly fill it
GUTTER_STEPS = 200  # candidate gutter positions across the content width
TALL = 2.0  # a box more than this many median heights high is placed into rows after the others


def group_rows(
    boxes: Sequence[Box], indices: Sequence[int] | None = None, min_overlap: float = 0.5
) -> list[list[int]]:
    """Indices of `boxes` (or of the given subset) grouped into rows, top to bottom, left to right.

    A box joins the current row when its vertical overlap with the row is at least `min_overlap` times the
    smaller of the two heights; otherwise it starts a new row. Boxes more than TALL times the median
    height (stacked fractions, slanted or merged lines) are placed afterwards, each into the row it
    overlaps most, so that they cannot chain several lines into one row.
    """
    indices = list(range(len(boxes)) if indices is None else indices)
    if not indices:
        return []
    heights = sorted(boxes[i][3] - boxes[i][1] for i in indices)
    limit = TALL * heights[len(heights) // 2]
    tall = [i for i in indices if boxes[i][3] - boxes[i][1] > limit]
    rows: list[list[int]] = []
    extents: list[list[float]] = []
    for index in sorted(set(indices) - set(tall), key=lambda i: (boxes[i][1], boxes[i][0])):
        _, top, _, bottom = boxes[index]
        if rows:
            row_top, row_bottom = extents[-1]
            if min(bottom, row_bottom) - max(top, row_top) >= min_overlap * min(
                bottom - top, row_bottom - row_top
            ):
                rows[-1].append(index)
                extents[-1] = [min(top, row_top), max(bottom, row_bottom)]
                continue
        rows.append([index])
        extents.append([top, bottom])
    for index in tall:
        _, top, _, bottom = boxes[index]
        overlaps = [min(bottom, b) - max(top, t) for t, b in extents]
        best = int(np.argmax(overlaps)) if overlaps else -1
        if best >= 0 and overlaps[best] >= min_overlap * (extents[best][1] - extents[best][0]):
            rows[best].append(index)
        else:
            rows.append([index])
            extents.append([top, bottom])
    order = sorted(range(len(rows)), key=lambda r: (extents[r][0] + extents[r][1]) / 2)
    return [sorted(rows[r], key=lambda i: boxes[i][0]) for r in order]


def reading_order(boxes: Sequence[Box]) -> list[list[int]]:
    """Indices of `boxes` as rows in reading order, two-column (or more) layouts read column by column."""
    return _order(boxes, list(range(len(boxes))))


def _order(boxes: Sequence[Box], indices: list[int]) -> list[list[int]]:
    gutter = _gutter(boxes, indices)
    if gutter is None:
        return group_rows(boxes, indices)
    edges = (min(boxes[i][0] for i in indices), max(boxes[i][2] for i in indices))
    ordered: list[list[int]] = []
    segment: list[int] = []
    for row in group_rows(boxes, indices):
        if any(boxes[i][0] < gutter < boxes[i][2] for i in row):
            ordered += _segment(boxes, segment, gutter, edges)
            ordered.append(row)
            segment = []
        else:
            segment += row
    return ordered + _segment(boxes, segment, gutter, edges)


def _segment(
    boxes: Sequence[Box], indices: list[int], gutter: float, edges: tuple[float, float]
) -> list[list[int]]:
    """Rows of a segment no box of which crosses the gutter: column by column when both sides are columns.

    A column reaches from the text's outer edge (`edges`: leftmost and rightmost x of the text being
    ordered) to its own inner edge, and its rows fill it."""
    left = [i for i in indices if boxes[i][2] <= gutter]
    right = [i for i in indices if boxes[i][0] >= gutter]
    if (
        left
        and right
        and _is_column(boxes, left, edges[0], max(boxes[i][2] for i in left))
        and _is_column(boxes, right, min(boxes[i][0] for i in right), edges[1])
    ):
        return _order(boxes, left) + _order(boxes, right)
    return group_rows(boxes, indices)


def _is_column(boxes: Sequence[Box], indices: list[int], x0: float, x1: float) -> bool:
    """Whether the boxes are rows of a column of text from `x0` to `x1`."""
    rows = group_rows(boxes, indices)
    if len(rows) < MIN_COLUMN_ROWS:
        return False
    widths = [max(boxes[i][2] for i in row) - min(boxes[i][0] for i in row) for row in rows]
    return sorted(widths)[len(widths) // 2] >= MIN_COLUMN_FILL * (x1 - x0)


def _gutter(boxes: Sequence[Box], indices: list[int]) -> float | None:
    """The x of the likeliest column gutter: crossed by the fewest boxes, with the most boxes on both sides;
    the middle of the run of equally good positions. None when no position has columns' worth of boxes
    on both sides or most boxes cross it."""
    if len(indices) < 2 * MIN_COLUMN_ROWS:
        return None
    array = np.asarray([boxes[i] for i in indices], dtype=float)
    x0, x1 = array[:, 0:1], array[:, 2:3]
    lo, hi = float(x0.min()), float(x1.max())
    candidates = np.linspace(lo + 0.15 * (hi - lo), hi - 0.15 * (hi - lo), GUTTER_STEPS)
    crossing = ((x0 < candidates) & (x1 > candidates)).sum(axis=0)
    balance = np.minimum((x1 <= candidates).sum(axis=0), (x0 >= candidates).sum(axis=0))
    usable = balance >= MIN_COLUMN_ROWS
    if not usable.any():
        return None
    score = np.where(usable, crossing * (len(indices) + 1) - balance, np.iinfo(np.int64).max)
    best = np.flatnonzero(score == score.min())
    run = best[: np.argmax(np.diff(np.append(best, -1)) != 1) + 1]  # the first run of consecutive bests
    if crossing[run[0]] > len(indices) / 2:
        return None
    return float(candidates[run[len(run) // 2]])
