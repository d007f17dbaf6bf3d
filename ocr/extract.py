"""PDF file -> one PageText per page: the text layer where it is usable, OCR where it is not.

A page with enough visible text is read from its text layer, inline math rebuilt from span geometry;
formulas drawn as vector graphics there are cut out and OCR'd one line at a time ("vector_math"),
formulas embedded as images are OCR'd in place ("formula_images"), and a page whose formulas could not
all be read is flagged "math_lost", with the reason in its notes. A page with too little text that shows
images or drawings (a scan, possibly under an invisible OCR layer) is rendered and OCR'd ("scanned").

Bad input never raises: an unreadable file gives a single error row (page 0), a page that fails gives an
error row for that page and the other pages go on. A misconfigured engine raises EngineUnavailable.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from os import PathLike
from pathlib import Path

import cv2
import numpy as np
import pymupdf

from ocr.engines import EngineConfig, OcrEngine, get_engine, render_dpi
from ocr.formula_images import formula_images, has_ink, ink_accents, ink_boxes
from ocr.guard import BadInput, Limits, check_images, check_page, open_pdf
from ocr.inline_math import (
    Box,
    Piece,
    baseline_scripts,
    dash_ones,
    glyph_subscripts,
    line_names,
    small_if_small,
    split_around,
    stack_cases,
    stack_fractions,
    stack_on_bars,
    unicode_scripts,
)
from ocr.marks import Mark
from ocr.reading_order import reading_order
from ocr.render import MIN_DPI, fitting_dpi, render
from ocr.textlayer import Layer, is_usable, read_layer, text_of
from ocr.types import OcrLine, PageText
from ocr.uncovered import MARGIN, FractionBar, covered_print, cut_at, fraction_bars, uncovered_marks
from ocr.vector_math import (
    Holes,
    Run,
    decorates,
    find_holes,
    formula_runs,
    glyph_baseline,
    holds_fraction,
    symbols,
)
from ocr.watermark import PRINT, watermark_lines, without_watermark

TEXT_LAYER_ENGINE = "pymupdf"
EXTRACTOR_VERSION = 31  # bump when the same input and settings give different text
# CJK characters a Chinese recognizer reads for lone operators (a formula run of nothing else)
LOOK_ALIKES = str.maketrans({"十": "+", "一": "-", "二": "="})
NEVER_RAISED = {"¬"}  # signs set at the math axis: a run of one read raised is on the base line
FIGURE_LABELS = re.compile(r"(?:[A-Z][′']?\s*){1,4}")  # a row of a figure's point labels
SAME_LINE = 0.3  # of the smaller box: two reads' lines that overlap this much are one line
FORMULA_PADDING = 0.15  # body sizes of margin around a formula run cut out for OCR
LINE_BODY = 1.33  # body sizes: the height of a text detector's line box
MAX_FORMULA_GLYPHS = 200  # pieces of ink: an image with more is a picture, not a formula
ONE_ROW = 1.5  # body sizes: a formula image no taller is one row, read without line detection


@dataclass(frozen=True)
class Settings:
    """How pages are read. `formula_dpi` renders vector-drawn formulas (small crops: a high resolution);
    `drop_watermarks` drops scanned lines printed in faint grey and reads their page again without the
    watermark (see ocr/watermark.py); `read_uncovered` reads, one by one, the pieces of print on a scanned
    page that no detected line covers (see ocr/uncovered.py). `formula_images` OCRs the formulas embedded
    as images in a text layer (ocr/formula_images.py): one read under `formula_floor` stays out of the
    text and flags the page, as does a page with more than `max_formula_images` of them."""

    engine: EngineConfig = field(default_factory=EngineConfig)
    min_text_chars: int = 20
    low_confidence: float = 0.8
    vector_math: bool = True
    formula_dpi: int = 288
    formula_images: bool = True
    formula_floor: float = 0.5
    max_formula_images: int = 400
    drop_watermarks: bool = True
    read_uncovered: bool = True
    limits: Limits = field(default_factory=Limits)

    def key(self) -> str:
        """Names everything that decides the output, for caches: extractor, engine and its configuration."""
        fields = {k: v for k, v in asdict(self).items() if k != "engine"}
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:8]
        return f"x{EXTRACTOR_VERSION}-{self.engine.key()}-{digest}"


@cache
def engine_version(name: str) -> str:
    """Version of the package behind an engine name ("pymupdf", "rapidocr", ...); "" for none."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def error_row(page: int, engine: str, reason: str) -> PageText:
    return PageText(
        page=page,
        text="",
        method="error",
        engine=engine,
        engine_version=engine_version(engine),
        confidence=0.0,
        error=reason,
    )


def page_count(path: str | PathLike[str], limits: Limits | None = None) -> int | PageText:
    """Number of pages of a PDF, or the file-level error row (page 0) saying why it cannot be read."""
    try:
        with open_pdf(Path(path), limits or Limits()) as doc:
            return doc.page_count
    except BadInput as exc:
        return error_row(0, TEXT_LAYER_ENGINE, str(exc))


def extract_pdf(
    path: str | PathLike[str], settings: Settings | None = None, pages: Iterable[int] | None = None
) -> list[PageText]:
    """Text of every page of a PDF (or of the 1-based `pages` only)."""
    settings = settings or Settings()
    try:
        doc = open_pdf(Path(path), settings.limits)
    except BadInput as exc:
        return [error_row(0, TEXT_LAYER_ENGINE, str(exc))]
    with doc:
        numbers = range(1, doc.page_count + 1) if pages is None else pages
        rows = [read_page(doc, number, settings) for number in numbers]
        if doc.is_repaired:  # MuPDF rebuilt a broken cross-reference table: the text may be incomplete
            for row in rows:
                row.flags.append("repaired")
    return rows


def read_page(doc: pymupdf.Document, number: int, settings: Settings) -> PageText:
    """PageText of the 1-based page `number`; an error row if it cannot be read."""
    if not 1 <= number <= doc.page_count:
        return error_row(number, TEXT_LAYER_ENGINE, f"no page {number}: the PDF has {doc.page_count} pages")
    try:
        page = doc.load_page(number - 1)
        check_page(page, settings.limits)
        layer = read_layer(page)
        text = text_of(layer.pieces, layer.rules())
        scanned = not is_usable(text, settings.min_text_chars) and bool(
            layer.drawings or layer.unmapped or page.get_images()
        )
        image_boxes = (
            [tuple(i["bbox"]) for i in page.get_image_info()] if not scanned and page.get_images() else []
        )
        if scanned or layer.drawings or layer.unmapped or image_boxes:
            check_images(page, settings.limits)  # before anything is rendered
    except BadInput as exc:
        return error_row(number, TEXT_LAYER_ENGINE, str(exc))
    except Exception as exc:
        return error_row(number, TEXT_LAYER_ENGINE, f"cannot read page: {type(exc).__name__}: {exc}")
    if scanned:
        return _ocr_page(page, settings)
    flags = [] if text else ["empty"]
    row = PageText(
        page=number,
        text=text,
        method="text-layer",
        engine=TEXT_LAYER_ENGINE,
        engine_version=engine_version(TEXT_LAYER_ENGINE),
        confidence=1.0,
        flags=flags,
    )
    if layer.drawings or layer.unmapped or image_boxes:
        _recover_math(page, layer, image_boxes, row, settings)
    return row


def _may_hold_images(page: pymupdf.Page) -> bool:
    """Whether the page's resources name any XObject (an image, or a form that may hold one): looking for
    the images themselves costs a pass over the page, this one lookup does not."""
    doc = page.parent
    kind, value = doc.xref_get_key(page.xref, "Resources")
    if kind == "xref":
        value = doc.xref_object(int(value.split()[0]))
    return kind == "null" or "/XObject" in value  # resources inherited from the page tree: look


def _ocr_page(page: pymupdf.Page, settings: Settings) -> PageText:
    """The whole page rendered and OCR'd ("scanned"): lines in reading order, one text line per row."""
    number = page.number + 1
    dpi = fitting_dpi(page.rect, render_dpi(settings.engine), settings.limits.max_pixels)
    if dpi < MIN_DPI:
        return error_row(
            number, TEXT_LAYER_ENGINE, f"page too large to render within max_pixels ({page.rect})"
        )
    engine = get_engine(settings.engine)
    image = render(page, dpi)
    try:
        lines = engine.recognize(image)
        read, bars = image, []
        watermarked = settings.drop_watermarks and any(_watermark_lines(image, lines))
        if watermarked:  # read again without it; what is left of it is still dropped
            read = without_watermark(image)
            lines = _missed(lines, engine.recognize(read, ink=image))
            lines = [
                line for line, drop in zip(lines, _watermark_lines(image, lines), strict=True) if not drop
            ]
        if settings.read_uncovered:
            bars = fraction_bars(read[:, :, 0], [line.box for line in lines])
            lines = _beside_fractions(engine, read, lines, bars, ink=image)
            lines += _uncovered_lines(engine, read, lines, settings.low_confidence, image, bars)
    except Exception as exc:
        return error_row(number, settings.engine.name, f"OCR failed: {type(exc).__name__}: {exc}")
    scale = 72.0 / dpi
    for line in lines:
        line.box = [round(v * scale, 2) for v in line.box]
        line.low_confidence = line.score < settings.low_confidence
    text = scanned_text(lines, [tuple(v * scale for v in bar.box) for bar in bars])
    lines = [lines[i] for row in reading_order([line.box for line in lines]) for i in row]
    confidence = float(np.mean([line.score for line in lines])) if lines else 0.0
    flags = ["scanned"]
    if not lines:
        flags.append("empty")
    elif confidence < settings.low_confidence:
        flags.append("low_confidence")
    if dpi < render_dpi(settings.engine):
        flags.append("downscaled")
    if watermarked:
        flags.append("watermark")
    return PageText(
        page=number,
        text=text,
        method="ocr",
        engine=engine.name,
        engine_version=engine.version(),
        confidence=round(confidence, 4),
        flags=flags,
        lines=lines,
    )


def scanned_text(lines: list[OcrLine], bars: Sequence[Box] = ()) -> str:
    """The text of a scanned page's lines (boxes in points): stacked cases and fractions put together
    (around the fraction `bars` seen on the page, then where parts stack without one), scripts in LaTeX,
    rows in reading order, one row a line; the point labels of figures left out."""
    cases = stack_cases(
        [
            Piece(
                dash_ones(line_names(unicode_scripts(line.text))),
                tuple(line.box),
                line.box[3] - line.box[1],
                line.box[3],
            )
            for line in lines
        ]
    )
    pieces = stack_fractions(stack_on_bars(cases, bars))
    rows = [" ".join(pieces[i].text for i in row) for row in reading_order([p.box for p in pieces])]
    return "\n".join(_without_figure_labels(rows))


def _without_figure_labels(rows: list[str]) -> list[str]:
    """Rows less the runs of two or more that hold only capital letters: the labels of a figure's points
    (`P`, `E`, `B C`), which would otherwise split a question's text."""
    labels = [FIGURE_LABELS.fullmatch(row.strip()) is not None for row in rows]
    return [
        row
        for i, row in enumerate(rows)
        if not (labels[i] and ((i > 0 and labels[i - 1]) or (i + 1 < len(rows) and labels[i + 1])))
    ]


def _missed(first: list[OcrLine], again: list[OcrLine]) -> list[OcrLine]:
    """The lines of a second read, and those of the first that it missed: washing a watermark out also
    lightens small print, and the detector may then miss a fraction's numerator it found before. A line
    of the first read that overlaps one of the second by SAME_LINE of the smaller box is the same line."""

    def overlap(a: list[float], b: list[float]) -> float:
        width, height = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
        smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
        return max(width, 0) * max(height, 0) / smaller if smaller > 0 else 0.0

    missed = [line for line in first if not any(overlap(line.box, o.box) >= SAME_LINE for o in again)]
    return again + missed


def _uncovered_lines(
    engine: OcrEngine,
    image: np.ndarray,
    lines: list[OcrLine],
    min_score: float,
    ink: np.ndarray,
    bars: Sequence[FractionBar] = (),
) -> list[OcrLine]:
    """The pieces of print that no line covers (ocr/uncovered.py), each read on its own with the lines'
    print whited out around it, its scripts read from `ink` (the page as scanned); kept when read with at
    least `min_score`."""
    boxes = [tuple(line.box) for line in lines]
    covered = covered_print(image[:, :, 0], boxes)
    marks = uncovered_marks(image[:, :, 0], boxes, bars, covered)
    if not marks:
        return []
    masked, masked_ink = image.copy(), ink.copy()
    covered = cv2.dilate(covered.astype(np.uint8), np.ones((3, 3), np.uint8)) == 1  # and their grey edges
    masked[covered] = 255
    masked_ink[covered] = 255
    height = float(np.median([box[3] - box[1] for box in boxes]))
    pad = int(FORMULA_PADDING * height)
    found = []
    for x0, y0, x1, y1 in marks:
        tall = y1 - y0
        x0, y0, x1, y1 = max(x0 - pad, 0), max(y0 - pad, 0), x1 + pad, y1 + pad
        text, score = engine.read_line(masked[y0:y1, x0:x1], scripts=True, ink=masked_ink[y0:y1, x0:x1])
        text = small_if_small(text, tall, height / LINE_BODY)  # `z` over a bar, read alone: `Z`
        if text.strip() and score >= min_score:  # boxed as read: with a margin, as a detector boxes a line
            box = [float(x0), float(y0), float(min(x1, image.shape[1])), float(min(y1, image.shape[0]))]
            found.append(OcrLine(text=text, box=box, score=score, uncovered=True))
    return found


def _beside_fractions(
    engine: OcrEngine, image: np.ndarray, lines: list[OcrLine], bars: list[FractionBar], ink: np.ndarray
) -> list[OcrLine]:
    """`lines`, where one holds more than a fraction's part (ocr/uncovered.cut_at: the detector drew one
    box over `6cos(\\frac{\\pi}{2}` and read `6cos(π 2`), replaced by the print beside the bars, each
    stretch read as a line of its own; the bars' columns are then uncovered, and their parts read there
    (ocr/uncovered.py)."""
    if not bars:
        return lines
    gray = image[:, :, 0]
    height = float(np.median([line.box[3] - line.box[1] for line in lines]))
    pad = int(FORMULA_PADDING * height)
    kept = []
    for line in lines:
        spans = sorted(
            (int(bar.box[0]) - MARGIN - 1, int(bar.box[2]) + MARGIN + 1)
            for bar in bars
            if cut_at(line.box, bar, height)
        )
        if not spans:
            kept.append(line)
            continue
        x0, y0, x1, y1 = (max(int(v), 0) for v in line.box)
        edges = [x0, *(edge for span in spans for edge in span), x1]
        for left, right in zip(edges[::2], edges[1::2], strict=True):
            rows = np.flatnonzero((gray[y0:y1, left:right] < PRINT).any(axis=1)) if right > left else []
            if len(rows) == 0:
                continue
            top, bottom = max(y0 + rows[0] - pad, 0), y0 + rows[-1] + 1 + pad
            text, score = engine.read_line(
                image[top:bottom, left:right], scripts=True, ink=ink[top:bottom, left:right]
            )
            if text.strip():
                box = [float(left), float(top), float(right), float(bottom)]
                kept.append(OcrLine(text=text, box=box, score=score))
    return kept


def _watermark_lines(image: np.ndarray, lines: list[OcrLine]) -> list[bool]:
    return watermark_lines(image[:, :, 0], [line.box for line in lines], [line.text for line in lines])


def _recover_math(
    page: pymupdf.Page, layer: Layer, image_boxes: list[Box], row: PageText, settings: Settings
) -> None:
    """OCR the formulas the text layer lacks (drawn as vector graphics, embedded as images) and rebuild
    the page text with them in place; flag "math_lost", saying why in the notes, for what is not read."""
    holes = find_holes(layer, cut=settings.vector_math) if layer.drawings or layer.unmapped else Holes([], 0)
    images = formula_images(image_boxes, layer, lambda box: _image_holds_fraction(page, box, layer, settings))
    if holes.figures or images.figures:
        row.flags.append("figures")
    lost: list[str] = []
    if holes.runs and not settings.vector_math:
        lost.append("formulas drawn as graphics not read (vector_math off)")
    if images.formulas and not settings.formula_images:
        lost.append(f"{len(images.formulas)} formula images not read (formula_images off)")
    elif len(images.formulas) > settings.max_formula_images:
        lost.append(
            f"{len(images.formulas)} formula images > max_formula_images={settings.max_formula_images}: not read"
        )
    read_runs = bool(holes.runs) and settings.vector_math
    read_images = (
        bool(images.formulas)
        and settings.formula_images
        and len(images.formulas) <= settings.max_formula_images
    )
    pieces: list[Piece] = []
    lines: list[OcrLine] = []
    if read_images and not any(piece.chars for piece in layer.pieces):  # a formula image in a gap of a
        layer = read_layer(page, chars=True)  # span goes into the gap: the span's character boxes say where
    if read_runs or read_images:
        engine = get_engine(settings.engine)
        try:
            if read_runs:
                run_pieces, run_lines = _read_runs(page, engine, holes.runs, layer.body_size, settings)
                pieces, lines = pieces + run_pieces, lines + run_lines
                row.flags.append("vector_math")
                if any(not line.text for line in run_lines):
                    lost.append(f"{sum(not line.text for line in run_lines)} vector formula parts unread")
            if read_images:
                image_pieces, image_lines = _read_images(page, engine, images.formulas, layer, settings)
                pieces, lines = pieces + image_pieces, lines + image_lines
                row.flags.append("formula_images")
                unread = len(image_lines) - len(image_pieces)
                if unread:
                    lost.append(
                        f"{unread} of {len(image_lines)} formula images unread "
                        f"(confidence under formula_floor={settings.formula_floor})"
                    )
        except Exception as exc:  # the text layer stays; its math is lost
            lost.append(f"formula OCR failed: {type(exc).__name__}: {exc}")
            pieces, lines = [], []
        if lines:
            rules = [rule for rule in layer.rules() if rule not in holes.strokes]  # bars stay, minus signs go
            row.text = text_of(split_around(layer.pieces, [p.box for p in pieces]) + pieces, rules)
            row.lines = lines
            row.engine = f"{TEXT_LAYER_ENGINE}+{engine.name}"
            row.engine_version = f"{row.engine_version}+{engine.version()}"
            row.confidence = round(float(np.mean([line.score for line in lines])), 4)
    if lost:
        row.flags.append("math_lost")
        row.notes += lost
    if any(line.low_confidence for line in lines):
        row.flags.append("low_confidence")


def _read_runs(
    page: pymupdf.Page, engine: OcrEngine, runs: list[Run], body: float, settings: Settings
) -> tuple[list[Piece], list[OcrLine]]:
    """Each run cut out of the page and read as one line: pieces for the text, lines for the record."""
    pad = FORMULA_PADDING * body
    pieces, lines = [], []
    for run in runs:
        x0, y0, x1, y1 = run.box
        clip = pymupdf.Rect(x0 - pad / 3, y0 - pad, x1 + pad / 3, y1 + pad) & page.rect
        dpi = fitting_dpi(clip, settings.formula_dpi, settings.limits.max_pixels)
        if run.text is None:
            text, score = engine.read_line(render(page, dpi, clip))
            text = _plain(text)
            if run.level == 0:
                text = glyph_subscripts(text, run.glyphs, _accents(page, dpi, clip, run.glyphs, body))
            if len(run.glyphs) == 1:
                text = small_if_small(_corner(text, run.glyphs[0]), run.glyphs[0][3] - run.glyphs[0][1], body)
        else:
            text, score = run.text, 1.0
        box = [round(v, 2) for v in run.box]
        lines.append(
            OcrLine(text=text, box=box, score=round(score, 4), low_confidence=score < settings.low_confidence)
        )
        if text:
            level = 0 if text in NEVER_RAISED else run.level
            pieces.append(Piece(text, run.box, body, y1, level=level))
    return pieces, lines


def _corner(text: str, glyph: Box) -> str:
    """A glyph read as the corner bracket 」, which no formula holds, told by its shape: a wide one is the
    sign ¬, a tall one the floor bracket ⌋."""
    if text != "」":
        return text
    return "¬" if glyph[2] - glyph[0] > glyph[3] - glyph[1] else "⌋"


def _accents(
    page: pymupdf.Page, dpi: int, clip: pymupdf.Rect, glyphs: Sequence[Box], body: float
) -> dict[Box, Mark]:
    """The accents over a formula's glyphs (ocr/marks.py), read on the page around it: a body size higher
    than its own clip, so that a fraction's bar over its denominator shows its numerator over it."""
    around = pymupdf.Rect(clip.x0, clip.y0 - body, clip.x1, clip.y1) & page.rect
    return ink_accents(render(page, dpi, around), (around.x0, around.y0), 72.0 / dpi, glyphs)


def _row_baseline(box: Box, pieces: list[Piece]) -> float | None:
    """The baseline of the text row an inline image sits in: that of the nearest text beside it."""
    beside = [p for p in pieces if p.box[1] < box[3] and box[1] < p.box[3] and p.text.strip()]
    near = min(beside, key=lambda p: max(p.box[0] - box[2], box[0] - p.box[2], 0.0), default=None)
    return None if near is None else near.baseline


def _plain(text: str) -> str:
    """A recognizer's reading of a formula cleaned: look-alikes put back, Unicode scripts as LaTeX."""
    return unicode_scripts(_unlook_alike(text.strip()))


def _unlook_alike(text: str) -> str:
    """Operators read as CJK look-alikes put back, when the run holds no other CJK character."""
    mapped = text.translate(LOOK_ALIKES)
    return mapped if not any("\u4e00" <= char <= "\u9fff" for char in mapped) else text


def _image_holds_fraction(page: pymupdf.Page, box: Box, layer: Layer, settings: Settings) -> bool:
    clip = pymupdf.Rect(box) & page.rect
    dpi = fitting_dpi(clip, settings.formula_dpi, settings.limits.max_pixels)
    glyphs, rules = ink_boxes(render(page, dpi, clip), (clip.x0, clip.y0), 72.0 / dpi)
    return len(glyphs) + len(rules) <= MAX_FORMULA_GLYPHS and holds_fraction(glyphs, rules, layer.body_size)


def _read_images(
    page: pymupdf.Page, engine: OcrEngine, boxes: list[Box], layer: Layer, settings: Settings
) -> tuple[list[Piece], list[OcrLine]]:
    """Each formula image rendered with a white margin and read in place: one no taller than a row as one
    line (scripts from the ink), a taller one taken apart by its ink and read run by run like a formula
    drawn as outlines (fractions stacked), its rows joined into one. Blank images are skipped; one read under
    `formula_floor` gets a line (for the record) but no piece (the text does not take it)."""
    body = layer.body_size
    pieces, lines = [], []
    for box in boxes:
        clip = pymupdf.Rect(box) & page.rect
        dpi = fitting_dpi(clip, settings.formula_dpi, settings.limits.max_pixels)
        crop = render(page, dpi, clip)
        if not has_ink(crop):
            continue
        margin = round(2 * FORMULA_PADDING * body * dpi / 72)
        padded = np.pad(crop, ((margin, margin), (margin, margin), (0, 0)), constant_values=255)
        text, score = "", 0.0
        glyphs, rules = ink_boxes(crop, (clip.x0, clip.y0), 72.0 / dpi)
        if len(glyphs) + len(rules) > MAX_FORMULA_GLYPHS:  # a photo or a drawing: nothing to read
            glyphs, rules = [], []
        shapes, strokes = symbols(glyphs, rules, body)
        baseline = _row_baseline(box, layer.pieces)
        if baseline is None and shapes:  # a row of its own: its glyphs' baseline
            baseline = glyph_baseline(shapes)
        if clip.height <= ONE_ROW * body and baseline is not None:  # scripts by the row's baseline
            flat, score = engine.read_line(padded)
            strokes = [r for r in strokes if not decorates([r], shapes, body)]  # an overline is no character
            accents = _accents(page, dpi, clip, shapes, body)
            scripted = baseline_scripts(
                _unlook_alike(flat.strip()), shapes + strokes, baseline, body, accents
            )
            text = unicode_scripts(scripted or "")  # a script the recognizer saw (`y²`) stays one
        elif clip.height > ONE_ROW * body:  # a stack: read like a formula drawn as outlines
            runs, bars = formula_runs(glyphs, rules, body)
            run_pieces, run_lines = _read_runs(page, engine, runs, body, settings)
            if run_pieces:
                text = " ".join(text_of(run_pieces, bars).split("\n"))
                score = min(line.score for line in run_lines)
        if not text:  # one row, scripts from the ink
            text, score = engine.read_line(padded, scripts=True)
            text = _plain(text)
        lines.append(
            OcrLine(
                text=text,
                box=[round(v, 2) for v in box],
                score=round(score, 4),
                low_confidence=score < settings.low_confidence,
                formula_image=True,
            )
        )
        if text and score >= settings.formula_floor:
            pieces.append(Piece(text, tuple(box), body, box[3], level=0))
    return pieces, lines
