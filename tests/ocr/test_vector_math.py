"""Formulas drawn as vector glyphs in a text layer are found, OCR'd in runs, and put back in place."""

from __future__ import annotations

import pymupdf

import ocr.extract
from ocr import Settings, extract_pdf
from ocr.textlayer import read_layer
from ocr.vector_math import find_holes, formula_runs, holds_fraction
from tests.ocr import layouts
from tests.ocr.fakes import FakeEngine


def test_the_vector_formula_is_found_and_cut_into_runs(tmp_path):
    layouts.vector_formula(tmp_path / "formula.pdf")
    with pymupdf.open(tmp_path / "formula.pdf") as doc:
        layer = read_layer(doc[0])
        assert "y" not in layer.pieces[0].text + layer.pieces[1].text.split("holds")[0]  # the hole
        holes = find_holes(layer)
    assert holes.figures == 0
    levels = [run.level for run in sorted(holes.runs, key=lambda r: r.box[0])]
    assert levels == [0, 0, 0, 1, 0, 0]  # y, =, 3x, the raised 2, +, 7
    assert all(160 <= run.box[0] and run.box[2] <= 250 and 80 <= run.box[1] for run in holes.runs)


def test_the_formula_is_read_back_in_place_with_its_superscript(tmp_path):
    layouts.vector_formula(tmp_path / "formula.pdf")
    [row] = extract_pdf(tmp_path / "formula.pdf")
    assert row.text.splitlines() == [
        "Suppose that y = 3x^{2} + 7 holds for all x.",
        "Find the value of y when x equals four, please.",
    ]
    assert (row.method, row.engine) == ("text-layer", "pymupdf+rapidocr")
    assert row.engine_version.startswith(pymupdf.__version__.split(".")[0]) and "+" in row.engine_version
    assert "vector_math" in row.flags and "math_lost" not in row.flags
    assert row.lines and all(line.text for line in row.lines) and 0.5 < row.confidence <= 1.0


def test_a_formula_ocr_cannot_read_is_flagged_math_lost(tmp_path, monkeypatch):
    layouts.vector_formula(tmp_path / "formula.pdf")
    monkeypatch.setattr(ocr.extract, "get_engine", lambda config: FakeEngine(line=("", 0.0)))
    [row] = extract_pdf(tmp_path / "formula.pdf")
    assert row.method == "text-layer" and row.flags == ["vector_math", "math_lost", "low_confidence"]
    assert row.text.splitlines()[0] == "Suppose that = holds for all x."  # the equals sign needs no OCR


def test_with_formula_ocr_turned_off_the_page_is_flagged_math_lost(tmp_path, monkeypatch):
    layouts.vector_formula(tmp_path / "formula.pdf")
    engine = FakeEngine()
    monkeypatch.setattr(ocr.extract, "get_engine", lambda config: engine)
    [row] = extract_pdf(tmp_path / "formula.pdf", Settings(vector_math=False))
    assert (row.engine, row.flags, engine.seen) == ("pymupdf", ["math_lost"], [])


def test_a_failing_engine_keeps_the_text_layer_and_says_why(tmp_path, monkeypatch):
    layouts.vector_formula(tmp_path / "formula.pdf")

    class Broken(FakeEngine):
        def read_line(self, image, scripts=False, ink=None):
            raise RuntimeError("no model")

    monkeypatch.setattr(ocr.extract, "get_engine", lambda config: Broken())
    [row] = extract_pdf(tmp_path / "formula.pdf")
    assert (row.method, row.flags, row.notes, row.error) == (
        "text-layer",
        ["math_lost"],
        ["formula OCR failed: RuntimeError: no model"],
        None,  # the page's text is still usable: the split reads it, the flag goes with its problems
    )
    assert row.text.startswith("Suppose that holds")


def test_figures_and_underlines_are_not_formulas(tmp_path, monkeypatch):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "A page with a figure below and an underlined word here.", fontsize=11)
    page.draw_line((300, 74), (340, 74), width=0.6)  # underline
    page.draw_rect(pymupdf.Rect(100, 120, 300, 300), width=1)  # figure frame
    page.draw_circle((200, 210), 40)
    page.draw_line((100, 400), (500, 400), width=0.5)  # separator rule
    doc.save(tmp_path / "figure.pdf")
    engine = FakeEngine()
    monkeypatch.setattr(ocr.extract, "get_engine", lambda config: engine)
    [row] = extract_pdf(tmp_path / "figure.pdf")
    assert (row.method, row.engine, row.flags, engine.seen) == ("text-layer", "pymupdf", ["figures"], [])


def test_a_lone_rule_is_a_minus_sign_unless_it_is_an_overline(tmp_path, monkeypatch):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Segment AB has length", fontsize=11)
    page.draw_line((117, 91), (133, 91), width=0.4)  # an overline over "AB"
    page.draw_line((200, 96.5), (206, 96.5), width=0.6)  # a minus sign drawn as a rule
    page.insert_text((210, 100), "3 units.", fontsize=11)
    doc.save(tmp_path / "rules.pdf")
    engine = FakeEngine()
    monkeypatch.setattr(ocr.extract, "get_engine", lambda config: engine)
    [row] = extract_pdf(tmp_path / "rules.pdf")
    assert row.text == "Segment \\overline{AB} has length - 3 units."
    assert (row.flags, engine.seen) == (["vector_math"], [])


def test_a_vector_fraction_keeps_the_superscripts_of_both_parts(tmp_path):
    layouts.vector_fraction(tmp_path / "fraction.pdf")
    with pymupdf.open(tmp_path / "fraction.pdf") as doc:
        holes = find_holes(read_layer(doc[0]))
    rule = 102  # the fraction bar's height on the page
    numerator = sorted((r for r in holes.runs if r.box[3] < rule), key=lambda r: r.box[0])
    denominator = sorted((r for r in holes.runs if r.box[1] > rule), key=lambda r: r.box[0])
    assert [r.level for r in numerator] == [0, 1, 0, 1, 0]  # a, 3, b, 3, +1
    assert [r.level for r in denominator] == [0, 1, 0, 1]  # a, 3, +b, 3
    [row] = extract_pdf(tmp_path / "fraction.pdf")
    assert row.text.splitlines()[0] == r"The maximum of \frac{a^{3}b^{3}+1}{a^{3}+b^{3}} is p over q."


def test_subscripts_of_a_vector_formula_are_told_from_descenders(tmp_path):
    layouts.vector_subscripts(tmp_path / "subscripts.pdf")
    [row] = extract_pdf(tmp_path / "subscripts.pdf")
    assert row.text.splitlines()[0] == "Suppose a_{k+1} = 2y + b_{n} for every k."


def test_a_display_fraction_holds_its_high_numerator_and_leaves_the_sign_after_it(tmp_path):
    layouts.vector_display_fraction(tmp_path / "display.pdf")
    with pymupdf.open(tmp_path / "display.pdf") as doc:
        holes = find_holes(read_layer(doc[0]))
    plus = min((r for r in holes.runs if r.box[1] < 100 < r.box[3]), key=lambda r: r.box[0])
    assert plus.level == 0  # on the base line, not a superscript of the fraction
    [row] = extract_pdf(tmp_path / "display.pdf")
    first = row.text.splitlines()[0]
    assert r"\frac{x" in first and "}{16}+ 1 = " in first


def test_a_cluster_taller_than_a_figure_is_a_formula_when_it_holds_a_fraction():
    body = 11.0
    # `\frac{1+\sqrt{2}}{2+\sqrt{3}}` set in display (vector fixture en02 #7): 3.04 body sizes tall
    numerator = [(110.2, 317.9, 113.3, 325.4), (117.2, 319.3, 123.6, 325.8), (127.6, 314.7, 137.0, 328.2)]
    denominator = [(109.3, 337.2, 114.2, 344.6), (117.2, 338.6, 123.6, 345.1), (127.6, 333.9, 137.0, 347.4)]
    bar = (108.9, 330.5, 144.8, 331.2)
    assert holds_fraction(numerator + denominator, [bar], body)
    assert not holds_fraction(numerator, [bar], body) and not holds_fraction(
        numerator + denominator, [], body
    )


def test_a_glyph_alone_is_told_by_its_shape_where_a_recognizer_guesses():
    body = 11.0
    # option A of the exact-truth `\left(\frac{1}{4}, \frac{1}{2}\right)` as vector outlines
    one, four = (92.7, 393.3, 95.8, 400.7), (91.6, 409.8, 96.6, 417.2)
    one_b, two = (104.5, 393.3, 107.6, 400.7), (103.6, 409.8, 108.5, 417.2)
    left, comma, right = (85.2, 393.3, 89.9, 417.2), (98.2, 407.8, 99.8, 410.5), (110.3, 393.3, 115.0, 417.2)
    bars = [(91.4, 405.8, 96.9, 406.5), (103.3, 405.8, 108.8, 406.5)]
    runs, found = formula_runs([one, four, one_b, two, left, comma, right], bars, body)
    known = {r.glyphs[0]: r.text for r in runs if len(r.glyphs) == 1}
    assert (known[left], known[comma], known[right]) == ("(", ",", ")") and found == bars
    assert known[one] is None and known[four] is None  # digits: the recognizer reads them
    bar = (112.0, 393.0, 112.8, 417.0)  # a hairline as tall: a vertical bar
    runs, _ = formula_runs([one, four, bar], bars[:1], body)
    assert [r.text for r in runs if r.glyphs == (bar,)] == ["|"]


def test_bars_drawn_as_hairline_rectangles_are_glyphs_of_the_formula(tmp_path):
    # TeX draws the bars of |x - 1| as filled rectangles: taken for markers, they were lost (`x - 1 = 3`)
    layouts.vector_absolute_value(tmp_path / "absolute.pdf")
    [row] = extract_pdf(tmp_path / "absolute.pdf")
    assert row.text.splitlines()[0] == "Suppose |x - 1| = 3 for some x."
