"""OCR engines behind one interface: `rapidocr` (default), `paddleocr` (PP-StructureV3), `tesseract`.

An engine reads a rendered page (lines with pixel boxes and scores) and single-line crops (formulas cut
out of a text layer). `get_engine(config)` builds one engine per process and configuration; an engine
that cannot run here raises EngineUnavailable with what is missing, before any page is read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar, Protocol

import numpy as np

from ocr.types import OcrLine


class EngineUnavailable(RuntimeError):
    """The engine cannot run here (package, binary or model files missing); the message says what."""


class OcrEngine(Protocol):
    name: ClassVar[str]
    default_dpi: ClassVar[int]  # the render resolution the engine reads pages best at

    def version(self) -> str: ...

    def recognize(self, image: np.ndarray, ink: np.ndarray | None = None) -> list[OcrLine]:
        """Lines of a BGR uint8 page image, boxes in pixels, in any order. `ink`, when given, is the page
        as scanned (`image` may have had its watermark washed out): where the engine reads the position of
        glyphs from the pixels, it reads them there."""
        ...

    def read_line(
        self, image: np.ndarray, scripts: bool = False, ink: np.ndarray | None = None
    ) -> tuple[str, float]:
        """Text and score of a crop holding one line (a formula or a part of one); with `scripts`, the
        characters the crop shows raised or lowered as ^{...} and _{...}, where the engine boxes them
        (read in `ink`, the same crop as scanned, when given: see `recognize`)."""
        ...


@dataclass(frozen=True)
class EngineConfig:
    """Which engine, at which render resolution (0: the engine's own), with engine-specific options
    (paddleocr: model directories; tesseract: languages). `threads` (0: all cores) bounds the engine's
    own parallelism; a worker of a pool of N processes on N cores should use 1. It does not change the
    output, so it is not part of the key."""

    name: str = "rapidocr"
    dpi: int = 0
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    threads: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.name not in _classes():
            raise ValueError(f"unknown OCR engine {self.name!r}; known: {engine_names()}")

    def key(self) -> str:
        """Stable text naming this configuration, for caches and provenance."""
        options = json.dumps(self.options, sort_keys=True, default=str)
        return f"{self.name}-dpi{self.dpi}-{hashlib.sha256(options.encode()).hexdigest()[:8]}"


def engine_names() -> list[str]:
    return sorted(_classes())


def check_engine(config: EngineConfig) -> None:
    """Raises EngineUnavailable, naming what is missing, when the engine cannot run here (loads nothing)."""
    _classes()[config.name].check(**config.options)


def get_engine(config: EngineConfig) -> OcrEngine:
    """The engine of this configuration in this process (built once; raises EngineUnavailable)."""
    return _build(config.name, json.dumps(config.options, sort_keys=True, default=str), config.threads)


def render_dpi(config: EngineConfig) -> int:
    return config.dpi or _classes()[config.name].default_dpi


@cache
def _build(name: str, options: str, threads: int) -> OcrEngine:
    return _classes()[name](threads=threads, **json.loads(options))


def _classes() -> dict[str, type]:
    from ocr.engines.paddle import PaddleEngine
    from ocr.engines.rapid import RapidEngine
    from ocr.engines.tesseract import TesseractEngine

    return {engine.name: engine for engine in (RapidEngine, PaddleEngine, TesseractEngine)}
