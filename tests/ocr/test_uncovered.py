"""Print that no detected line covers (ocr/uncovered.py), found and read."""

from __future__ import annotations

import numpy as np
import pymupdf

from ocr import EngineConfig
from ocr.engines import get_engine
from ocr.extract import _uncovered_lines
from ocr.render import render
from ocr.types import OcrLine
from ocr.uncovered import uncovered_marks

LINE = (10, 20, 300, 50)  # a detected line, 30 px high


def page() -> np.ndarray:
    gray = np.full((200, 400), 255, np.uint8)
    gray[25:45, 12:298:6] = 0  # the line's text
    gray[60:80, 100:106] = 0  # a digit-sized mark under it: a denominator the detector missed
    gray[60:80, 110:114] = 0
    gray[55:57, 90:130] = 0  # the fraction bar above it
    gray[100:102, 20:380] = 0  # a rule
    gray[120:190, 350:353] = 0  # a table's vertical rule
    gray[150:152, 200:202] = 0  # a speck
    gray[150:170, 40:60] = 190  # a watermark's grey
    return gray


def test_only_uncovered_print_of_a_lines_size_is_found():
    assert uncovered_marks(page(), [LINE]) == [(100, 60, 114, 80)]
    assert uncovered_marks(page(), []) == []


def test_a_formula_piece_the_detector_missed_is_read_on_its_own():
    doc = pymupdf.open()
    sheet = doc.new_page(width=300, height=100)
    sheet.insert_text((20, 40), "已知双曲线", fontsize=14, fontname="china-s")
    sheet.insert_text((95, 33), "x2", fontsize=11)
    sheet.draw_line((93, 37), (110, 37))
    sheet.insert_text((97, 50), "4", fontsize=11)
    sheet.insert_text((115, 40), "- y = 1", fontsize=14)
    image = render(sheet, 144)
    lines = [
        OcrLine("已知双曲线", [36.0, 50.0, 184.0, 88.0], 1.0),
        OcrLine("- y = 1", [226.0, 50.0, 320.0, 90.0], 1.0),
    ]
    found = _uncovered_lines(get_engine(EngineConfig()), image, lines, 0.8, ink=image)
    assert [line.text for line in found] == ["x2", "4"]  # top to bottom
    assert all(184 < line.box[0] < line.box[2] < 226 for line in found)  # pixels, where they are drawn
    assert all(line.uncovered for line in found)


def test_fractions_between_tall_brackets_are_read_part_by_part():
    # `(1/4, 1/2)` an option set in display: the brackets join every part into one piece too tall to
    # read, the comma joins the denominators; the bars say where each part is
    gray = np.full((200, 200), 255, np.uint8)
    gray[25:45, 12:190:6] = 0  # a detected line, 30 px high
    for row in range(100, 170):  # ( and ), their middles nearer the parts than their ends
        bend = round(4 * abs(row - 135) / 35)
        gray[row, 20 + bend : 23 + bend] = 0
        gray[row, 83 - bend : 86 - bend] = 0
    gray[112:130, 36:38] = 0  # 1, washed thin
    gray[135:137, 30:46] = 0  # its bar
    gray[142:160, 34:41] = 0  # 4
    gray[152:160, 50:53] = 0  # ,
    gray[112:130, 62:64] = 0  # 1
    gray[135:137, 56:72] = 0  # its bar
    gray[142:160, 60:67] = 0  # 2
    gray[80:82, 100:112] = 0  # a minus sign alone: no bar, no part
    marks = uncovered_marks(gray, [LINE])
    assert sorted(marks) == [
        (20, 100, 27, 170),
        (34, 142, 41, 160),
        (36, 112, 38, 130),
        (60, 142, 67, 160),
        (62, 112, 64, 130),
        (79, 100, 86, 170),
    ]
