"""Page text from PDFs: PyMuPDF text layer first, OCR (rapidocr) for scanned pages. No Dagster here."""

from ocr.extract import ENGINES, engine_version, extract_pdf
from ocr.types import OcrLine, PageText

__all__ = ["ENGINES", "OcrLine", "PageText", "engine_version", "extract_pdf"]
