"""Formulas embedded as images in a text layer (what Word and Google Docs exports hold), told apart from
figures by their size and place.

An image no taller than FIGURE_HEIGHT body sizes that reaches into the text's column and between its
first and last row is a formula (inline in a row, or displayed between rows), and so is one up to twice
as tall whose ink holds a fraction (a bar with parts over and under it); a taller one, or one outside
the text (a logo in a header), is a figure and left alone. The page's formula images are then
OCR'd in place by ``ocr.extract``: one no taller than a row as one line; a taller one (a fraction, a
stack) is taken apart by its ink, each connected piece a glyph box and each thin wide one a rule, and
read like a formula drawn as vector outlines (``ocr.vector_math``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ocr.inline_math import Box
from ocr.marks import Mark, marks_over
from ocr.textlayer import RULE_MAX_HEIGHT, Layer
from ocr.vector_math import FIGURE_HEIGHT  # a taller image is a figure (a display fraction is about 2.5)

MIN_SIDE = 2.0  # points: a smaller image is a speck or a spacer
INK = 160  # a pixel darker than this (0-255) is ink
SPECK = 0.6  # points: smaller ink is noise
MIN_INK_PIXELS = 4  # fewer dark pixels than this: a blank image (a spacer), not a formula


@dataclass
class ImagesOnPage:
    formulas: list[Box]  # in reading order of their top, then left
    figures: int


def formula_images(
    boxes: list[Box], layer: Layer, holds_fraction: Callable[[Box], bool] | None = None
) -> ImagesOnPage:
    """The image placements of a page (boxes in points) sorted into formulas and figures; an image up to
    twice FIGURE_HEIGHT tall is a formula too when `holds_fraction` (its ink read) finds a fraction bar
    with its parts in it (a display fraction of roots or scripts)."""
    body = layer.body_size
    text = [p.box for p in layer.pieces]
    if not text:
        return ImagesOnPage([], len(boxes))
    left, right = min(b[0] for b in text), max(b[2] for b in text)
    top, bottom = min(b[1] for b in text), max(b[3] for b in text)
    formulas, figures = [], 0
    for box in boxes:
        x0, y0, x1, y1 = box
        if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
            continue
        in_text = x1 > left and x0 < right and y1 > top and y0 < bottom
        height = y1 - y0
        if in_text and (
            height <= FIGURE_HEIGHT * body
            or (
                height <= 2 * FIGURE_HEIGHT * body
                and holds_fraction is not None
                and holds_fraction(tuple(box))
            )
        ):
            formulas.append(tuple(box))
        else:
            figures += 1
    formulas = sorted(set(formulas), key=lambda b: (round(b[1]), b[0]))  # a placement repeated is one
    return ImagesOnPage(formulas, figures)


def ink_boxes(crop: np.ndarray, origin: tuple[float, float], scale: float) -> tuple[list[Box], list[Box]]:
    """The glyph boxes and rules of a rendered crop, in page points (`origin`: the crop's top left on the
    page; `scale`: points a pixel). A rule is a thin horizontal piece (at most RULE_HEIGHT points high,
    at least three times as wide); specks under SPECK points are left out."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(_dark(crop), connectivity=8)
    glyphs, rules = [], []
    for x, y, width, height, _area in stats[1:count]:
        box = (
            origin[0] + x * scale,
            origin[1] + y * scale,
            origin[0] + (x + width) * scale,
            origin[1] + (y + height) * scale,
        )
        w, h = box[2] - box[0], box[3] - box[1]
        if max(w, h) < SPECK:
            continue
        (rules if h <= RULE_MAX_HEIGHT and w > 3 * h else glyphs).append(box)
    return glyphs, rules


def ink_accents(
    crop: np.ndarray, origin: tuple[float, float], scale: float, glyphs: Sequence[Box]
) -> dict[Box, Mark]:
    """The accent (an arrow, a bar: ocr/marks.py) that the crop's ink shows over `glyphs` (boxes in page
    points, as `ink_boxes` gives them), by the glyph's box."""
    return {tuple(glyphs[k]): mark for k, mark in marks_over(_dark(crop), glyphs, origin, scale).items()}


def _dark(crop: np.ndarray) -> np.ndarray:
    return (crop[:, :, :3].min(axis=2) < INK).astype(np.uint8)


def has_ink(crop: np.ndarray) -> bool:
    """Whether a rendered crop shows any print (a white or transparent spacer image does not)."""
    return int(_dark(crop).sum()) >= MIN_INK_PIXELS
