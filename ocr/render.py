"""A PDF page (or a part of it) as an image for OCR, within a pixel budget."""

from __future__ import annotations

import math

import numpy as np
import pymupdf

MIN_DPI = 36  # under this a page is unreadable anyway: refuse instead


def fitting_dpi(rect: pymupdf.Rect, dpi: int, max_pixels: int) -> int:
    """`dpi`, lowered so that `rect` rendered at it has at most `max_pixels` pixels."""
    area = max(rect.width * rect.height, 1e-6) / 72**2
    return min(dpi, int(math.sqrt(max_pixels / area)))


def render(page: pymupdf.Page, dpi: int, clip: pymupdf.Rect | None = None) -> np.ndarray:
    """The page (or `clip` of it) in grey levels, as the 3-channel BGR uint8 array the engines expect.

    Grey rather than colour: on the gaokao scans, rapidocr finds lines under coloured watermarks in grey
    that it misses in colour (see benchmarks/ocr_bench.py), and grey renders faster.
    """
    pixmap = page.get_pixmap(dpi=dpi, clip=clip, colorspace=pymupdf.csGRAY, alpha=False)
    grey = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.stride)[
        :, : pixmap.width
    ]
    return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
