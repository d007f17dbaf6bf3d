"""The ink of each character: glyphs from the page's print, matched in order to the recognizer's boxes."""

import numpy as np

from ocr.glyphs import align, hanging_script, line_glyphs, print_strip

LINE = (0, 0, 200, 40)


def page(*marks: tuple[int, int, int, int], grey: int = 0) -> np.ndarray:
    """A white strip with one ink block per (x0, y0, x1, y1) mark."""
    gray = np.full((40, 200), 255, np.uint8)
    for x0, y0, x1, y1 in marks:
        gray[y0 : y1 + 1, x0 : x1 + 1] = grey
    return gray


def glyphs(gray: np.ndarray, width: float = 12.0) -> list:
    return line_glyphs(print_strip(gray, LINE, 0, 40), width).glyphs


def test_pieces_one_above_the_other_are_one_glyph_and_a_rule_is_none():
    # an `i` (dot over stem), an `=` (two bars), a `9` whose loop came apart inside it, a fraction's bar
    gray = page((12, 8, 14, 10), (12, 14, 14, 30), (30, 18, 40, 19), (30, 23, 40, 24), (60, 10, 70, 30))
    gray[12:25, 61:70] = 255  # the loop's hole...
    gray[13:24, 62:69] = 0  # ...with a piece of ink of its own inside the glyph's box
    gray[34:36, 90:180] = 0  # a bar eight characters wide under nothing: a rule
    found = glyphs(gray)
    assert [(g.x0, g.x1, g.pieces) for g in found] == [(12, 14, 2), (30, 40, 2), (60, 70, 2)]


def test_a_letter_under_a_radical_stays_a_glyph_of_its_own():
    gray = page((10, 5, 40, 6), (10, 5, 11, 35))  # the radical's bar and stem: one piece
    gray[25:36, 4:10] = 0  # its tick
    gray[15:30, 20:30] = 0  # the x under it
    assert [(g.x0, g.x1) for g in glyphs(gray)] == [(4, 40), (20, 29)]


def test_a_light_scan_keeps_its_strokes_whole():
    # strokes printed in grey 170: a fixed print level (160) would see no ink at all
    found = glyphs(page((10, 10, 20, 30), (40, 10, 50, 30), grey=170))
    assert [(g.x0, g.x1) for g in found] == [(10, 20), (40, 50)]


def test_boxes_that_drift_are_matched_to_their_glyphs_in_order():
    # x, a small lowered 1 (its box drifted onto the bracket), the bracket; the boxes lie 6 px right
    gray = page((10, 15, 22, 30), (24, 24, 27, 36), (34, 8, 38, 36))
    chars = [(16, 0, 28, 40), (28, 0, 36, 40), (38, 0, 46, 40)]
    matched = align("x1)", chars, glyphs(gray))
    assert [(g.x0, g.y1) for g in matched] == [(10, 30), (24, 36), (34, 36)]


def test_a_glyph_the_text_does_not_name_is_passed_over():
    # the recognizer read `x−x2` where the page prints x₁ − x₂: the ₁ is no character's ink
    gray = page((10, 15, 22, 30), (24, 24, 27, 36), (36, 22, 46, 23), (54, 15, 66, 30), (68, 24, 73, 36))
    chars = [(8, 0, 22, 40), (34, 0, 48, 40), (52, 0, 66, 40), (66, 0, 76, 40)]
    matched = align("x−x2", chars, glyphs(gray))
    assert [(g.x0, g.x1) for g in matched] == [(10, 22), (36, 46), (54, 66), (68, 73)]


def test_two_characters_whose_ink_touches_share_their_glyph_cut_where_it_is_thinnest():
    # an `a` and its subscript `n` run together by the blur of a scan: one piece of print
    gray = page((10, 15, 21, 30), (24, 25, 30, 36))
    gray[28:30, 22:24] = 0  # a thin bridge between them
    strip = print_strip(gray, LINE, 0, 40)
    found = line_glyphs(strip, 12.0).glyphs
    assert [(g.x0, g.x1) for g in found] == [(10, 30)]
    chars = [(8, 0, 22, 40), (22, 0, 32, 40)]
    a, n = align("an", chars, found, strip)
    assert (a.x0, a.y0, a.y1) == (10, 15, 30) and a.x1 in (21, 22)
    assert (n.x1, n.y0, n.y1) == (30, 25, 36) and n.x0 in (22, 23, 24)
    # without the print (or with no thin column to cut at) the glyph stays whole
    assert align("an", chars, found)[0] == found[0]
    solid = page((10, 15, 30, 36))
    strip = print_strip(solid, LINE, 0, 40)
    assert align("an", chars, line_glyphs(strip, 12.0).glyphs, strip)[1] is None


def test_a_cut_part_leaves_out_what_the_cut_left_there_of_its_neighbour():
    # `x₀`: the x's arm reaches over the 0; the cut leaves its tip in the 0's columns, a speck there
    gray = page((10, 10, 21, 24), (22, 10, 24, 11), (22, 23, 22, 23), (23, 22, 28, 32))
    strip = print_strip(gray, LINE, 0, 40)
    found = line_glyphs(strip, 12.0).glyphs
    x, zero = align("x0", [(8, 0, 22, 40), (22, 0, 30, 40)], found, strip)
    assert (x.x0, x.x1, x.y0, x.y1) == (10, 21, 10, 24)
    assert (zero.x0, zero.y0, zero.y1) == (22, 22, 32)  # not from row 10: the tip of the arm is left out


def test_ink_hanging_under_the_line_on_a_glyphs_right_is_where_its_subscript_lies():
    # an `A₁` one blot: the letter stands on row 30, the 1 beside its leg reaches row 35
    gray = page((10, 10, 21, 30), (20, 24, 23, 35))
    strip = print_strip(gray, LINE, 0, 40)
    (letter,) = line_glyphs(strip, 12.0).glyphs
    script = hanging_script(letter, strip, below=31, height=12)
    assert (script.x0, script.y0, script.x1, script.y1) == (20, 23, 23, 35)
    assert hanging_script(letter, strip, below=36, height=12) is None  # nothing under the line
    tail = page((10, 10, 21, 30), (10, 24, 13, 35))  # under the letter's left: its own tail
    strip = print_strip(tail, LINE, 0, 40)
    assert hanging_script(line_glyphs(strip, 12.0).glyphs[0], strip, below=31, height=12) is None


def test_a_full_width_sign_takes_one_glyph_like_its_own():
    # `P₁，` where the recognizer read `P，`: the comma's glyph is the comma, the 1 beside it is none of its
    gray = page((10, 10, 21, 30), (24, 24, 25, 35), (30, 28, 33, 34))
    strip = print_strip(gray, LINE, 0, 40)
    found = line_glyphs(strip, 12.0).glyphs
    p, comma = align("P，", [(8, 0, 23, 40), (23, 0, 36, 40)], found, strip)
    assert (p.x0, p.x1) == (10, 21) and (comma.x0, comma.x1) == (30, 33)


def test_a_flat_stroke_stacked_clear_over_a_glyph_is_a_bar_it_can_be_read_without():
    # a fraction's bar over one digit, no wider than a character, stacks with it; so do the bars of `=`
    # (both flat: no bar over a glyph) and the dot of an `i` (not flat)
    gray = page((10, 8, 21, 9), (11, 14, 20, 30), (40, 18, 50, 19), (40, 23, 50, 24), (70, 8, 72, 10))
    gray[14:31, 70:73] = 0  # the i's stem
    barred, equals, i = glyphs(gray)
    assert (barred.pieces, barred.y0) == (2, 8) and barred.unbarred is not None
    assert (barred.unbarred.x0, barred.unbarred.y0, barred.unbarred.x1, barred.unbarred.y1) == (
        11,
        14,
        20,
        30,
    )
    assert equals.unbarred is None and i.unbarred is None
