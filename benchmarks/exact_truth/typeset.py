"""Items typeset into exam-like PDF pages, with real math typesetting, in the forms real material takes.

Text runs in PyMuPDF's fonts (Chinese characters in Droid Sans Fallback, the rest in Times); every
formula set by matplotlib's mathtext in STIX fonts (the look of a TeX paper; fractions in display
style, as exam papers set them), placed on the text's baseline, and written in one of three forms:

- ``text``: the formula's own PDF, its glyphs text in math fonts (what a TeX engine writes);
- ``images``: the formula as a 300 dpi PNG image (what Word and Google Docs exports hold);
- ``vector``: the formula's glyphs as vector outlines, with no text for them (AMC papers).

Lines are filled word by word (a Chinese character is a word) and break before a unit that does not fit;
a formula is never broken. Scans are made from the ``text`` form (``benchmarks.exact_truth.scan``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import pymupdf

from benchmarks.exact_truth.items import MATH, Item

PAGE = pymupdf.paper_rect("a4")
LEFT, RIGHT, TOP, BOTTOM = 56.0, 539.0, 64.0, 786.0
BODY = 11.0
LEADING = 5.0  # points between a line's lowest ink and the next line's highest
INDENT = 14.0  # options sit this far in
CJK_FONT, LATIN_FONT = "china-s", "tiro"
SECTIONS = {
    "zh": ("一、选择题：本题共{n}小题。", "二、填空题：本题共{n}小题。"),
    "en": ("Part I. Multiple choice ({n} questions)", "Part II. Short answer ({n} questions)"),
}
TITLES = {"zh": "数学试卷（精确真值样卷 {name}）", "en": "Mathematics paper (exact-truth sample {name})"}
CJK = "\u2150-\u218f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"  # with Roman numerals (第Ⅰ卷)
WORD = re.compile(f"[{CJK}]|[^\\s{CJK}]+\\s*|\\s+")
IS_CJK = re.compile(f"[{CJK}]")


class Form(StrEnum):
    TEXT = "text"
    IMAGES = "images"
    VECTOR = "vector"


@dataclass
class Formula:
    latex: str
    pdf: bytes  # one page, exactly the formula's box
    width: float
    height: float  # above the baseline
    depth: float  # below the baseline


@cache
def formula(latex: str, size: float = BODY) -> Formula:
    import matplotlib

    matplotlib.use("agg")
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    buffer = io.BytesIO()
    shown = re.sub(r"\\frac(?=\W)", r"\\dfrac", latex)
    with matplotlib.rc_context({"pdf.fonttype": 42, "mathtext.fontset": "stix"}):
        depth = mathtext.math_to_image(
            f"${shown}$", buffer, prop=FontProperties(size=size), dpi=72, format="pdf"
        )
    with pymupdf.open("pdf", buffer.getvalue()) as doc:
        rect = doc[0].rect
    return Formula(latex, buffer.getvalue(), rect.width, rect.height - depth, depth)


@cache
def _image(latex: str) -> bytes:
    with pymupdf.open("pdf", formula(latex).pdf) as doc:
        return doc[0].get_pixmap(dpi=300, colorspace=pymupdf.csGRAY).tobytes("png")


@cache
def _outlines(latex: str) -> bytes:
    with pymupdf.open("pdf", formula(latex).pdf) as doc:
        svg = doc[0].get_svg_image(text_as_path=True)
    with pymupdf.open(stream=svg.encode(), filetype="svg") as outlined:
        return outlined.convert_to_pdf()


@dataclass
class Unit:
    text: str = ""  # a word of text (with its trailing space), or
    math: Formula | None = None  # a formula
    width: float = 0.0
    font: str = LATIN_FONT


class Paper:
    """A PDF being written page by page, line by line."""

    def __init__(self, language: str, form: Form) -> None:
        self.language, self.form = language, form
        self.fonts = {name: pymupdf.Font(name) for name in (CJK_FONT, LATIN_FONT)}
        self.doc = pymupdf.open()
        self.page: pymupdf.Page | None = None
        self.y = BOTTOM  # the bottom of the last line set; a new page starts on the first line

    def units(self, text: str, size: float = BODY) -> list[Unit]:
        units, last = [], 0
        for match in MATH.finditer(text):
            units += self._words(text[last : match.start()], size)
            shape = formula(match.group(1), size)
            units.append(Unit(math=shape, width=shape.width))
            last = match.end()
        return units + self._words(text[last:], size)

    def _words(self, text: str, size: float) -> list[Unit]:
        units = []
        for word in WORD.findall(text):
            font = CJK_FONT if IS_CJK.match(word) else LATIN_FONT
            units.append(Unit(text=word, width=self.fonts[font].text_length(word, fontsize=size), font=font))
        return units

    def paragraph(self, text: str, indent: float = 0.0, size: float = BODY, hang: float = 0.0) -> None:
        """Set `text` from the left margin + `indent`, continuation lines indented by `hang` more."""
        line: list[Unit] = []
        x0 = LEFT + indent
        width = 0.0
        for unit in self.units(text, size):
            if line and width + unit.width > RIGHT - x0:
                self.set_line(line, x0, size)
                line, width, x0 = [], 0.0, LEFT + indent + hang
                if unit.text.isspace():
                    continue
            line.append(unit)
            width += unit.width
        if line:
            self.set_line(line, x0, size)

    def space(self, points: float) -> None:
        self.y += points

    def set_line(self, units: list[Unit], x: float, size: float = BODY) -> None:
        ascent = max([0.8 * size] + [u.math.height for u in units if u.math])
        descent = max([0.25 * size] + [u.math.depth for u in units if u.math])
        if self.page is None or self.y + LEADING + ascent + descent > BOTTOM:
            self.page = self.doc.new_page(width=PAGE.width, height=PAGE.height)
            self.y = TOP - LEADING
        baseline = self.y + LEADING + ascent
        for unit in units:
            if unit.math is not None:
                self._formula(unit.math, x, baseline)
            elif unit.text.strip():
                self.page.insert_text((x, baseline), unit.text, fontname=unit.font, fontsize=size)
            x += unit.width
        self.y = baseline + descent

    def _formula(self, shape: Formula, x: float, baseline: float) -> None:
        rect = pymupdf.Rect(x, baseline - shape.height, x + shape.width, baseline + shape.depth)
        if self.form is Form.IMAGES:
            self.page.insert_image(rect, stream=_image(shape.latex))
            return
        source = shape.pdf if self.form is Form.TEXT else _outlines(shape.latex)
        with pymupdf.open("pdf", source) as doc:
            self.page.show_pdf_page(rect, doc, 0)

    def save(self) -> bytes:
        data = self.doc.tobytes(garbage=3, deflate=True, no_new_id=True)
        self.doc.close()
        return data


def paper(name: str, items: list[Item], form: Form) -> bytes:
    """One exam paper: a title, the choice questions then the others under section headers, numbered
    from 1, options one a line."""
    language = items[0].language
    out = Paper(language, form)
    out.paragraph(TITLES[language].format(name=name), size=14)
    out.space(8)
    choice = [item for item in items if item.options]
    other = [item for item in items if not item.options]
    number = 0
    for header, group in zip(SECTIONS[language], (choice, other), strict=True):
        if not group:
            continue
        out.paragraph(header.format(n=len(group)))
        out.space(4)
        for item in group:
            number += 1
            out.paragraph(f"{number}. {item.question}", hang=INDENT)
            for letter, option in zip("ABCD", item.options, strict=False):
                out.paragraph(f"{letter}. {option}", indent=INDENT)
            out.space(6)
    return out.save()


def ordered(items: list[Item]) -> list[Item]:
    """The items in the order `paper` numbers them."""
    return [item for item in items if item.options] + [item for item in items if not item.options]
