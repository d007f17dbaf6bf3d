"""Dagster resources: where data lives, which teacher answers, how pages are read, how students train.

Their values come from one environment YAML (``configs/*.yaml``, see ``pipelines/environment.py``);
secrets come from environment variables through ``dg.EnvVar`` and never reach logs or metadata.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from distill.dataset import DatasetPolicy
from distill.ledger import SqliteLedger
from distill.local_model import LOCAL_MODEL_ALIAS, resolve_model
from distill.local_server import LocalTeacherServer
from distill.prompts import Prompt
from distill.storage import TableStore
from distill.teacher import TeacherClient, TeacherSettings


class StorageResource(dg.ConfigurableResource):
    """The data root (path or fsspec URL) and the inbox of collections (one folder each)."""

    data_root: str = "./data"
    inbox_root: str = "./inbox"

    def store(self) -> TableStore:
        return TableStore(self.data_root)

    def inbox(self) -> Path:
        return Path(self.inbox_root)

    def ledger(self) -> SqliteLedger:
        return SqliteLedger(self.store().local_dir("ledger") / "requests.sqlite")


class _SharedLocalServers:
    """One embedded server per model dir and process, shared by the teacher and the translator."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._servers: dict[str, tuple[LocalTeacherServer, int]] = {}

    def acquire(self, model_dir: str, continuous_batching: bool) -> LocalTeacherServer:
        with self._lock:
            server, users = self._servers.get(model_dir, (None, 0))
            if server is None:
                server = LocalTeacherServer(model_dir, continuous_batching=continuous_batching).start()
            self._servers[model_dir] = (server, users + 1)
            return server

    def release(self, model_dir: str) -> None:
        with self._lock:
            server, users = self._servers[model_dir]
            if users > 1:
                self._servers[model_dir] = (server, users - 1)
                return
            del self._servers[model_dir]
        server.stop()


_LOCAL_SERVERS = _SharedLocalServers()


class TeacherResource(dg.ConfigurableResource):
    """An OpenAI-compatible chat endpoint. With no ``base_url``, the embedded local teacher is started
    (``transformers serve`` on a free loopback port) for the duration of the run and stopped after it."""

    base_url: str | None = None
    model: str = LOCAL_MODEL_ALIAS
    api_key: str | None = None
    max_tokens: int = 1024
    temperature: float = 0.6
    top_p: float = 0.95
    concurrency: int = 8
    timeout_s: float = 1800.0
    max_retries: int = 6
    usd_per_mtok_in: float = 0.0
    usd_per_mtok_out: float = 0.0
    continuous_batching: bool = True

    _local_model_dir: str | None = PrivateAttr(default=None)
    _server: LocalTeacherServer | None = PrivateAttr(default=None)

    @property
    def embedded(self) -> bool:
        return not self.base_url

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.embedded:
            self._local_model_dir = resolve_model(self.model)
            self._server = _LOCAL_SERVERS.acquire(self._local_model_dir, self.continuous_batching)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._server is not None:
            _LOCAL_SERVERS.release(self._local_model_dir)
            self._server = None

    def settings(self, **overrides: object) -> TeacherSettings:
        if self.embedded:
            if self._server is None:
                raise RuntimeError("the embedded teacher was not started (resource used outside a run)")
            base_url, served_model, api_key = self._server.base_url, self._local_model_dir, "EMPTY"
        else:
            base_url, served_model, api_key = self.base_url, "", self.api_key or "EMPTY"
        values = dict(
            base_url=base_url,
            model=self.model,
            served_model=served_model,
            api_key=api_key,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            concurrency=self.concurrency,
            timeout_s=self.timeout_s,
            max_retries=self.max_retries,
            usd_per_mtok_in=self.usd_per_mtok_in,
            usd_per_mtok_out=self.usd_per_mtok_out,
        )
        return TeacherSettings(**{**values, **overrides})

    def client(self, ledger: SqliteLedger, **overrides: object) -> TeacherClient:
        return TeacherClient(self.settings(**overrides), ledger)


class OcrResource(dg.ConfigurableResource):
    """PDF text extraction: text layer first, OCR engine for pages without usable text."""

    engine: str = "rapidocr"
    dpi: int = 200
    min_text_chars: int = 20
    workers: int = 2  # processes per collection

    def cache_tag(self) -> str:
        return f"{self.engine}-dpi{self.dpi}-min{self.min_text_chars}"


class CotResource(dg.ConfigurableResource):
    """How chain-of-thought samples are asked for."""

    mode: str = "distill"  # "distill" (the teacher solves) | "realign" (it rewrites the reference solution)
    samples_per_problem: int = 1
    distill_prompt: str = "configs/prompts/cot_distill.yaml"
    realign_prompt: str = "configs/prompts/cot_realign.yaml"
    translate_prompt: str = "configs/prompts/translate.yaml"
    translate_max_tokens: int = 1024
    translate_solutions: bool = True  # realign mode needs English solutions; distill mode can skip them

    def prompt(self) -> Prompt:
        return Prompt.load(self.distill_prompt if self.mode == "distill" else self.realign_prompt)


class DatasetResource(dg.ConfigurableResource):
    """Filter policy and held-out problems of ``distill_dataset``."""

    require_verified: bool = True
    drop_truncated: bool = True
    test_fraction: float = 0.2
    heldout_files: list[str] = []
    sft_prompt: str = "configs/prompts/cot_distill.yaml"
    grpo_prompt: str = "configs/prompts/grpo.yaml"

    def policy(self) -> DatasetPolicy:
        return DatasetPolicy(
            require_verified=self.require_verified,
            drop_truncated=self.drop_truncated,
            test_fraction=self.test_fraction,
        )


class TrainingResource(dg.ConfigurableResource):
    """Recipes and launcher of the student runs (``training/*.py``, launched through Dagster Pipes)."""

    sft_recipe: str = "configs/recipes/sft_cpu.yaml"
    grpo_recipe: str = "configs/recipes/grpo_cpu.yaml"
    launcher: str = "python"  # "python" | "accelerate"
    accelerate_config: str | None = None
    base_model: str = LOCAL_MODEL_ALIAS
    eval_max_new_tokens: int = 256
    eval_max_problems: int = 0  # 0: all held-out problems

    def command(self, module: str, *args: str) -> list[str]:
        if self.launcher == "accelerate":
            config = ["--config_file", self.accelerate_config] if self.accelerate_config else []
            return [sys.executable, "-m", "accelerate.commands.launch", *config, "-m", module, *args]
        return [sys.executable, "-m", module, *args]
