"""Watermarks on scans: lines printed in light grey across the page ("高考直通车 试题库 免费下载").

A recognized line whose ink (the darker quarter of its non-paper pixels) is light grey holds no text; it
is dropped, unless the page's text itself is that faint (a pale scan), judged by its darker lines (an
answer page may set most lines in a lighter colour). Where the watermark crosses dark text, a piece of
it read as a line of its own is no longer faint: a short line made only of the CJK characters of the
page's faint lines ("清试题免费"; half of them when the line is set as large as a watermark) is dropped
with them.

The detector misses dark lines that the watermark crosses, or merges them with it: a page with a
watermark is read again `without_watermark`, its grey levels stretched so that the watermark's ink
becomes paper.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FAINT = 190  # grey level (0 black, 255 white): a line whose ink is lighter is a watermark
PRINT = FAINT - 30  # pixels darker than this are print, never a watermark's
TEXT_MARGIN = 40  # the page's text must be at least this much darker for any line to be dropped
TEXT_LINES = 25  # percentile of the lines' ink levels that stands for the page's text
PAPER = 240  # pixels at least this light are paper, not ink
DARKEST = 25  # percentile of the line's ink pixels that stands for its ink
MAX_FRAGMENT = 8  # characters: a longer line is text, whatever its characters
TALL = 2.0  # times the median line height: set as large as a watermark


def faint_lines(grey: np.ndarray, boxes: Sequence[Sequence[float]]) -> list[bool]:
    """For each pixel box [x0, y0, x1, y1] on the grey page image, whether it is a faint (watermark) line."""
    ink = []
    for x0, y0, x1, y1 in boxes:
        crop = grey[max(int(y0), 0) : int(np.ceil(y1)), max(int(x0), 0) : int(np.ceil(x1))]
        pixels = crop[crop < PAPER]
        ink.append(float(np.percentile(pixels, DARKEST)) if pixels.size else 255.0)
    if not ink or float(np.percentile(ink, TEXT_LINES)) > FAINT - TEXT_MARGIN:
        return [False] * len(ink)
    return [level >= FAINT for level in ink]


def without_watermark(image: np.ndarray) -> np.ndarray:
    """The page image with its grey levels stretched so that a watermark's ink (FAINT) becomes paper.

    A stretch rather than a cut: strokes keep their soft edges, and what is left of the watermark where
    it crosses text comes out lighter. Only for pages found to carry a watermark: on a pale scan this
    would erase the text itself."""
    return _STRETCH[image]


_STRETCH = np.minimum(np.arange(256) * 255.0 / FAINT, 255).astype(np.uint8)


def watermark_lines(grey: np.ndarray, boxes: Sequence[Sequence[float]], texts: Sequence[str]) -> list[bool]:
    """For each recognized line, whether it is part of a watermark: faint, or a fragment of the faint ones."""
    faint = faint_lines(grey, boxes)
    marks = {char for text, drop in zip(texts, faint, strict=True) if drop for char in text if _cjk(char)}
    if not marks:
        return faint
    heights = [box[3] - box[1] for box in boxes]
    tall = TALL * float(np.median(heights))
    return [
        drop or _fragment(text, marks, height >= tall)
        for text, drop, height in zip(texts, faint, heights, strict=True)
    ]


def _fragment(text: str, marks: set[str], tall: bool) -> bool:
    """A short line of CJK characters only, all of them from the faint lines (half, when it is set as
    large as the watermark)."""
    chars = [char for char in text if not char.isspace()]
    cjk = [char for char in chars if _cjk(char)]
    if len(cjk) < 3 or len(chars) > MAX_FRAGMENT or len(cjk) < len(chars):
        return False
    shared = sum(char in marks for char in cjk)
    return shared == len(cjk) or (tall and 2 * shared >= len(cjk))


def _cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"
