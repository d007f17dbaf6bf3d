"""Accents over letters from the ink: arrows and bars, set by a real typesetter (matplotlib's mathtext)."""

import io

import cv2
import matplotlib
import numpy as np
import pytest

from ocr.marks import Accent, Mark, accented, decorate, marks


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
    assert marks(mask[30:]) == []  # too near the top to see whether anything is over it
    mask[48, 4:58] = 1  # a rule reaching far beyond them is a table's or a separator
    assert marks(mask) == []


def test_marks_are_written_over_their_letters_and_nothing_else():
    one, two, cjk = Mark(Accent.VEC, ((0, 0, 1, 1),)), Mark(Accent.VEC, ()), Mark(Accent.BAR, ())
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
