"""Accents of a text layer (combining marks, rules over letters, arrows over letters) read from geometry."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pymupdf

from ocr.textlayer import read_layer, text_of

STIX = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "STIXGeneral.ttf"  # has √ and U+20D7


def _text(build) -> str:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_font(fontname="stix", fontfile=str(STIX))
    build(page)
    layer = read_layer(page)
    return text_of(layer.pieces, layer.rules())


def test_a_rule_over_letters_is_an_overline_and_after_a_radical_sign_a_root():
    def build(page):
        font = pymupdf.Font(fontfile=str(STIX))
        page.insert_text((72, 100), "Mean x and root √x+1 here.", fontsize=11, fontname="stix")
        x0 = 72 + font.text_length("Mean ", fontsize=11)
        page.draw_line((x0, 92), (x0 + font.text_length("x", fontsize=11), 92), width=0.4)
        r0 = 72 + font.text_length("Mean x and root √", fontsize=11)
        page.draw_line((r0, 90.5), (r0 + font.text_length("x+1", fontsize=11), 90.5), width=0.4)

    assert _text(build) == "Mean \\overline{x} and root \\sqrt{x+1} here."


def test_a_rule_with_text_over_it_stays_a_fraction():
    def build(page):
        page.insert_text((72, 100), "p =", fontsize=12)
        page.insert_text((95, 94), "3", fontsize=9)
        page.draw_line((93, 96), (102, 96), width=0.5)
        page.insert_text((95, 105), "4", fontsize=9)

    assert _text(build) == "p = \\frac{3}{4}"


def test_a_combining_arrow_goes_onto_its_letter_before_or_after_it():
    def build(page):
        page.insert_text(
            (72, 100), "Vectors a\u20d7 and b\u20d7 are unit vectors.", fontsize=11, fontname="stix"
        )

    assert _text(build) == "Vectors \\vec{a} and \\vec{b} are unit vectors."


def test_an_arrow_set_above_letters_is_a_vector_over_them():
    def build(page):
        page.insert_text((72, 100), "Find AB · CD now.", fontsize=11)
        x0 = 72 + pymupdf.get_text_length("Find ", fontsize=11)
        page.insert_text((x0, 92), "→", fontsize=11, fontname="china-s")

    assert _text(build) == "Find \\overrightarrow{AB} · CD now."
