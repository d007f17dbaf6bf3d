"""Watermark lines on scans: faint lines, and the fragments of them read over dark text."""

from __future__ import annotations

import numpy as np

from ocr.extract import _missed
from ocr.types import OcrLine
from ocr.watermark import FAINT, faint_lines, watermark_lines, without_watermark


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


def test_an_answer_page_of_lighter_lines_still_loses_its_watermark():
    """Most lines in a lighter colour (160), the headings black: the page's text is dark enough."""
    lines = [[10, 50 * i, 590, 50 * i + 30] for i in range(1, 7)]
    levels = [20, 160, 160, 20, 160, 160]
    grey = page(*zip(lines, levels, strict=True), (MARK, 215))
    assert faint_lines(grey, [*lines, MARK]) == [False] * 6 + [True]


def test_without_watermark_turns_its_grey_to_paper_and_keeps_soft_edges():
    grey = np.array([0, 60, 120, 180, FAINT - 1, FAINT, 230, 255], dtype=np.uint8)
    clean = without_watermark(grey)
    assert clean.tolist()[0] == 0 and (clean[5:] == 255).all()
    assert (np.diff(clean[:6].astype(int)) > 0).all()  # darker stays darker: no hard cut
    assert clean[4] < 255 and (clean[1:5] > grey[1:5]).all()


def test_lines_the_second_read_missed_are_kept_from_the_first():
    # washing the watermark out lightens small print too: the second read found the line the watermark
    # crossed, and lost a fraction's numerator the first read had
    numerator = OcrLine(text="x^{2}", box=[163, 1021, 193, 1052], score=0.78)
    crossed = OcrLine(text="的中点M的轨迹方程为", box=[135, 986, 370, 1019], score=0.6)
    again = OcrLine(text="的中点M的轨迹方程为", box=[137, 990, 370, 1017], score=0.99)
    option = OcrLine(text="A.", box=[135, 1043, 162, 1068], score=0.99)
    assert _missed([crossed, numerator], [again, option]) == [again, option, numerator]
