"""Accents over letters from the ink: arrows and bars, set by a real typesetter (matplotlib's mathtext)."""

import io

import cv2
import matplotlib
import numpy as np
import pytest

from ocr.marks import Accent, Mark, accented, decorate, marks, marks_over


def typeset(latex: str, dpi: int) -> np.ndarray:
    """`latex` set in STIX (the look of a TeX paper) at `dpi`, as a mask of print."""
    from matplotlib import mathtext

    out = io.BytesIO()
    with matplotlib.rc_context({"mathtext.fontset": "stix"}):
        mathtext.math_to_image(f"${latex}$", out, dpi=dpi, format="png", prop=None)
    image = cv2.imdecode(np.frombuffer(out.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    return np.pad((image < 160).astype(np.uint8), 60)  # on paper: mathtext crops to the ink


@pytest.mark.parametrize("dpi", [144, 200, 300])
def test_arrows_and_bars_over_letters_and_nothing_else(dpi):
    # a vector, a mean, a fraction over one letter, the dots of i and j, an equals sign, a hat
    found = marks(typeset(r"\vec{a} + \bar{x} = \frac{1}{b} + i j + \hat{y}", dpi))
    assert [mark.accent for mark in found] == [Accent.VEC, Accent.BAR]
    vec, bar = found
    assert vec.bases[0][0] < bar.bases[0][0] and len(vec.bases) == len(bar.bases) == 1


@pytest.mark.parametrize("dpi", [144, 200])
def test_a_stretched_rule_or_arrow_marks_every_letter_under_it(dpi):
    [bar] = marks(typeset(r"\overline{CD} = \frac{EF}{GH}", dpi))  # the fraction's bar is no mark
    assert (bar.accent, len(bar.bases)) == (Accent.BAR, 2)
    # TeX stretches an arrow over its letters (mathtext does not): a shaft with a head at its right end
    mask = np.zeros((80, 60), np.uint8)
    mask[55:75, 5:20] = mask[55:75, 25:40] = 1  # two letters
    mask[48, 4:42] = 1
    mask[45:52, 39:42] = 1
    [arrow] = marks(mask)
    assert (arrow.accent, arrow.bases) == (Accent.VEC, ((5, 55, 19, 74), (25, 55, 39, 74)))
    assert marks(mask[40:]) == []  # too near the top to see whether anything is over it
    mask[48, 4:58] = 1  # a rule reaching far beyond them is a table's or a separator
    assert marks(mask) == []


@pytest.mark.parametrize("dpi", [144, 200, 300])
def test_an_arrow_stretched_over_leaning_capitals_marks_both(dpi):
    # TeX sets the arrow over the capitals' tops: its tail starts over the middle of the leaning E
    found = marks(typeset(r"\overrightarrow{EC} \cdot \overrightarrow{ED}", dpi))
    assert [(mark.accent, len(mark.bases)) for mark in found] == [(Accent.VEC, 2)] * 2
    if dpi >= 200:  # a letter's own arrow is one letter's, beside a leaning neighbour or not (at 144 dpi
        # the small arrow's head does not show)
        found = marks(typeset(r"A\vec{b} + \vec{x}y + \vec{a}b", dpi))
        assert [(mark.accent, len(mark.bases)) for mark in found] == [(Accent.VEC, 1)] * 3


def test_an_arrow_is_one_under_a_line_of_print_close_over_it_a_bar_is_not():
    mask = np.zeros((90, 40), np.uint8)
    mask[20:34, 5:35] = 1  # the line over it, 0.7 letter heights over the mark
    mask[56:76, 10:25] = 1  # a letter
    mask[48, 9:27] = 1  # an arrow's shaft and head
    mask[45:52, 24:27] = 1
    [arrow] = marks(mask)
    assert arrow.accent is Accent.VEC
    mask[45:52, 24:27], mask[48, 9:27] = 0, 1  # a bar: a fraction's, for all the page tells
    assert marks(mask) == []


def test_a_mark_run_into_a_vertical_bar_is_found_over_its_letter():
    # |a| with its arrow's head touching the right bar (formula images, scans): one piece of print
    mask = np.zeros((80, 50), np.uint8)
    mask[56:76, 10:25] = 1  # the letter
    mask[48, 9:30] = 1  # the arrow's shaft, its head running into the bar
    mask[45:52, 26:29] = 1
    mask[46:78, 29:32] = 1  # the bar, from the arrow down past the letter's foot
    [arrow] = marks(mask)
    assert (arrow.accent, arrow.bases) == (Accent.VEC, ((10, 56, 24, 75),))
    letter, bar = (10, 56, 25, 76), (9, 45, 32, 78)  # the bar's box holds the arrow and the letter's middle
    [(k, mark)] = marks_over(mask, [bar, letter]).items()
    assert (k, mark.bases) == (1, arrow.bases)


@pytest.mark.parametrize("dpi", [200, 300])
def test_the_zero_vector_read_as_a_round_letter_is_told_by_its_glyph(dpi):
    zero, small, capital = marks(typeset(r"\vec{0} + \vec{o} + \vec{O}", dpi))
    chars = decorate(["ō", "+", "o", "+", "O"], {0: zero, 2: small, 4: capital})
    assert chars == ["\\vec{0}", "+", "\\vec{o}", "+", "\\vec{O}"]


def test_marks_are_written_over_their_letters_and_nothing_else():
    one, two, cjk = (
        Mark(Accent.VEC, ((0, 0, 1, 1),), (0, 0, 0, 0)),
        Mark(Accent.VEC, (), (0, 0, 0, 0)),
        Mark(Accent.BAR, (), (0, 0, 0, 0)),
    )
    chars = list("ā+OP1=元")
    assert decorate(chars, {0: one, 2: two, 4: two, 6: cjk}) == [
        "\\vec{a}",  # the recognizer read the arrow as a macron
        "+",
        "\\overrightarrow{O",
        "P",
        "1}",
        "=",
        "元",  # the top stroke of a CJK character is no accent
    ]
    assert decorate(list("元气"), {0: cjk, 1: cjk}) == ["元", "气"]
    assert accented("x", Accent.BAR) == "\\bar{x}"
    assert accented("a", None) == "a"
    assert accented("i", Accent.BAR) == "i"  # its dot, blurred flat


def test_an_arrow_set_at_one_height_marks_an_x_height_letter_as_a_tall_one():
    # a house style (the gaokao papers) sets the arrow of `\vec{a}` as high as that of `\vec{b}`: over
    # the a's top by seven tenths of its height
    mask = np.zeros((90, 60), np.uint8)
    mask[55:75, 5:20] = 1  # an `a`, 20 rows tall
    mask[37:39, 5:19] = 1  # its arrow's shaft, 14 rows over it...
    mask[35:41, 16:19] = 1  # ...and head
    [arrow] = marks(mask)
    assert (arrow.accent, arrow.bases) == (Accent.VEC, ((5, 55, 19, 74),))
    mask[:55] = 0
    mask[32:34, 5:19] = mask[30:36, 16:19] = 1  # farther than that (19 rows): no mark of the a's
    assert marks(mask) == []
