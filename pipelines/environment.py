"""One environment YAML (``configs/<env>.yaml``) -> the resources of a deployment.

``PIPELINE_CONFIG`` names the file (default ``configs/local.yaml``, the embedded default). ``DATA_ROOT``,
``WORK_DIR`` and ``INBOX_ROOT`` override the storage paths. A teacher's secret is named by ``api_key_env`` and read
through ``dg.EnvVar`` at run time, so it never sits in the config, the logs or the metadata.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import yaml

from assets.resources import (
    CotResource,
    DatasetResource,
    OcrResource,
    StorageResource,
    TeacherResource,
    TrainingResource,
)

DEFAULT_CONFIG = "configs/local.yaml"


def config_path() -> Path:
    return Path(os.environ.get("PIPELINE_CONFIG", DEFAULT_CONFIG))


def _endpoint(section: dict) -> TeacherResource:
    section = dict(section)
    key_env = section.pop("api_key_env", None)
    if key_env:
        section["api_key"] = dg.EnvVar(key_env)
    return TeacherResource(**section)


def load_resources(path: str | Path | None = None) -> dict[str, object]:
    path = Path(path or config_path())
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    storage = dict(data.get("storage", {}))
    storage["data_root"] = os.environ.get("DATA_ROOT", storage.get("data_root", "./data"))
    storage["inbox_root"] = os.environ.get("INBOX_ROOT", storage.get("inbox_root", "./inbox"))
    storage["work_dir"] = os.environ.get("WORK_DIR", storage.get("work_dir", ""))
    teacher = _endpoint(data.get("teacher", {}))
    translator_section = data.get("translator", "teacher")
    translator = teacher if translator_section == "teacher" else _endpoint(translator_section)
    return {
        "storage": StorageResource(**storage),
        "teacher": teacher,
        "translator": translator,
        "ocr": OcrResource(**data.get("ocr", {})),
        "cot": CotResource(**data.get("cot", {})),
        "dataset": DatasetResource(**data.get("dataset", {})),
        "training": TrainingResource(**data.get("training", {})),
        "pipes_subprocess_client": dg.PipesSubprocessClient(),
    }
