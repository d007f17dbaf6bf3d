"""rapidocr 3.x: PP-OCR ONNX models bundled in its wheel (no download); the default engine."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from ocr.engines import EngineUnavailable
from ocr.glyphs import Glyph
from ocr.scripts import LineInk, Sizes, line_ink, page_sizes, raise_scripts
from ocr.subscripts import lost_ones
from ocr.types import OcrLine

READ_FLOOR = 0.8  # a dropped script read on its own below this score is left out
MAX_SLANT = 10.0  # degrees: text set at a steeper angle is a watermark, not content


def _slant(quad: np.ndarray) -> float:
    """Angle of a detected box's top edge (corners clockwise from top-left), in degrees."""
    (x0, y0), (x1, y1) = quad[0], quad[1]
    return float(np.degrees(np.arctan2(y1 - y0, max(x1 - x0, 1e-6))))


def _bounds(quad: np.ndarray) -> tuple[float, float, float, float]:
    return (
        float(quad[:, 0].min()),
        float(quad[:, 1].min()),
        float(quad[:, 0].max()),
        float(quad[:, 1].max()),
    )


def _char_boxes(line_chars: Sequence) -> list[tuple[float, float, float, float]]:
    return [_bounds(np.asarray(char_quad)) for _, _, char_quad in line_chars or ()]


def _with_scripts(
    text: str, boxes: list, gray: np.ndarray, ink: LineInk | None, sizes: Sizes | None, read=None
) -> str:
    """The line's text with what its character boxes and the page's ink show: superscripts and subscripts
    read flat (``scripts``), subscript ones the recognizer dropped (``subscripts``), and scripts it
    dropped read on their own by `read`."""
    return text if ink is None else raise_scripts(ink, sizes, lost_ones(text, boxes, gray), read)


class RapidEngine:
    """rapidocr with its own defaults, except logging and the ONNX Runtime thread count; slanted lines
    (watermarks across the page) are dropped.

    It shrinks images whose longer side exceeds 2000 px; 144 dpi keeps an A4 page under that, and reads the
    gaokao scans as well as 200 dpi does (CJK recall, see benchmarks/ocr_bench.py) with fewer pixels to render.
    `threads` 0 lets ONNX Runtime use every core; a worker of a pool of N on N cores should use 1.
    The text-line direction classifier is not run: exam pages are upright, and it turned some light or
    dense lines upside down, which then read as garbage (beijing Q21 (1), the sample's first question).
    Option `dilation` (rapidocr's default, true) dilates the detector's map; turned off (PaddleOCR's own
    default) boxes are tighter. Either way the gaokao CER is the same (0.045, benchmarks/ocr_bench.py).
    Character boxes are asked for, to put back the subscript ones the recognizer drops
    (ocr/subscripts.py).
    """

    name: ClassVar[str] = "rapidocr"
    default_dpi: ClassVar[int] = 144

    @classmethod
    def check(cls, threads: int = 0, dilation: bool = True) -> None:
        if importlib.util.find_spec("rapidocr") is None:
            raise EngineUnavailable("rapidocr: package not installed (pip install rapidocr onnxruntime)")

    def __init__(self, threads: int = 0, dilation: bool = True) -> None:
        self.check(threads, dilation)
        from rapidocr import RapidOCR  # imported here: it loads onnxruntime and OpenCV

        params = {"Global.log_level": "error", "Det.use_dilation": dilation}
        if threads:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
            params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
        self._ocr = RapidOCR(params=params)

    def version(self) -> str:
        return importlib.metadata.version("rapidocr")

    def recognize(self, image: np.ndarray, ink: np.ndarray | None = None) -> list[OcrLine]:
        result = self._call(image, whole_page=True)
        # Nothing found: an empty output, or a partial one (e.g. detection only) without texts.
        boxes, texts, scores = (getattr(result, name, None) for name in ("boxes", "txts", "scores"))
        if boxes is None or texts is None or scores is None:
            return []
        chars = getattr(result, "word_results", None) or [()] * len(texts)
        gray = (image if ink is None else ink)[:, :, 0]
        kept = [
            (text, quad, float(score), _char_boxes(line_chars))
            for quad, text, score, line_chars in zip(boxes, texts, scores, chars, strict=True)
            if abs(_slant(quad)) <= MAX_SLANT
        ]
        inks = [line_ink(text, boxes, gray, _bounds(quad)) for text, quad, _, boxes in kept]
        sizes = page_sizes(inks)

        def read(glyph: Glyph, alone: bool = False, floor: float = READ_FLOOR) -> str:
            """One glyph read on its own (a script the recognizer dropped), "" below `floor`; `alone`:
            on blank paper, what lies around it left out (the arrow over a letter)."""
            pad = max((glyph.y1 - glyph.y0) // 2, 2)
            top, left = max(glyph.y0 - pad, 0), max(glyph.x0 - pad, 0)
            crop = image[top : glyph.y1 + pad + 1, left : glyph.x1 + pad + 1]
            if alone:
                crop = np.full_like(crop, 255)
                crop[glyph.y0 - top : glyph.y1 - top + 1, glyph.x0 - left : glyph.x1 - left + 1] = image[
                    glyph.y0 : glyph.y1 + 1, glyph.x0 : glyph.x1 + 1
                ]
            text, score = self.read_line(crop)
            return text.strip() if score >= floor else ""

        return [
            OcrLine(
                text=_with_scripts(text, boxes, gray, line, sizes, read), box=list(_bounds(quad)), score=score
            )
            for (text, quad, score, boxes), line in zip(kept, inks, strict=True)
        ]

    def _call(self, image: np.ndarray, *, whole_page: bool, char_boxes: bool = False):
        """A page: lines detected, read, with character boxes; else one line read as it is (with the
        columns of its characters when asked). Every flag is named on every call: rapidocr keeps the flags
        of the last call as its new defaults."""
        return self._ocr(
            image,
            use_det=whole_page,
            use_cls=False,
            use_rec=True,
            return_word_box=whole_page or char_boxes,
            return_single_char_box=whole_page or char_boxes,
        )

    def read_line(
        self, image: np.ndarray, scripts: bool = False, ink: np.ndarray | None = None
    ) -> tuple[str, float]:
        result = self._call(image, whole_page=False, char_boxes=scripts)
        texts, scores = getattr(result, "txts", None), getattr(result, "scores", None)
        if not texts or scores is None:
            return "", 0.0
        text = "".join(texts)
        if scripts and len(texts) == 1 and result.word_results:
            from rapidocr.cal_rec_boxes.main import CalRecBoxes

            height, width = image.shape[:2]
            quad = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
            boxed = CalRecBoxes()([image], quad[None], result, return_single_char_box=True)
            boxes = _char_boxes(boxed.word_results[0])
            gray = (image if ink is None else ink)[:, :, 0]
            text = _with_scripts(text, boxes, gray, line_ink(text, boxes, gray, _bounds(quad)), None)
        return text, float(min(scores))
