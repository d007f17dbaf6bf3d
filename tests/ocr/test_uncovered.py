"""Print that no detected line covers (ocr/uncovered.py), found and read."""

from __future__ import annotations

import numpy as np
import pymupdf

from ocr import EngineConfig
from ocr.engines import get_engine
from ocr.extract import _uncovered_lines
from ocr.render import render
from ocr.types import OcrLine
from ocr.uncovered import covered_print, cut_at, fraction_bars, uncovered_marks

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


def fraction_line() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A line 50 px high whose box holds text, then a fraction (its parts 18 px tall), then text: the
    detector boxed the fraction with the line and read it `π 2`."""
    gray = np.full((120, 300), 255, np.uint8)
    gray[40:60, 10:100:6] = 0  # text
    gray[28:46, 112:122] = 0  # numerator
    gray[48:50, 108:128] = 0  # bar
    gray[52:70, 112:122] = 0  # denominator
    gray[40:60, 135:250:6] = 0  # text
    return gray, (5, 25, 260, 75)


def test_a_fraction_inside_a_line_box_is_found_and_the_line_cut_beside_it():
    gray, line = fraction_line()
    [bar] = fraction_bars(gray, [line])
    assert bar.box == (108.0, 48.0, 128.0, 50.0)
    assert cut_at(line, bar, 50.0)
    assert not cut_at((100, 25, 135, 75), bar, 50.0)  # a box of the fraction alone holds no more than it
    gray[28:46, 96:122] = 0  # a "numerator" running well past its bar is the print of another line
    assert fraction_bars(gray, [line]) == []
    gray, line = fraction_line()
    gray[52:70, 112:122] = 255
    gray[52:56, 116:119] = 0  # an `i` under the bar: its dot, then its stem
    gray[60:72, 116:119] = 0
    assert len(fraction_bars(gray, [line])) == 1


def test_a_stroke_under_a_line_of_text_or_a_minus_is_no_bar():
    gray = np.full((140, 300), 255, np.uint8)
    above, below = (5, 10, 295, 47), (5, 47, 295, 84)
    gray[20:45, 10:290:8] = 0  # a line of text...
    gray[30:46, 100:115] = 0  # ...with a glyph right over the stroke
    gray[49:51, 100:116] = 0  # the top stroke of a glyph of the line under it
    gray[53:70, 100:115] = 0  # the rest of that glyph
    assert fraction_bars(gray, [above, below]) == []  # its "numerator" is in a line that runs on past it
    gray[40:47, :] = 255
    gray[20:40, 10:290:8] = 0
    assert fraction_bars(gray, [above, below]) == []  # nothing right over it: a minus


def test_a_glyph_that_a_neighbours_loose_box_clips_is_not_covered():
    gray = np.full((100, 300), 255, np.uint8)
    gray[40:60, 100:110] = 0  # a glyph no line holds (the numerator `π` of a fraction)
    gray[40:60, 130:140] = 0  # the first glyph of the line beside it
    neighbour = (106, 30, 250, 70)  # the box drawn around that line reaches over the glyph's right half
    covered = covered_print(gray, [neighbour])
    assert not covered[40:60, 100:110].any()
    assert covered[40:60, 130:140].all()
