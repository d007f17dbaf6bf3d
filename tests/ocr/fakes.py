"""A stand-in OCR engine for tests that must control what OCR returns."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ocr.types import OcrLine


class FakeEngine:
    """Returns `lines` (pixel boxes) for a page and `line` for a crop; records the image sizes it saw."""

    name = "fake"

    def __init__(self, lines: list[OcrLine] | Callable[[np.ndarray], list[OcrLine]] = (), line=("", 0.0)):
        self.lines, self.line, self.seen = lines, line, []

    def version(self) -> str:
        return "0.test"

    def recognize(self, image: np.ndarray, ink: np.ndarray | None = None) -> list[OcrLine]:
        self.seen.append(image.shape)
        return (
            self.lines(image)
            if callable(self.lines)
            else [OcrLine(line.text, list(line.box), line.score) for line in self.lines]
        )

    def read_line(
        self, image: np.ndarray, scripts: bool = False, ink: np.ndarray | None = None
    ) -> tuple[str, float]:
        self.seen.append(image.shape)
        return self.line


def extract_or_die(path: str, pages: list[int], settings) -> list[dict]:
    """A worker task that kills its process on page 2 (as a hostile PDF might), else extracts."""
    import os

    from distill.pages.ingest import extract_pages

    if 2 in pages:
        os._exit(3)
    return extract_pages(path, pages, settings)
