"""Versions of the tools that decide a row's fate, recorded with the rows, the dataset and the models."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

VERIFIER = "math-verify"
OCR_TOOLS = ("pymupdf", "rapidocr", "onnxruntime", "paddleocr")
MODEL_TOOLS = ("torch", "transformers", "trl", "accelerate")


def package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def tool_versions(names: tuple[str, ...]) -> dict[str, str]:
    """``{package: version}`` of the installed ones among ``names``."""
    return {name: v for name in names if (v := package_version(name))}


def verifier() -> str:
    """The answer verifier and its version, as ``verify_method`` records it (``math-verify 0.9.0``)."""
    return f"{VERIFIER} {package_version(VERIFIER)}"


def dataset_tools() -> dict[str, str]:
    """What the dataset card lists: the verifier, the OCR engines, and the model libraries."""
    return tool_versions((VERIFIER, *OCR_TOOLS, *MODEL_TOOLS, "datasets", "pyarrow", "openai"))
