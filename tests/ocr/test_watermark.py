"""Watermark lines on scans: faint lines, and the fragments of them read over dark text."""

from __future__ import annotations

import numpy as np

from ocr.watermark import faint_lines, watermark_lines


def page(*lines: tuple[list[int], int]) -> np.ndarray:
    """A white grey page with each box filled at its grey level (0 black)."""
    grey = np.full((400, 600), 255, dtype=np.uint8)
    for (x0, y0, x1, y1), level in lines:
        grey[y0:y1, x0:x1] = level
    return grey


TEXT = [10, 10, 590, 40]  # body lines, black, 30 px high
MARK = [100, 100, 400, 190]  # a large watermark in light grey


def test_faint_lines_are_dropped_unless_the_whole_page_is_faint():
    assert faint_lines(page((TEXT, 20), (MARK, 215)), [TEXT, MARK]) == [False, True]
    pale = [[10, 50 * i, 590, 50 * i + 30] for i in range(1, 5)]
    assert faint_lines(page(*[(box, 200) for box in pale]), pale) == [False] * 4  # a pale scan


def test_fragments_of_the_watermark_over_dark_text_go_with_it():
    boxes = [TEXT, MARK, [10, 200, 200, 230], [10, 240, 300, 330], [10, 340, 590, 370], [10, 300, 100, 330]]
    texts = [
        "1. 已知集合A={1,2}，求A的子集个数",
        "高考试题库",
        "试题库高考",
        "免费试题库",
        "高考试题库高考试题库",
        "数学试题",
    ]
    grey = page((TEXT, 20), (MARK, 215), *[(box, 30) for box in boxes[2:]])
    assert watermark_lines(grey, boxes, texts) == [False, True, True, True, False, False]
    # short, all its characters from the faint line; tall and half of them; too long; not all, not tall
    assert watermark_lines(grey, boxes[2:], texts[2:]) == [False] * 4  # no faint line: nothing to match
