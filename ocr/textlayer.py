"""The text layer of a PDF page (PyMuPDF), read once with its vector drawings, and turned into text.

One text extraction gives the spans (text, box, size, baseline, superscript flag) and, with
TEXT_COLLECT_VECTORS, the drawings (fraction rules, vector-drawn glyphs) at no extra cost; images are not
decoded. A page with math gets a second extraction with character boxes. Invisible text (a scanner's OCR layer, alpha 0) is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import median

import pymupdf

from ocr.accents import ARROWS, MARKS, arrows_over, overlines, place_marks
from ocr.inline_math import SMALLER, Box, Piece, merge_fractions, row_text, settle_delimiters
from ocr.reading_order import reading_order

FLAGS = (pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES) | pymupdf.TEXT_COLLECT_VECTORS
LIGHT = 0xD0  # a drawing whose every channel is at least this light is background, not ink
RULE_MAX_HEIGHT = 1.6  # points: a thin horizontal rectangle is a rule (fraction bar, separator)
UNMAPPED = "\ufffd"
BASELINE_SLACK = 0.15  # font sizes: glyphs of a span whose baselines differ more are cut apart
GLYPH_SIZED = 30.0  # points: a drawing no larger may be a glyph of a formula drawn as vector graphics
LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})


@dataclass
class Drawing:
    box: Box
    is_rule: bool  # a thin horizontal rectangle or line: fraction bar, minus, underline, separator
    is_rect: bool = False  # an axis-aligned rectangle (a legend marker, a box), not a glyph outline


@dataclass
class Layer:
    """What the text layer of one page holds."""

    pieces: list[Piece] = field(default_factory=list)  # visible spans with readable text
    ink: list[Box] = field(default_factory=list)  # boxes of visible words (only with glyph-sized drawings)
    unmapped: list[Box] = field(default_factory=list)  # spans whose glyphs have no Unicode (U+FFFD)
    drawings: list[Drawing] = field(default_factory=list)  # dark vector drawings

    @property
    def body_size(self) -> float:
        """The font size of most characters (10 pt when there is no text)."""
        return most_common_size((round(p.size), len(p.text)) for p in self.pieces) or 10.0

    def rules(self) -> list[Box]:
        return [d.box for d in self.drawings if d.is_rule]


def read_layer(page: pymupdf.Page, chars: bool = False) -> Layer:
    """Spans and drawings of the page from one text extraction; on a page with glyph-sized drawings, rules
    or inline math (`_has_math`), or with `chars`, the spans with their character boxes from a second one
    (to cut a span around a formula put back in its gap or where its baseline changes, to place an accent
    over its letter). Where glyph-sized drawings exist (a formula may be drawn in a gap of a span), the
    boxes of visible words are kept as `ink`."""
    layer = Layer()
    page_area = page.rect.width * page.rect.height
    textpage = page.get_textpage(flags=FLAGS)
    blocks = textpage.extractDICT()["blocks"]
    for block in blocks:
        if block["type"] == 3:
            x0, y0, x1, y1 = block["bbox"]
            if _is_light(block["color"]) or (x1 - x0) * (y1 - y0) > 0.25 * page_area:
                continue  # backgrounds, light separators, page frames
            is_rule = y1 - y0 <= RULE_MAX_HEIGHT and x1 - x0 > 3 * (y1 - y0)
            layer.drawings.append(Drawing(tuple(block["bbox"]), is_rule, bool(block["isrect"])))
    glyph_sized = any(
        not d.is_rule and max(d.box[2] - d.box[0], d.box[3] - d.box[1]) <= GLYPH_SIZED for d in layer.drawings
    )
    if chars or glyph_sized or layer.rules() or _has_math(blocks):  # character boxes: a slower extraction
        blocks = textpage.extractRAWDICT()["blocks"]
    hidden: list[Box] = []
    for block in blocks:
        for line in block.get("lines", []):
            for span in line["spans"]:
                if span.get("alpha", 255) == 0:
                    hidden.append(tuple(span["bbox"]))  # invisible: a scanner's own OCR layer, not trusted
                else:
                    _add_span(layer, span)
    if glyph_sized:
        layer.ink = [
            tuple(word[:4])
            for word in textpage.extractWORDS()
            if UNMAPPED not in word[4] and not any(_inside(word[:4], box) for box in hidden)
        ]
    return layer


def most_common_size(sized: Iterable[tuple[float, int]]) -> float:
    """The size that carries the most characters, of (size, characters) pairs (0.0 for none)."""
    weights: dict[float, int] = {}
    for size, count in sized:
        weights[size] = weights.get(size, 0) + count
    return float(max(weights, key=weights.__getitem__)) if weights else 0.0


def _has_math(blocks: list[dict]) -> bool:
    """Whether the spans hint at inline math that needs character boxes: a combining accent or an arrow,
    or text set smaller than most of the page's (a script)."""
    spans = [span for block in blocks for line in block.get("lines", []) for span in line["spans"]]
    if any(mark in span["text"] for span in spans for mark in (*MARKS, *ARROWS)):
        return True
    sizes = {round(span["size"], 1) for span in spans}
    body = most_common_size((round(span["size"], 1), len(span["text"])) for span in spans)
    return any(size < SMALLER * body for size in sizes)


def _inside(box: Sequence[float], outer: Box) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return outer[0] <= x <= outer[2] and outer[1] <= y <= outer[3]


def _add_span(layer: Layer, span: dict) -> None:
    """A visible span as Pieces (typeset ligatures spelled out: "ﬁnd" is "find"), or as unmapped glyphs.
    MuPDF may put glyphs of two baselines in one span (a numerator after a comma of the row, a space it
    put in a gap on a subscript's baseline): the span is cut where the baseline of its glyphs changes,
    and each piece is boxed by its glyphs, its spaces left out."""
    chars = span.get("chars") or ()
    text = (span["text"] if not chars else "".join(char["c"] for char in chars)).translate(LIGATURES)
    if not text.strip():
        return
    if UNMAPPED in text:
        layer.unmapped.append(tuple(span["bbox"]))
        return
    superscript = bool(span["flags"] & pymupdf.TEXT_FONT_SUPERSCRIPT)
    if not chars:
        layer.pieces.append(Piece(text, tuple(span["bbox"]), span["size"], span["origin"][1], superscript))
        return
    for run in _same_baseline(chars, span["size"]):
        ink = [c for c in run if not c["c"].isspace()] or run
        box = (
            min(c["bbox"][0] for c in ink),
            min(c["bbox"][1] for c in ink),
            max(c["bbox"][2] for c in ink),
            max(c["bbox"][3] for c in ink),
        )
        layer.pieces.append(
            Piece(
                "".join(c["c"] for c in run).translate(LIGATURES),
                box,
                span["size"],
                median(c["origin"][1] for c in ink),
                superscript=superscript,
                chars=tuple((c["c"].translate(LIGATURES), c["bbox"][0], c["bbox"][2]) for c in run),
            )
        )


def _same_baseline(chars: list[dict], size: float) -> list[list[dict]]:
    """The span's characters in runs of one baseline (a space goes with the run before it)."""
    runs: list[list[dict]] = []
    baseline = None
    for char in chars:
        if char["c"].isspace() or (
            baseline is not None and abs(char["origin"][1] - baseline) <= BASELINE_SLACK * size
        ):
            if runs:
                runs[-1].append(char)
            else:
                runs.append([char])
            continue
        if baseline is None and runs:
            runs[-1].append(char)
        else:
            runs.append([char])
        baseline = char["origin"][1]
    return [run for run in runs if any(not c["c"].isspace() for c in run)]


def text_of(pieces: list[Piece], rules: list[Box]) -> str:
    """Pieces as text in reading order, one row a line, inline math as LaTeX."""
    pieces = arrows_over(place_marks(overlines(settle_delimiters(merge_fractions(pieces, rules)), rules)))
    rows = reading_order([p.box for p in pieces])
    return "\n".join(filter(None, (row_text([pieces[i] for i in row]) for row in rows)))


def meaningful_chars(text: str) -> int:
    """Characters that carry content: not whitespace, not U+FFFD (unmapped glyph), not private use."""
    return sum(
        1 for char in text if not char.isspace() and char != UNMAPPED and not "\ue000" <= char <= "\uf8ff"
    )


def is_usable(text: str, min_chars: int = 20) -> bool:
    """Whether a page's text layer has enough real text to skip OCR."""
    return meaningful_chars(text) >= min_chars


def _is_light(color: int | None) -> bool:
    if color is None:
        return False
    return all((color >> shift) & 0xFF >= LIGHT for shift in (16, 8, 0))
