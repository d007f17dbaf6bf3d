"""Reading order for boxes on a page: rows top to bottom, boxes left to right within a row.

Single-column only: on a two-column page, lines of both columns at the same height share a row.
"""

from __future__ import annotations

from collections.abc import Sequence

Box = Sequence[float]  # x0, y0, x1, y1 with y growing downwards


def group_rows(boxes: Sequence[Box], min_overlap: float = 0.5) -> list[list[int]]:
    """Indices of `boxes` grouped into rows.

    A box joins the current row when its vertical overlap with the row is at least `min_overlap` times the
    smaller of the two heights; otherwise it starts a new row.
    """
    rows: list[list[int]] = []
    row_top = row_bottom = 0.0
    for index in sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0])):
        _, top, _, bottom = boxes[index]
        if rows:
            overlap = min(bottom, row_bottom) - max(top, row_top)
            if overlap >= min_overlap * min(bottom - top, row_bottom - row_top):
                rows[-1].append(index)
                row_top, row_bottom = min(top, row_top), max(bottom, row_bottom)
                continue
        rows.append([index])
        row_top, row_bottom = top, bottom
    return [sorted(row, key=lambda i: boxes[i][0]) for row in rows]


def join_in_reading_order(boxes: Sequence[Box], texts: Sequence[str]) -> str:
    """Texts joined with spaces within a row and newlines between rows."""
    return "\n".join(" ".join(texts[i] for i in row) for row in group_rows(boxes))
