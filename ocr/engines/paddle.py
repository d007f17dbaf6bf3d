"""PaddleOCR 3.x PP-StructureV3 with formula recognition (LaTeX), from local model directories only.

Nothing is downloaded: every model the pipeline needs must be staged in a directory named by config
(`model_root` with the default folder names below, or one path per model in `model_dirs`). The engine
refuses to start, naming each missing directory, when one is not there; install with `pip install -e ".[paddle]"`.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path
from typing import ClassVar

import numpy as np

from ocr.engines import EngineUnavailable
from ocr.types import OcrLine

# PP-StructureV3 argument (without "_model_dir") -> default folder name under model_root
MODELS = {
    "layout_detection": "PP-DocLayout_plus-L",
    "text_detection": "PP-OCRv5_server_det",
    "text_recognition": "PP-OCRv5_server_rec",
    "formula_recognition": "PP-FormulaNet_plus-L",
}
FORMULA_LABEL = "formula"


def resolve_model_dirs(model_root: str | None, overrides: dict[str, str]) -> dict[str, Path]:
    """Directory of each model: `overrides[name]`, else `model_root/<default folder>`."""
    unknown = sorted(set(overrides) - set(MODELS))
    if unknown:
        raise ValueError(f"paddleocr: unknown models {unknown}; known: {sorted(MODELS)}")
    dirs = {}
    for model, folder in MODELS.items():
        if model in overrides:
            dirs[model] = Path(overrides[model])
        elif model_root:
            dirs[model] = Path(model_root) / folder
    return dirs


class PaddleEngine:
    """Layout, text and formula recognition in one pass; formula regions come back as `$LaTeX$`."""

    name: ClassVar[str] = "paddleocr"
    default_dpi: ClassVar[int] = 200

    @classmethod
    def check(cls, model_root: str | None = None, model_dirs: dict[str, str] | None = None) -> None:
        dirs = resolve_model_dirs(model_root, model_dirs or {})
        missing = [
            f"{m}: {dirs[m]}" if m in dirs else f"{m}: not configured"
            for m in MODELS
            if not _staged(dirs.get(m))
        ]
        if missing:
            raise EngineUnavailable(
                "paddleocr: model directories not staged (no downloads here); set ocr.options.model_root or "
                "ocr.options.model_dirs. Missing: " + "; ".join(missing)
            )
        if importlib.util.find_spec("paddleocr") is None:
            raise EngineUnavailable('paddleocr: package not installed; pip install -e ".[paddle]"')

    def __init__(
        self, model_root: str | None = None, model_dirs: dict[str, str] | None = None, threads: int = 0
    ) -> None:
        self.check(model_root, model_dirs)
        from paddleocr import PPStructureV3

        dirs = resolve_model_dirs(model_root, model_dirs or {})
        self._pipeline = PPStructureV3(
            **{f"{model}_model_dir": str(path) for model, path in dirs.items()},
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation=False,
            use_seal_recognition=False,
            use_table_recognition=False,
            use_chart_recognition=False,
            use_region_detection=False,
            use_formula_recognition=True,
            **({"cpu_threads": threads} if threads else {}),
        )

    def version(self) -> str:
        return importlib.metadata.version("paddleocr")

    def recognize(self, image: np.ndarray, ink: np.ndarray | None = None) -> list[OcrLine]:
        lines = []
        for result in self._pipeline.predict(image):
            for block in result["parsing_res_list"]:
                text = block.block_content.strip()
                if not text:
                    continue
                if block.block_label == FORMULA_LABEL and not text.startswith("$"):
                    text = f"${text}$"
                lines.append(OcrLine(text=text, box=[float(v) for v in block.block_bbox], score=1.0))
        return lines

    def read_line(
        self, image: np.ndarray, scripts: bool = False, ink: np.ndarray | None = None
    ) -> tuple[str, float]:
        lines = self.recognize(image)
        return " ".join(line.text for line in lines), (1.0 if lines else 0.0)


def _staged(path: Path | None) -> bool:
    return path is not None and path.is_dir() and any(path.iterdir())
