"""Watermarks on scans: lines printed in light grey across the page ("高考直通车 试题库 免费下载").

A recognized line whose darkest pixels are still light grey holds no ink of the text; it is dropped,
unless the page's text itself is that faint (a pale scan), judged by the median line on the page.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FAINT = 190  # grey level (0 black, 255 white): a line whose 5% darkest pixels are lighter is a watermark
TEXT_MARGIN = 40  # the page's median line must be at least this much darker for any line to be dropped
DARKEST = 5  # percentile of the line's pixels that stands for its ink


def faint_lines(grey: np.ndarray, boxes: Sequence[Sequence[float]]) -> list[bool]:
    """For each pixel box [x0, y0, x1, y1] on the grey page image, whether it is a faint (watermark) line."""
    ink = []
    for x0, y0, x1, y1 in boxes:
        crop = grey[max(int(y0), 0) : int(np.ceil(y1)), max(int(x0), 0) : int(np.ceil(x1))]
        ink.append(float(np.percentile(crop, DARKEST)) if crop.size else 255.0)
    if not ink or float(np.median(ink)) > FAINT - TEXT_MARGIN:
        return [False] * len(ink)
    return [level >= FAINT for level in ink]
