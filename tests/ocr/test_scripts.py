"""Scripts from the ink: a small glyph set off the line's baseline is a superscript or a subscript."""

import numpy as np

from ocr.scripts import HELD_LETTER_FLOOR, Sizes, line_ink, raise_scripts

BASELINE, HEIGHT = 40, 20  # pixels: the glyphs of the line stand on y=40 and digits are 20 tall


def line(glyphs: list[tuple[str, int, int]]) -> tuple[str, list, np.ndarray, tuple]:
    """A white image with one ink block per glyph: (character, top, foot) rows, 12 px wide each."""
    gray = np.full((60, 20 * len(glyphs) + 20), 255, np.uint8)
    boxes = []
    for k, (_, top, foot) in enumerate(glyphs):
        x0 = 10 + 20 * k
        gray[top : foot + 1, x0 + 3 : x0 + 13] = 0
        boxes.append((x0, 10, x0 + 16, 50))
    return "".join(g[0] for g in glyphs), boxes, gray, (10, 10, 20 * len(glyphs) + 10, 50)


FULL = (BASELINE - HEIGHT + 1, BASELINE)  # a digit or a capital
X = (BASELINE - 11, BASELINE)  # an x-height letter
SUP = (BASELINE - HEIGHT - 3, BASELINE - 9)  # small and raised
SUB = (BASELINE - 7, BASELINE + 6)  # small and lowered


def test_a_raised_small_digit_is_a_superscript_and_a_lowered_one_a_subscript():
    text, boxes, gray, box = line([("x", *X), ("3", *SUP), ("<", *X), ("5", *FULL), ("a", *X), ("1", *SUB)])
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "x^{3}<5a_{1}"


def test_signs_join_a_script_between_its_characters_and_a_script_needs_a_base():
    glyphs = [("x", *X), ("n", *SUP), ("+", *SUP), ("1", *SUP), ("=", *X), ("2", *FULL), ("a", *X), ("c", *X)]
    text, boxes, gray, box = line(glyphs)
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "x^{n+1}=2ac"
    text, boxes, gray, box = line([("3", *SUP), ("x", *X), ("5", *FULL), ("7", *FULL)])
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "3x57"  # nothing before the raised 3


def test_a_flat_line_and_a_line_too_short_to_measure_are_left_as_read():
    text, boxes, gray, box = line([("x", *X), ("3", *FULL), ("<", *X), ("5", *FULL)])
    assert (
        raise_scripts(line_ink(text, boxes, gray, box)) == "x3<5"
    )  # 0.12 stays 0.12 when the 2 is on the line
    text, boxes, gray, box = line([("x", *X), ("3", *SUP)])
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "x3"
    text, boxes, gray, box = line([("x", *X), ("3", *SUP), ("5", *FULL), ("7", *FULL)])
    assert line_ink(text + "9", boxes, gray, box) is None  # boxes that do not pair: nothing to measure


def test_a_short_line_of_mostly_scripts_keeps_its_baseline():
    # `①an，bn均为`: two lowered n outnumber the one a on the baseline; the CJK glyphs break the tie
    cjk = (BASELINE - 20, BASELINE + 2)
    glyphs = [
        ("a", *X),
        ("n", *SUB),
        ("，", BASELINE - 4, BASELINE + 2),
        ("b", *FULL),
        ("n", *SUB),
        ("均", *cjk),
        ("为", *cjk),
        ("M", *FULL),
    ]
    text, boxes, gray, box = line(glyphs)
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "a_{n}，b_{n}均为M"


def test_a_short_line_is_measured_against_the_page():
    # a fraction's numerator `x2` (x²): one glyph of its own to stand on, too few alone, enough with the
    # page's glyph sizes; and `y1 + y2`, whose letters descend, stands on its y's x-height
    text, boxes, gray, box = line([("x", *X), ("2", *SUP)])
    sizes = Sizes(full=HEIGHT, x=11)
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "x2"
    assert raise_scripts(line_ink(text, boxes, gray, box), sizes) == "x^{2}"
    y = (BASELINE - 10, BASELINE + 6)
    text, boxes, gray, box = line([("y", *y), ("1", *SUB), ("+", *X), ("y", *y), ("2", *SUB)])
    assert raise_scripts(line_ink(text, boxes, gray, box), sizes) == "y_{1}+y_{2}"


def test_a_subscript_set_small_and_a_little_low_is_a_subscript_but_not_after_a_digit():
    # TeX drops a subscript little: small for its kind and a little below the line is enough
    digit, letter = (BASELINE - 11, BASELINE + 2), (BASELINE - 5, BASELINE + 2)  # small, a little low
    glyphs = [("S", *FULL), ("6", *digit), ("=", *X), ("a", *X), ("n", *letter), ("1", *FULL), ("5", *digit)]
    text, boxes, gray, box = line(glyphs)
    assert raise_scripts(line_ink(text, boxes, gray, box), Sizes(full=HEIGHT, x=11)) == "S_{6}=a_{n}15"


def test_a_subscript_one_the_recognizer_dropped_is_written_where_it_was_lost():
    text, boxes, gray, box = line([("n", *X), ("<", *X), ("n", *X), ("2", *SUB), ("A", *FULL)])
    assert raise_scripts(line_ink(text, boxes, gray, box), lost_ones=[0]) == "n_{1}<n_{2}A"


def test_a_script_the_recognizer_dropped_is_read_on_its_own():
    # the page prints (x)⁴ < 5 A; the recognizer read `(x)<5A`: the raised 4 is a glyph no character took
    glyphs = [("(", 14, 46), ("x", *X), (")", 14, 46), ("4", *SUP), ("<", *X), ("5", *FULL), ("A", *FULL)]
    _, boxes, gray, box = line(glyphs)
    del boxes[3]
    gray[SUP[0] : SUP[1] + 1, 73:83] = 255  # the 4 set close to its bracket, as a power is
    gray[SUP[0] : SUP[1] + 1, 66:73] = 0
    ink = line_ink("(x)<5A", boxes, gray, box)
    seen = []

    def read(glyph):
        seen.append((glyph.x0, glyph.y0))
        return "4"

    assert raise_scripts(ink, Sizes(full=HEIGHT, x=11), read=read) == "(x)^{4}<5A"
    assert seen == [(66, SUP[0])]  # only the raised glyph was read
    assert raise_scripts(ink, Sizes(full=HEIGHT, x=11), read=lambda glyph: "?!") == "(x)<5A"  # no script


def test_a_fraction_bar_read_as_a_character_is_none():
    # a denominator `2` whose box holds the bar: the recognizer read `12`, the `1` being the bar
    bar = (BASELINE - HEIGHT - 6, BASELINE - HEIGHT - 5)
    text, boxes, gray, box = line([("1", *bar), ("2", *FULL), ("x", *X)])
    assert raise_scripts(line_ink(text, boxes, gray, box), Sizes(full=HEIGHT, x=11)) == "2x"
    text, boxes, gray, box = line([("1", *FULL), ("2", *FULL), ("x", *X)])
    assert raise_scripts(line_ink(text, boxes, gray, box), Sizes(full=HEIGHT, x=11)) == "12x"


def test_an_arrow_or_a_bar_over_a_letter_is_written_as_its_accent():
    # a⃗ + x̄ = 2 read `a+x=2`: the arrow (a shaft with a head at its right end) and the bar are pieces of
    # their own right over their letters
    text, boxes, gray, box = line([("a", *X), ("+", *X), ("x", *X), ("=", *X), ("2", *FULL), ("b", *FULL)])
    top = X[0]
    gray[top - 5, 13:23] = 0  # the arrow's shaft over the a (columns 13-22)...
    gray[top - 7 : top - 2, 21:23] = 0  # ...and its head
    gray[top - 5 : top - 3, 53:63] = 0  # the bar over the x
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "\\vec{a}+\\bar{x}=2b"


def test_a_letter_under_an_arrow_read_as_no_letter_is_read_again_from_under_the_arrow():
    # the page prints b⃗ + c⃗; the recognizer read the arrows with their letters: `¯+τ`
    text, boxes, gray, box = line([("¯", *X), ("+", *X), ("τ", *X), ("=", *X), ("2", *FULL)])
    for x0 in (13, 53):
        gray[X[0] - 5, x0 : x0 + 10] = 0  # the arrow's shaft...
        gray[X[0] - 7 : X[0] - 2, x0 + 8 : x0 + 10] = 0  # ...and its head
    ink = line_ink(text, boxes, gray, box)
    seen = []

    def read(glyph, alone=False, floor=0.8):
        seen.append((glyph.x0, glyph.y0, alone, floor < 0.8))
        return {13: "b", 53: "C"}[glyph.x0]  # one glyph alone has no case: `c` read `C`

    assert raise_scripts(ink, read=read) == "\\vec{b}+\\vec{c}=2"
    # each letter read from its top, the arrow left out; read as no letter, a less sure reading will do
    assert seen == [(13, X[0], True, True), (53, X[0], True, True)]
    assert (
        raise_scripts(ink, read=lambda glyph, alone=False, floor=0.8: "?") == "¯+\\vec{τ}=2"
    )  # no letter: as read
    # a letter read right keeps its case
    text, boxes, gray, box = line([("C", *X), ("=", *X), ("2", *FULL)])
    gray[X[0] - 5, 13:23] = 0
    gray[X[0] - 7 : X[0] - 2, 21:23] = 0
    assert (
        raise_scripts(line_ink(text, boxes, gray, box), read=lambda glyph, alone=False, floor=0.8: "c")
        == "\\vec{C}=2"
    )


def test_a_lone_brace_on_a_script_glyph_is_read_again():
    # the page prints 1+b²; the recognizer read `1+b{2`: the `{` on the raised 2, the `2` on a speck beside it
    speck = (SUP[0], SUP[0] + 2)
    glyphs = [("1", *FULL), ("+", *X), ("b", *FULL), ("{", *SUP), ("2", *speck), ("=", *X), ("5", *FULL)]
    text, boxes, gray, box = line(glyphs)
    ink = line_ink(text, boxes, gray, box)
    seen = []

    def read(glyph):
        seen.append((glyph.x0, glyph.y0))
        return "2"

    assert raise_scripts(ink, Sizes(full=HEIGHT, x=11), read=read) == "1+b^{2}=5"
    assert seen == [(73, SUP[0])]  # only the brace's glyph was read
    assert raise_scripts(ink, Sizes(full=HEIGHT, x=11), read=lambda glyph: "?") == "1+b{2=5"  # not a script
    # a brace with its partner, or one on the line, is a brace
    glyphs = [("{", *FULL), ("x", *X), ("}", *SUP), ("5", *FULL), ("A", *FULL)]
    text, boxes, gray, box = line(glyphs)
    assert raise_scripts(line_ink(text, boxes, gray, box), Sizes(full=HEIGHT, x=11), read=read) == "{x}5A"
    text, boxes, gray, box = line([("a", *X), ("{", *FULL), ("5", *FULL), ("A", *FULL)])
    assert raise_scripts(line_ink(text, boxes, gray, box), Sizes(full=HEIGHT, x=11), read=read) == "a{5A"


def test_a_character_that_repeats_a_unicode_script_on_no_ink_of_its_own_is_none():
    # the recognizer read y² as `y²2`: the 2 has no glyph of its own
    glyphs = [("y", BASELINE - 10, BASELINE + 6), ("²", *SUP), ("2", *SUP), ("=", *X), ("1", *FULL)]
    text, boxes, gray, box = line(glyphs)
    gray[:, 50:70] = 255  # the third box holds no ink
    assert raise_scripts(line_ink(text, boxes, gray, box), Sizes(full=HEIGHT, x=11)) == "y²=1"
    text, boxes, gray, box = line(glyphs)  # a 2 with ink of its own is a character
    assert raise_scripts(line_ink(text, boxes, gray, box), Sizes(full=HEIGHT, x=11)) == "y²2=1"


def test_a_subscript_run_into_its_letter_is_cut_from_it():
    # `a₂` where the scan joined the 2 to the a: the recognizer read `a2`, one glyph holds both
    text, boxes, gray, box = line([("x", *X), ("+", *X), ("a", *X), ("2", *SUB), ("=", *X), ("5", *FULL)])
    gray[BASELINE - 3 : BASELINE - 1, 10 + 40 + 13 : 10 + 60 + 3] = 0  # the a's foot runs into the 2
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "x+a_{2}=5"


def hold(gray: np.ndarray, k: int, x0: int, x1: int) -> None:
    """Ink hanging from the k-th glyph of `line` below the baseline: columns x0..x1 of its slot (the
    glyph's block is columns 3..12), from 6 rows above the line to 6 below, touching the block."""
    gray[BASELINE - 6 : BASELINE + 7, 10 + 20 * k + x0 : 10 + 20 * k + x1 + 1] = 0


def test_a_subscript_the_recognizer_dropped_inside_its_letters_glyph_is_read_where_it_hangs():
    # `A₁+B=5` where the scan ran the 1 into its A: the recognizer read `A+B=5`, one glyph holds both
    text, boxes, gray, box = line([("A", *FULL), ("+", *X), ("B", *FULL), ("=", *X), ("5", *FULL)])
    hold(gray, 0, 12, 14)
    seen = []

    def read(glyph, alone=False, floor=0.8):
        seen.append((glyph.x0, glyph.y0, glyph.x1, glyph.y1, alone))
        return "I"  # one upright stroke read alone: a 1 where it hangs as a subscript

    assert raise_scripts(line_ink(text, boxes, gray, box), read=read) == "A_{1}+B=5"
    assert seen == [(22, BASELINE + 6 - 12, 24, BASELINE + 6, True)]  # its columns, read on blank paper
    ink = line_ink(text, boxes, gray, box)
    assert raise_scripts(ink, read=lambda glyph, alone=False, floor=0.8: "，") == "A+B=5"  # a comma's tail


def test_ink_under_the_line_on_a_letters_left_or_under_a_letter_that_descends_is_its_own():
    text, boxes, gray, box = line([("A", *FULL), ("+", *X), ("B", *FULL), ("=", *X), ("5", *FULL)])
    hold(gray, 0, 3, 5)  # under its left side: the letter's own tail
    assert raise_scripts(line_ink(text, boxes, gray, box), read=lambda glyph, **_: "1") == "A+B=5"
    text, boxes, gray, box = line([("Q", *FULL), ("+", *X), ("B", *FULL), ("=", *X), ("5", *FULL)])
    hold(gray, 0, 12, 14)  # a Q's tail
    assert raise_scripts(line_ink(text, boxes, gray, box), read=lambda glyph, **_: "1") == "Q+B=5"


def test_a_subscript_digit_read_with_no_ink_of_its_own_takes_what_hangs_from_its_letter():
    # `MA₂P5`: the recognizer read the 2, but its ink is run into the A's
    text, boxes, gray, box = line([("M", *FULL), ("A", *FULL), ("2", *SUB), ("P", *FULL), ("5", *FULL)])
    gray[:, 10 + 40 : 10 + 60] = 255  # the 2's own slot is blank
    hold(gray, 1, 12, 14)
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "MA_{2}P5"


def test_a_dropped_subscript_under_its_letters_overhang_is_read_after_it():
    # an italic `P₁，`: the 1 sits under the P's bowl, in its columns but below its rows; read `P，`
    text, boxes, gray, box = line(
        [("P", *FULL), ("，", BASELINE - 4, BASELINE + 2), ("B", *FULL), ("5", *FULL)]
    )
    gray[BASELINE - 9 : BASELINE + 1, 10 + 7 : 10 + 13] = 255  # the P: a bowl and a stem
    gray[BASELINE - 4 : BASELINE + 9, 10 + 10 : 10 + 13] = 0  # the 1, apart from both
    ink = line_ink(text, boxes, gray, box)
    assert raise_scripts(ink, Sizes(full=HEIGHT, x=11), read=lambda glyph, **_: "1") == "P_{1}，B5"


def test_a_letter_that_descends_set_low_is_a_subscript_and_on_the_line_is_none():
    # `a_j < jy`: the subscript j starts under the middle of the x-height; the j on the line at its dot,
    # the y (small beside the capitals, its foot as low) at the x-height
    glyphs = [("a", *X), ("j", BASELINE - 1, BASELINE + 11), ("<", *X), ("j", BASELINE - 19, BASELINE + 6)]
    text, boxes, gray, box = line([*glyphs, ("y", BASELINE - 10, BASELINE + 5), ("5", *FULL), ("B", *FULL)])
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "a_{j}<jy5B"


def test_a_triangle_set_low_after_its_base_starts_a_subscript():
    # `2S_{△ACO}=5`, the area of a triangle; a △ on the line names the triangle
    glyphs = [("2", *FULL), ("S", *FULL), ("△", *SUB), ("A", *SUB), ("C", *SUB), ("O", *SUB), ("=", *X)]
    text, boxes, gray, box = line([*glyphs, ("△", *FULL), ("A", *FULL), ("5", *FULL)])
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "2S_{△ACO}=△A5"


def reads_parts(letter: str, script: str, hangs_from: int):
    """A `read` that reads a glyph left of column `hangs_from` as `letter` and one from there as `script`."""
    seen = []

    def read(glyph, alone=False, floor=0.8):
        seen.append((glyph.x0, glyph.x1, floor))
        return script if glyph.x0 >= hangs_from else letter if glyph.x1 < hangs_from else "弓"

    return read, seen


def test_a_letter_read_as_a_character_that_never_hangs_is_read_again_without_its_subscript():
    # `λ₂+B=5`, one blot read `2+B=5` (or `{+B=5`): a digit does not hang below the line, a lone brace is no
    # brace; what the blot leaves of its subscript reads λ alone
    for misread in ("2", "{"):
        text, boxes, gray, box = line([(misread, *FULL), ("+", *X), ("B", *FULL), ("=", *X), ("5", *FULL)])
        hold(gray, 0, 12, 14)
        read, seen = reads_parts("λ", "2", 22)
        assert raise_scripts(line_ink(text, boxes, gray, box), read=read) == "λ_{2}+B=5"
        assert (13, 21, HELD_LETTER_FLOOR) in seen  # the letter: the glyph's columns left of what hangs
    read, _ = reads_parts("", "2", 22)  # the left part reads no letter: the digit stays as read
    assert raise_scripts(line_ink(text, boxes, gray, box), read=read) == "{+B=5"
    text, boxes, gray, box = line([("2", *FULL), ("+", *X), ("B", *FULL), ("=", *X), ("5", *FULL)])
    hold(gray, 0, 12, 14)
    read, _ = reads_parts("1", "2", 22)  # one upright stroke is no letter to hold a script
    assert raise_scripts(line_ink(text, boxes, gray, box), read=read) == "2+B=5"


def shared(gray: np.ndarray, k: int) -> None:
    """The glyphs of slots k and k+1 made one, joined by a thin stroke (cut there when two characters
    share it), slot k's own block moved right against it."""
    x0 = 10 + 20 * k
    gray[:, x0 : x0 + 20] = 255
    gray[FULL[0] : FULL[1] + 1, x0 + 3 : x0 + 12] = 0
    gray[BASELINE - 10, x0 + 12] = 0
    gray[FULL[0] : FULL[1] + 1, x0 + 13 : x0 + 23] = 0


def test_a_subscript_read_on_a_piece_cut_from_the_next_letter_takes_what_hangs_instead():
    # `λ₂OP=5` read `λ2OP=5`: the 2 has no ink of its own beside the λ, so it was given the O's left side
    text, boxes, gray, box = line(
        [("λ", *FULL), ("2", *FULL), ("O", *FULL), ("P", *FULL), ("=", *X), ("5", *FULL)]
    )
    hold(gray, 0, 12, 14)
    shared(gray, 1)
    ink = line_ink(text, boxes, gray, box)
    assert ink.glyphs[1].cut and ink.glyphs[2].cut  # what the line gives: the O shared by the 2 and the O
    read, _ = reads_parts("λ", "2", 22)
    assert raise_scripts(ink, read=read) == "λ_{2}OP=5"
    read, _ = reads_parts("λ", "3", 22)  # what hangs reads another digit: the 2 is a character of its own
    assert raise_scripts(ink, read=read) == "λ_{3}2OP=5"


def test_a_letter_and_its_subscript_read_as_more_characters_are_read_as_the_blot_shows():
    # `A₂+B5` read `A42+B5`: the A and the 4 share the blot, the 2 has no ink of its own
    text, boxes, gray, box = line(
        [("A", *FULL), ("4", *FULL), ("2", *FULL), ("+", *X), ("B", *FULL), ("5", *FULL)]
    )
    shared(gray, 0)
    gray[:, 50:70] = 255
    hold(gray, 1, 8, 10)  # under the right of the blot
    ink = line_ink(text, boxes, gray, box)
    assert ink.glyphs[0].cut and ink.glyphs[1].cut and ink.glyphs[2] is None
    read, _ = reads_parts("A", "2", 38)
    assert raise_scripts(ink, read=read) == "A_{2}+B5"
    # `n₂+B5` read `n2+B5`, the blot cut between the n's legs: the 2 it shared the blot with is the script
    text, boxes, gray, box = line([("n", *FULL), ("2", *FULL), ("+", *X), ("B", *FULL), ("5", *FULL)])
    shared(gray, 0)
    hold(gray, 1, 8, 10)
    ink = line_ink(text, boxes, gray, box)
    assert ink.glyphs[0].cut and ink.glyphs[1].cut
    read, _ = reads_parts("n", "", 38)
    assert raise_scripts(ink, read=read) == "n_{2}+B5"


def test_a_blot_of_a_letter_and_its_subscript_read_as_nothing_is_read_alone():
    # `x，λ₂，5B` read `x，，5B`: the blot between the commas is no character's
    comma = (BASELINE - 4, BASELINE + 2)
    glyphs = [("x", *X), ("，", *comma), ("λ", *FULL), ("，", *comma), ("5", *FULL), ("B", *FULL)]
    text, boxes, gray, box = line(glyphs)
    hold(gray, 2, 12, 14)
    ink = line_ink(text[:2] + text[3:], boxes[:2] + boxes[3:], gray, box)
    assert [glyph.x0 for _, glyph, _ in ink.unread] == [53]
    read, _ = reads_parts("λ", "2", 62)
    assert raise_scripts(ink, read=read) == "x，λ_{2}，5B"
    read, _ = reads_parts("λ", "", 62)  # no script read where it hangs: nothing is written
    assert raise_scripts(ink, read=read) == "x，，5B"


def test_a_bar_stacked_on_a_digit_and_read_as_a_character_at_the_lines_end_is_none():
    # a denominator's line `2` with its fraction's bar over it, read `12`: the 1 has no ink of its own
    text, boxes, gray, box = line([("1", *FULL), ("2", *FULL)])
    gray[:, 10:30] = 255
    gray[FULL[0] - 5 : FULL[0] - 3, 10 + 20 + 2 : 10 + 20 + 14] = 0  # the bar, over the 2 and clear of it
    ink = line_ink(text, boxes, gray, box)
    assert raise_scripts(ink) == "2" and ink.ink[1] == (FULL[0], FULL[1])  # the 2 measured without it
    text, boxes, gray, box = line([("1", *FULL), ("2", *FULL)])  # the 1 nearer the glyph, the 2 on a speck
    gray[:, 30:50] = 255
    gray[FULL[0] : FULL[0] + 2, 10 + 20 + 6 : 10 + 20 + 8] = 0
    gray[FULL[0] - 5 : FULL[0] - 3, 10 + 1 : 10 + 14] = 0
    ink = line_ink(text, boxes, gray, box)
    assert raise_scripts(ink) == "2" and ink.ink[1] == (FULL[0], FULL[1]) and ink.glyphs[0] is None
    text, boxes, gray, box = line([("1", *FULL), ("2", *FULL)])  # a 1 of its own: a 12 under the bar
    gray[FULL[0] - 5 : FULL[0] - 3, 10 + 20 + 2 : 10 + 20 + 14] = 0
    assert raise_scripts(line_ink(text, boxes, gray, box)) == "12"
