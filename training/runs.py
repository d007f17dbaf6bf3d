"""Where trained students live, and whether a training run can be skipped (pure logic).

A run is keyed by (dataset version, recipe text, starting model): the same key means the same
training, so its checkpoint is reused instead of retrained. ``<data root>/models/<stage>.json`` points
at the checkpoint of the latest materialization of each stage, for the stages downstream of it; the
checkpoints themselves are in ``<models>``, a local directory (the work dir).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from distill.core.storage import TableStore


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


def _pointer(store: TableStore, stage: str) -> str:
    return store.url("models", f"{stage}.json")


def record(store: TableStore, stage: str, info: dict) -> None:
    store.write_bytes(_pointer(store, stage), json.dumps(info, indent=2).encode("utf-8"))


def latest(store: TableStore, stage: str) -> dict:
    data = store.read_bytes(_pointer(store, stage))
    if data is None:
        raise FileNotFoundError(f"{_pointer(store, stage)} does not exist: materialize {stage} first")
    return json.loads(data)


@dataclass(frozen=True)
class Run:
    """One training run of ``stage``: its key, its directory, and what it was keyed by."""

    stage: str
    models_dir: Path
    dataset_dir: Path
    dataset_version: str
    recipe: str
    start_model: str

    @classmethod
    def plan(cls, models_dir: Path, dataset_dir: Path, stage: str, recipe: str, start_model: str) -> Run:
        version = json.loads((dataset_dir / "dataset_info.json").read_text(encoding="utf-8"))["version"]
        return cls(stage, models_dir, dataset_dir, version, recipe, start_model)

    @property
    def key(self) -> str:
        return run_key(self.dataset_version, self.recipe, self.start_model)

    @property
    def out(self) -> Path:
        return run_dir(self.models_dir, self.stage, self.key)

    @property
    def info(self) -> dict:
        """What the stage's pointer file and the asset's metadata record of the run."""
        return {
            "run_key": self.key,
            "checkpoint": str(self.out / "final"),
            "dataset_version": self.dataset_version,
            "recipe": self.recipe,
            "start_model": self.start_model,
        }

    def finished(self) -> bool:
        return finished(self.out)

    def reported(self) -> dict:
        """A finished run's figures as metadata: its scalar metrics and the versions that trained it."""
        metrics = json.loads((self.out / "metrics.json").read_text(encoding="utf-8"))
        scalars = {k: v for k, v in metrics.items() if isinstance(v, int | float | str | bool)}
        return {**scalars, **({"versions": metrics["versions"]} if "versions" in metrics else {})}

    def record(self, store: TableStore) -> None:
        """Point the stage's pointer in ``store`` at this run's checkpoint."""
        record(store, self.stage, self.info)

    def script_args(self) -> list[str]:
        return [
            "--recipe",
            self.recipe,
            "--dataset",
            str(self.dataset_dir),
            "--output-dir",
            str(self.out),
            "--model",
            self.start_model,
        ]
