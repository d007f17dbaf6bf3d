"""Formulas embedded as images in a text layer are read in place; what cannot be read flags the page."""

from __future__ import annotations

import pymupdf

import ocr.extract
from ocr import Settings, extract_pdf
from ocr.formula_images import formula_images
from ocr.textlayer import read_layer
from tests.ocr import layouts
from tests.ocr.fakes import FakeEngine

SENTENCE = "Suppose that y = 3x^{2} + 7 holds for all x."


def test_a_formula_image_is_read_in_place_with_its_superscript(tmp_path):
    layouts.image_formulas(tmp_path / "doc.pdf")
    [row] = extract_pdf(tmp_path / "doc.pdf")
    assert row.text.splitlines()[0] == SENTENCE
    assert (row.method, row.engine, row.flags, row.notes) == (
        "text-layer",
        "pymupdf+rapidocr",
        ["formula_images"],
        [],
    )
    [line] = row.lines
    assert line.formula_image and line.text == "y = 3x^{2} + 7" and line.score > 0.8


def test_a_photo_the_size_of_a_formula_stays_out_of_the_text_and_flags_the_page(tmp_path):
    layouts.image_formulas(tmp_path / "doc.pdf", noise=True)
    [row] = extract_pdf(tmp_path / "doc.pdf")
    lines = row.text.splitlines()
    assert lines[0] == SENTENCE and lines[2].strip() == "A picture of it:"  # nothing read into it
    assert "math_lost" in row.flags
    assert row.notes == ["1 of 2 formula images unread (confidence under formula_floor=0.5)"]
    assert [line.formula_image for line in row.lines] == [True, True]


def test_figures_and_blank_images_are_not_read(tmp_path, monkeypatch):
    layouts.image_formulas(tmp_path / "doc.pdf", figure=True, spacer=True)
    with pymupdf.open(tmp_path / "doc.pdf") as doc:
        page = doc[0]
        found = formula_images([tuple(i["bbox"]) for i in page.get_image_info()], read_layer(page))
    assert (len(found.formulas), found.figures) == (2, 1)  # the formula and the spacer; the chart
    [row] = extract_pdf(tmp_path / "doc.pdf")
    assert row.text.splitlines()[0] == SENTENCE
    assert row.flags == ["figures", "formula_images"] and len(row.lines) == 1  # the spacer has no ink


def test_with_formula_images_off_or_too_many_the_page_says_why(tmp_path, monkeypatch):
    layouts.image_formulas(tmp_path / "doc.pdf")
    engine = FakeEngine()
    monkeypatch.setattr(ocr.extract, "get_engine", lambda config: engine)
    [off] = extract_pdf(tmp_path / "doc.pdf", Settings(formula_images=False))
    [many] = extract_pdf(tmp_path / "doc.pdf", Settings(max_formula_images=0))
    assert (off.flags, off.notes) == (["math_lost"], ["1 formula images not read (formula_images off)"])
    assert (many.flags, many.notes) == (["math_lost"], ["1 formula images > max_formula_images=0: not read"])
    assert engine.seen == [] and off.text.startswith("Suppose that holds")


def test_an_image_taller_than_a_row_of_text_is_a_formula_only_when_it_holds_a_fraction(tmp_path):
    layouts.image_formulas(tmp_path / "images.pdf")
    with pymupdf.open(tmp_path / "images.pdf") as doc:
        layer = read_layer(doc[0])
    body = layer.body_size
    left, top = layer.pieces[0].box[0], layer.pieces[0].box[1]
    tall = (left, top, left + 3 * body, top + 4 * body)  # a display fraction of roots, or a small figure
    taller = (left, top, left + 3 * body, top + 7 * body)
    asked = []

    def holds(box):
        asked.append(box)
        return True

    assert formula_images([tall], layer).formulas == []  # nothing read its ink: a figure
    assert formula_images([tall, taller], layer, holds).formulas == [tall]
    assert asked == [tall]  # too tall for a formula, whatever it holds
    assert formula_images([tall], layer, lambda box: False).figures == 1
