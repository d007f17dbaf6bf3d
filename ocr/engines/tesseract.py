"""Tesseract (Debian's tesseract-ocr), optional: run as a subprocess, TSV output with word boxes."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from typing import ClassVar

import cv2
import numpy as np

from ocr.engines import EngineUnavailable
from ocr.types import OcrLine

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"


class TesseractEngine:
    """`tesseract - - -l LANGS --psm N tsv`, one process per image. Words are joined into its lines, with
    no space between two CJK characters; a line's score is its lowest word confidence / 100."""

    name: ClassVar[str] = "tesseract"
    default_dpi: ClassVar[int] = 300

    @classmethod
    def check(cls, langs: str = "chi_sim+eng", binary: str = "tesseract", timeout_s: float = 120.0) -> None:
        path = shutil.which(binary)
        if path is None:
            raise EngineUnavailable(f"tesseract: binary {binary!r} not found on PATH ({INSTALL_HINT})")
        listed = subprocess.run(
            [path, "--list-langs"], capture_output=True, text=True, timeout=timeout_s, check=False
        )
        missing = [lang for lang in langs.split("+") if lang not in listed.stdout.split()]
        if missing:
            raise EngineUnavailable(f"tesseract: language data not installed: {missing} ({INSTALL_HINT})")

    def __init__(
        self,
        langs: str = "chi_sim+eng",
        binary: str = "tesseract",
        timeout_s: float = 120.0,
        threads: int = 0,
    ) -> None:
        self.check(langs, binary, timeout_s)
        self._binary, self._langs, self._timeout = shutil.which(binary), langs, timeout_s
        self._env = {**os.environ, "OMP_THREAD_LIMIT": str(threads)} if threads else None

    def version(self) -> str:
        return self._run(["--version"], b"").split()[1]

    def recognize(self, image: np.ndarray, ink: np.ndarray | None = None) -> list[OcrLine]:
        return self._lines(image, psm=3)

    def read_line(
        self, image: np.ndarray, scripts: bool = False, ink: np.ndarray | None = None
    ) -> tuple[str, float]:
        lines = self._lines(image, psm=7)
        if not lines:
            return "", 0.0
        return " ".join(line.text for line in lines), min(line.score for line in lines)

    def _lines(self, image: np.ndarray, psm: int) -> list[OcrLine]:
        ok, png = cv2.imencode(".png", image)
        if not ok:
            raise RuntimeError("tesseract: cannot encode the image as PNG")
        tsv = self._run(["-", "-", "-l", self._langs, "--psm", str(psm), "tsv"], png.tobytes())
        words: dict[tuple[str, ...], list[dict]] = {}
        for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["level"] == "5" and row["text"].strip():
                words.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
        lines = []
        for line in words.values():
            x0 = min(int(w["left"]) for w in line)
            y0 = min(int(w["top"]) for w in line)
            x1 = max(int(w["left"]) + int(w["width"]) for w in line)
            y1 = max(int(w["top"]) + int(w["height"]) for w in line)
            score = max(0.0, min(float(w["conf"]) for w in line)) / 100
            lines.append(OcrLine(text=_join([w["text"] for w in line]), box=[x0, y0, x1, y1], score=score))
        return lines

    def _run(self, args: list[str], data: bytes) -> str:
        done = subprocess.run(
            [self._binary, *args],
            input=data,
            capture_output=True,
            timeout=self._timeout,
            check=False,
            env=self._env,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"tesseract failed ({done.returncode}): {done.stderr.decode(errors='replace')[-300:]}"
            )
        return done.stdout.decode("utf-8", errors="replace")


def _join(words: list[str]) -> str:
    out = words[0]
    for word in words[1:]:
        out += word if _cjk(out[-1]) and _cjk(word[0]) else " " + word
    return out


def _cjk(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"
