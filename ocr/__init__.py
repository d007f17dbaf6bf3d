"""Page text from PDFs: PyMuPDF text layer with inline math rebuilt, OCR for scans and vector-drawn
formulas (rapidocr by default; paddleocr, tesseract). No Dagster here."""

from ocr.engines import EngineConfig, EngineUnavailable, check_engine, engine_names
from ocr.extract import Settings, extract_pdf, page_count
from ocr.guard import Limits
from ocr.types import OcrLine, PageText

__all__ = [
    "EngineConfig",
    "EngineUnavailable",
    "Limits",
    "OcrLine",
    "PageText",
    "Settings",
    "check_engine",
    "engine_names",
    "extract_pdf",
    "page_count",
]
