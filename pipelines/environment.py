"""One environment YAML (``configs/<env>.yaml``) -> the resources of a deployment.

``PIPELINE_CONFIG`` names the file (default ``configs/local.yaml``, the embedded default). ``DATA_ROOT``,
``WORK_DIR`` and ``INBOX_ROOT`` override the storage paths. A teacher's secret is named by ``api_key_env`` and read
through ``dg.EnvVar`` at run time, so it never sits in the config, the logs or the metadata. An
``executor`` section (``name: k8s`` and the ``k8s_job_executor``'s config) runs the jobs' steps as
Kubernetes Jobs.
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


def load_executor(path: str | Path | None = None) -> dg.ExecutorDefinition | None:
    """The executor of the environment's ``executor`` section; None: each job's own."""
    section = _load(path).get("executor")
    if not section:
        return None
    if section.get("name") != "k8s":
        raise ValueError(f"executor {section.get('name')!r}: only k8s is known (or no executor section)")
    from dagster_k8s import k8s_job_executor

    return k8s_job_executor.configured(section.get("config", {}), name="k8s")


def _load(path: str | Path | None) -> dict:
    return yaml.safe_load(Path(path or config_path()).read_text(encoding="utf-8")) or {}


def load_resources(path: str | Path | None = None) -> dict[str, object]:
    data = _load(path)
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
