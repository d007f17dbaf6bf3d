"""Where trained students live, and whether a training run can be skipped (pure logic).

A run is keyed by (dataset version, recipe text, starting model): the same key means the same
training, so its checkpoint is reused instead of retrained. ``<models>/<stage>.json`` points at the
checkpoint of the latest materialization of each stage, for the stages downstream of it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def run_key(dataset_version: str, recipe_path: str | Path, start_model: str) -> str:
    digest = hashlib.sha256()
    for part in (dataset_version, Path(recipe_path).read_text(encoding="utf-8"), start_model):
        digest.update(part.encode("utf-8") + b"\x1f")
    return digest.hexdigest()[:16]


def run_dir(models_dir: Path, stage: str, key: str) -> Path:
    return models_dir / stage / key


def finished(directory: Path) -> bool:
    final = directory / "final"
    return (final / "config.json").is_file() and (directory / "metrics.json").is_file()


def record(models_dir: Path, stage: str, info: dict) -> None:
    pointer = models_dir / f"{stage}.json"
    tmp = pointer.with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=2), encoding="utf-8")
    tmp.replace(pointer)


def latest(models_dir: Path, stage: str) -> dict:
    pointer = models_dir / f"{stage}.json"
    if not pointer.is_file():
        raise FileNotFoundError(f"{pointer} does not exist: materialize {stage} first")
    return json.loads(pointer.read_text(encoding="utf-8"))
