"""Small PDFs built for the layout tests: two columns, option rows, scripts, fractions, vector formulas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf


def two_columns(path: Path, rows: int = 6) -> None:
    """A full-width title, two columns of `rows` lines (L1.. and R1..), a full-width footer line."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 60), "Title spanning the whole width of the page, above both columns", fontsize=12)
    for i in range(rows):
        y = 100 + 16 * i
        page.insert_text((72, y), f"L{i + 1} left column text line that fills it", fontsize=10)
        page.insert_text((320, y + 3), f"R{i + 1} right column text, another line", fontsize=10)
    page.insert_text(
        (72, 130 + 16 * rows), "Footer line running across the whole width of the page as well", fontsize=12
    )
    doc.save(path)


def options(path: Path) -> None:
    """A question, four options on one row, a second question, options in a 2 x 2 grid, short lines."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "1. Which number below is the largest of the four given here?", fontsize=11)
    for i, option in enumerate(["A. 1", "B. 2", "C. 3", "D. 4"]):
        page.insert_text((72 + 120 * i, 92), option, fontsize=11)
    page.insert_text((72, 120), "2. Pick one.", fontsize=11)
    for row, pair in enumerate([("A. x", "B. y"), ("C. z", "D. w")]):
        for col, option in enumerate(pair):
            page.insert_text((72 + 240 * col, 140 + 20 * row), option, fontsize=11)
    page.insert_text((72, 200), "Answer: A", fontsize=11)
    page.insert_text((72, 220), "3. Next.", fontsize=11)
    doc.save(path)


def scripts_and_fraction(path: Path) -> None:
    """Superscripts and subscripts set by HTML, and a fraction: numerator, rule, denominator."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_htmlbox(
        pymupdf.Rect(72, 60, 520, 100),
        '<p style="font-size:12pt">Let x<sup>2</sup> + a<sub>n</sub> = y<sup>10</sup> hold.</p>',
    )
    page.insert_text((72, 150), "Then p =", fontsize=12)
    page.insert_text((129, 143), "3", fontsize=9)
    page.draw_line((126, 146), (137, 146), width=0.5)
    page.insert_text((129, 155), "4", fontsize=9)
    page.insert_text((142, 150), "of the total, as stated before.", fontsize=12)
    doc.save(path)


def _formula_page(
    path: Path, formula: pymupdf.Page, place: pymupdf.Rect, *texts: tuple[float, float, str]
) -> None:
    """A page with `formula` (a page set with real fonts) outlined into vector glyphs and shown at `place`,
    and lines of text (x, baseline y, text) around it."""
    outlined = pymupdf.open(stream=formula.get_svg_image(text_as_path=True).encode(), filetype="svg")
    vector = pymupdf.open("pdf", outlined.convert_to_pdf())
    doc = pymupdf.open()
    page = doc.new_page()
    for x, y, text in texts:
        page.insert_text((x, y), text, fontsize=14)
    page.show_pdf_page(place, vector, 0)
    doc.save(path)


def _html_formula(width: float, height: float, *parts: tuple[pymupdf.Rect, str]) -> pymupdf.Page:
    formula = pymupdf.open().new_page(width=width, height=height)
    for rect, html in parts:
        formula.insert_htmlbox(rect, f'<span style="font-size:14pt">{html}</span>')
    return formula


def vector_formula(path: Path) -> None:
    """Text with a formula drawn as vector glyphs in a gap of the line (as MathJax SVG output does)."""
    formula = _html_formula(200, 40, (pymupdf.Rect(0, 0, 200, 40), "y = 3x<sup>2</sup> + 7"))
    _formula_page(
        path,
        formula,
        pymupdf.Rect(160, 86, 360, 126),
        (72, 100, "Suppose that"),
        (250, 100, "holds for all x."),
        (72, 140, "Find the value of y when x equals four, please."),
    )


def vector_fraction(path: Path) -> None:
    """Text with a fraction drawn as vector glyphs, superscripts in both its parts (as in AIME 2015 II)."""
    formula = _html_formula(
        90,
        50,
        (pymupdf.Rect(4, 2, 90, 24), "a<sup>3</sup>b<sup>3</sup>+1"),
        (pymupdf.Rect(6, 23, 90, 48), "a<sup>3</sup>+b<sup>3</sup>"),
    )
    formula.draw_line((2, 22), (62, 22), width=0.6)
    _formula_page(
        path,
        formula,
        pymupdf.Rect(180, 80, 270, 130),
        (72, 100, "The maximum of"),
        (250, 106, "is p over q."),
        (72, 160, "Find p + q when both are relatively prime positive integers."),
    )


def vector_display_fraction(path: Path) -> None:
    """A display fraction drawn as vector glyphs: its numerator set high over the bar (further than a
    glyph's reach, as TeX sets `\\frac{x^2}{16}`), a sign close after it on the base line."""
    formula = _html_formula(
        120,
        70,
        (pymupdf.Rect(4, 9, 60, 33), "x<sup>2</sup>"),
        (pymupdf.Rect(3, 30.6, 60, 54.6), "16"),
        (pymupdf.Rect(17, 20, 120, 44), "+ 1 = z"),
    )
    formula.draw_line((2, 30), (19, 30), width=0.6)
    _formula_page(
        path,
        formula,
        pymupdf.Rect(180, 70, 300, 140),
        (72, 108, "Suppose that"),
        (305, 108, "holds."),
        (72, 170, "Find the value of z when x equals four, please."),
    )


def vector_subscripts(path: Path) -> None:
    """Text with a formula of subscripts and a letter with a descender drawn as vector glyphs."""
    formula = _html_formula(160, 30, (pymupdf.Rect(0, 0, 160, 30), "a<sub>k+1</sub> = 2y + b<sub>n</sub>"))
    _formula_page(
        path,
        formula,
        pymupdf.Rect(135, 86, 295, 116),
        (72, 100, "Suppose"),
        (260, 100, "for every k."),
        (72, 140, "Find the least value of n for which this holds, please."),
    )


def vector_absolute_value(path: Path) -> None:
    """Text with `|x - 1| = 3` drawn as vector glyphs, its bars as filled hairline rectangles (as TeX
    draws them)."""
    formula = _html_formula(120, 30, (pymupdf.Rect(6, 0, 120, 30), "x &minus; 1&nbsp;&nbsp; = 3"))
    for x in (3.5, 45.5):
        formula.draw_rect(pymupdf.Rect(x, 3.5, x + 0.8, 16.5), color=None, fill=(0, 0, 0), width=0)
    _formula_page(
        path,
        formula,
        pymupdf.Rect(150, 86, 270, 116),
        (72, 100, "Suppose"),
        (280, 100, "for some x."),
        (72, 140, "Find the sum of all such values of x, please."),
    )


def _png(page: pymupdf.Page, dpi: int = 300) -> bytes:
    return page.get_pixmap(dpi=dpi).tobytes("png")


def image_formulas(path: Path, *, noise: bool = False, figure: bool = False, spacer: bool = False) -> None:
    """Text with a formula embedded as an image in a gap of its line (as Word and Google Docs export it);
    with `noise`, a formula-sized image of random grey (a photo) in the next line; with `figure`, a tall
    image below the text; with `spacer`, a blank image between the lines."""
    formula = _html_formula(82, 22, (pymupdf.Rect(0, 0, 82, 22), "y = 3x<sup>2</sup> + 7"))
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Suppose that", fontsize=14)
    page.insert_image(pymupdf.Rect(162, 85, 244, 107), stream=_png(formula))
    page.insert_text((250, 100), "holds for all x.", fontsize=14)
    page.insert_text((72, 140), "Find the value of y when x equals four, please.", fontsize=14)
    if noise:
        rng = np.random.default_rng(0)
        pixels = rng.integers(0, 256, size=(40, 120), dtype=np.uint8)
        photo = pymupdf.Pixmap(pymupdf.csGRAY, 120, 40, pixels.tobytes(), False)
        page.insert_text((72, 180), "A picture of it:", fontsize=14)
        page.insert_image(pymupdf.Rect(190, 166, 310, 186), pixmap=photo)
        page.insert_text((72, 220), "And that is all there is to say about it.", fontsize=14)
    if spacer:
        blank = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 40, 10), False)
        blank.clear_with(255)
        page.insert_image(pymupdf.Rect(72, 112, 112, 120), pixmap=blank)
    if figure:
        chart = pymupdf.open().new_page(width=200, height=200)
        chart.draw_circle((100, 100), 80)
        chart.insert_text((90, 105), "O", fontsize=14)
        page.insert_image(pymupdf.Rect(72, 300, 272, 500), stream=_png(chart, 100))
    doc.save(path)
