"""Subscript ones put back where the page shows their stroke (ocr/subscripts.py)."""

from __future__ import annotations

import numpy as np

from ocr.subscripts import lost_ones

# one line of "n<n2" as a recognizer boxes it: n, <, n, 2 (pixels, approximate like a CTC decoder's)
BOXES = [(8, 10, 30, 55), (38, 10, 58, 55), (60, 10, 82, 55), (82, 10, 92, 55)]


def line(one: str | None, grey: int = 0) -> np.ndarray:
    """A white line with an n (body rows 20-40), a < and a second n; and after the first n a subscript
    1 apart from it ("apart"), touching its right leg ("touching"), or none."""
    image = np.full((60, 100), 255, np.uint8)
    for left in (10, 62):
        image[20:23, left : left + 18] = 0  # the arch
        image[20:41, left : left + 3] = 0  # the legs
        image[20:41, left + 15 : left + 18] = 0
    for k in range(8):  # the <
        image[30 - k, 42 + 2 * k : 44 + 2 * k] = 0
        image[30 + k, 42 + 2 * k : 44 + 2 * k] = 0
    if one == "apart":
        image[32:47, 31:34] = grey
    elif one == "touching":
        image[30:49, 28:31] = grey
    return image


def test_a_dropped_subscript_one_is_put_back_where_its_stroke_is():
    assert lost_ones("n<n2", BOXES, line("apart")) == [0]
    assert lost_ones("n<n2", BOXES, line("touching")) == [0]


def test_nothing_is_put_back_without_a_stroke_or_without_the_pair():
    assert lost_ones("n<n2", BOXES, line(None)) == []  # x − x² reads the same way: left alone
    assert lost_ones("n<n2", BOXES, line("apart", grey=190)) == []  # a watermark's grey is no ink
    assert lost_ones("n<m2", BOXES, line("apart")) == []  # not the same letter
    assert lost_ones("n<n2", BOXES[:3], line("apart")) == []  # boxes that do not pair with the text
