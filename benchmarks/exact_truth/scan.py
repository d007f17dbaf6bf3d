"""A typeset paper made to look scanned: a grey watermark printed across it, rasterized at a resolution,
tilted slightly, blurred, with sensor noise, stored as one JPEG a page (no text layer).

Every degradation is drawn from a generator seeded by the paper's name and the resolution, so a corpus
built twice is the same.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import cv2
import numpy as np
import pymupdf

WATERMARK = "精确真值样卷 exact truth"


@dataclass(frozen=True)
class Degradation:
    max_skew: float = 0.8  # degrees, either way
    blur: float = 0.45  # Gaussian sigma, in pixels at 150 dpi (scaled with the resolution)
    noise: float = 7.0  # standard deviation of the grey-level noise
    watermark_grey: float = 0.8  # 0 black, 1 white
    jpeg_quality: int = 80


def scanned(pdf: bytes, dpi: int, seed_name: str, how: Degradation = Degradation()) -> bytes:
    """The pages of `pdf` as scans at `dpi`."""
    rng = np.random.default_rng(zlib.crc32(f"{seed_name}@{dpi}".encode()))
    out = pymupdf.open()
    with pymupdf.open("pdf", pdf) as doc:
        for page in doc:
            _watermark(page, how.watermark_grey)
            pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            grey = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width)
            grey = _degrade(grey, dpi, rng, how)
            ok, jpeg = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, how.jpeg_quality])
            if not ok:
                raise RuntimeError("cannot encode a scanned page as JPEG")
            target = out.new_page(width=page.rect.width, height=page.rect.height)
            target.insert_image(target.rect, stream=jpeg.tobytes())
    data = out.tobytes(garbage=3, deflate=True, no_new_id=True)
    out.close()
    return data


def _watermark(page: pymupdf.Page, grey: float) -> None:
    middle = pymupdf.Point(page.rect.width * 0.18, page.rect.height * 0.62)
    page.insert_text(
        middle,
        WATERMARK,
        fontname="china-s",
        fontsize=34,
        color=(grey, grey, grey),
        morph=(middle, pymupdf.Matrix(30)),
        overlay=False,
    )


def _degrade(grey: np.ndarray, dpi: int, rng: np.random.Generator, how: Degradation) -> np.ndarray:
    height, width = grey.shape
    angle = float(rng.uniform(-how.max_skew, how.max_skew))
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    image = cv2.warpAffine(grey, turn, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    image = cv2.GaussianBlur(image, (0, 0), how.blur * dpi / 150)
    noisy = image.astype(np.float32) + rng.normal(0.0, how.noise, image.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)
