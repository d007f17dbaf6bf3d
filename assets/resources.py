"""Dagster resources: where data lives, which teacher answers, how pages are read, how students train.

Their values come from one environment YAML (``configs/*.yaml``, see ``pipelines/environment.py``);
secrets come from environment variables through ``dg.EnvVar`` and never reach logs or metadata.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dagster as dg
from pydantic import PrivateAttr

from assets.config_fields import values as config_values
from assets.config_fields import with_fields
from distill.core.kinds import CotMode, TeacherInput
from distill.core.storage import TableStore
from distill.dataset import publication
from distill.dataset.assembly import DatasetPolicy
from distill.dataset.decontamination import BenchmarkItem, load_benchmarks
from distill.dataset.filters import CountTokens, student_token_counter
from distill.llm.client import TeacherClient, TeacherSettings
from distill.llm.costs import load_price
from distill.llm.flow_control import EndpointDown, EndpointRejected
from distill.llm.ledger import Ledger, open_ledger
from distill.llm.local_model import LOCAL_MODEL_ALIAS, resolve_model
from distill.llm.local_server import LocalTeacherServer, ServerSettings
from distill.llm.prompts import Prompt
from distill.review.decisions import ReviewLog, review_log
from ocr import EngineConfig, Limits, Settings
from training.k8s import PodSettings, pod_spec


class StorageResource(dg.ConfigurableResource):
    """The data root (a path, or an fsspec URL such as ``s3://bucket/prefix``), the inbox of collections
    (one folder each), and ``work_dir``: a local directory for what needs a file system (the SQLite
    ledger, training checkpoints, the dataset's local copy, review decisions); "" is the data root, which
    must then be a local path."""

    data_root: str = "./data"
    work_dir: str = ""
    inbox_root: str = "./inbox"
    review_url: str = "http://127.0.0.1:8765"  # where `python -m pipelines review` serves this data root
    # The variable that holds the ledger's postgresql:// URL (a server that workers on several machines
    # share; the URL holds the password, so it stays out of the config); "" or unset: SQLite in the data root
    ledger_url_env: str = "LEDGER_URL"

    def store(self) -> TableStore:
        return TableStore(self.data_root, self.work_dir)

    def dataset_dir(self) -> Path:
        return publication.dataset_dir(self.store())

    def inbox(self) -> Path:
        return Path(self.inbox_root)

    def ledger(self) -> Ledger:
        url = os.environ.get(self.ledger_url_env, "") if self.ledger_url_env else ""
        return open_ledger(url or self.store().local_dir("ledger") / "requests.sqlite")

    def reviews(self) -> ReviewLog:
        """The decisions of the review page (distill.review), kept under the data root."""
        return review_log(self.store())

    def review_link(self, collection: str) -> dg.MetadataValue:
        return dg.MetadataValue.url(f"{self.review_url.rstrip('/')}/c/{quote(collection)}")


class _SharedLocalServers:
    """One embedded server per model dir and process, shared by the teacher and the translator: started
    when a run first has to send a request, stopped when the last resource that uses it is torn down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: Counter[str] = Counter()
        self._servers: dict[str, LocalTeacherServer] = {}

    def acquire(self, model_dir: str) -> None:
        with self._lock:
            self._users[model_dir] += 1

    def server(self, model_dir: str, settings: ServerSettings) -> LocalTeacherServer:
        """The server of ``model_dir``, started by the first call."""
        with self._lock:
            if model_dir not in self._servers:
                server = LocalTeacherServer(model_dir, settings)
                self._servers[model_dir] = server.start()
            return self._servers[model_dir]

    def running(self, model_dir: str) -> LocalTeacherServer | None:
        with self._lock:
            return self._servers.get(model_dir)

    def release(self, model_dir: str) -> None:
        with self._lock:
            self._users[model_dir] -= 1
            if self._users[model_dir] > 0:
                return
            del self._users[model_dir]
            server = self._servers.pop(model_dir, None)
        if server is not None:
            server.stop()


_LOCAL_SERVERS = _SharedLocalServers()


TEACHER_POOL, TRANSLATOR_POOL = "teacher", "translator"  # Dagster concurrency pools of the endpoint steps


class TeacherResource(dg.ConfigurableResource):
    """An OpenAI-compatible chat endpoint, or a fleet of them (``base_urls``: servers of one model, each call
    to the least busy one whose breaker is closed; ``distill.llm.fleet``). With neither, the embedded local
    teacher (``transformers serve`` on a free loopback port) is started when the run first has to send a
    request, and stopped after the run; a run answered from the ledger alone starts none.

    Flow control is per step: ``concurrency`` requests in flight, optional requests/tokens per minute,
    ``max_retries`` per request, and a breaker that stops the step when the endpoint stays down for
    ``breaker_give_up_s``. Prices come from ``price_table`` by ``model``."""

    # and every field of TeacherSettings but these (with_fields below)
    base_url: str | None = None
    model: str = LOCAL_MODEL_ALIAS
    api_key: str | None = None
    price_table: str = "configs/prices.yaml"
    local_server: dict[str, Any] = {}  # the embedded server's ServerSettings (KV cache budget, ...)

    _local_model_dir: str | None = PrivateAttr(default=None)

    @property
    def embedded(self) -> bool:
        return not self.base_url and not self.base_urls

    @property
    def endpoint(self) -> tuple[str | None, str]:
        """Where the requests go: the URL, or the fleet's URLs joined (None: the embedded server), and the
        model served there."""
        return self.base_url or ",".join(self.base_urls) or None, self.model

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.embedded:
            ServerSettings(**self.local_server)  # a misspelt setting fails here, not at the first request
            self._local_model_dir = resolve_model(self.model)
            _LOCAL_SERVERS.acquire(self._local_model_dir)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._local_model_dir is not None:
            _LOCAL_SERVERS.release(self._local_model_dir)
            self._local_model_dir = None

    def _connect(self) -> str:
        """The embedded server's base URL, once it answers (started by the run's first request to send)."""
        return _LOCAL_SERVERS.server(self._local_model_dir, ServerSettings(**self.local_server)).base_url

    def server_metadata(self, warn: Callable[[str], object]) -> dict[str, str]:
        """How the embedded server served this step (continuous batching, or the plain fallback and why, which
        is also passed to ``warn``); nothing when no embedded server was started."""
        server = _LOCAL_SERVERS.running(self._local_model_dir) if self._local_model_dir else None
        if server is None:
            return {}
        if server.fallback:
            warn(f"embedded teacher server: {server.mode}")
        return {"teacher_server": server.mode}

    def settings(self, **overrides: object) -> TeacherSettings:
        if self.embedded:
            if self._local_model_dir is None:
                raise RuntimeError("the embedded teacher is used outside a run")
            base_url, served_model, api_key, connect = "", self._local_model_dir, "EMPTY", self._connect
        else:
            base_url, served_model, api_key, connect = self.base_url, "", self.api_key or "EMPTY", None
        values = dict(
            **config_values(self, TeacherSettings, exclude=_TEACHER_OWN),
            base_url=base_url,
            connect=connect,
            model=self.model,
            served_model=served_model,
            api_key=api_key,
            price=load_price(self.price_table, self.model),
        )
        return TeacherSettings(**{**values, **overrides})

    def client(self, ledger: Ledger, **overrides: object) -> TeacherClient:
        return TeacherClient(self.settings(**overrides), ledger)


_TEACHER_OWN = ("base_url", "model", "served_model", "api_key", "price", "connect")  # set by the resource
TeacherResource = with_fields(TeacherResource, TeacherSettings, exclude=_TEACHER_OWN)


def translator_pool(teacher: TeacherResource, translator: TeacherResource) -> str:
    """The teacher's pool when the translator calls the same endpoint (one bound for both), else its own."""
    return TEACHER_POOL if translator.endpoint == teacher.endpoint else TRANSLATOR_POOL


@contextmanager
def teacher_step(role: str) -> Iterator[None]:
    """Turn an endpoint that is down or refuses every call into a step failure that says so."""
    try:
        yield
    except (EndpointDown, EndpointRejected) as exc:
        raise dg.Failure(
            description=f"the {role} endpoint stopped the step: {exc}. Every response received so far "
            "is in the ledger; re-run the step to resume.",
            allow_retries=False,
        ) from exc


class OcrResource(dg.ConfigurableResource):
    """PDF text extraction: text layer first (inline math rebuilt, vector-drawn formulas OCR'd), an OCR
    engine for scanned pages. ``engine``: rapidocr | paddleocr | tesseract; ``dpi`` 0: the engine's own;
    ``options``: engine options (paddleocr: ``model_root`` or ``model_dirs``; tesseract: ``langs``)."""

    # and every field of ocr.Settings and ocr.Limits but the engine's (with_fields below)
    engine: str = "rapidocr"
    dpi: int = 0
    options: dict[str, Any] = {}
    workers: int = 2  # processes per collection

    def settings(self) -> Settings:
        return Settings(
            engine=EngineConfig(self.engine, self.dpi, dict(self.options)),
            limits=Limits(**config_values(self, Limits)),
            **config_values(self, Settings, exclude=_OCR_NESTED),
        )


_OCR_NESTED = ("engine", "limits")
OcrResource = with_fields(OcrResource, Settings, Limits, exclude=_OCR_NESTED)


class CotResource(dg.ConfigurableResource):
    """How chain-of-thought samples are asked for; ``modes`` overrides ``mode`` per collection."""

    mode: str = (
        CotMode.DISTILL.value
    )  # distill (the teacher solves) | realign (it rewrites the reference solution)
    modes: dict[str, str] = {}  # collection -> mode
    samples_per_problem: int = 1
    distill_prompt: str = "configs/prompts/cot_distill.yaml"
    realign_prompt: str = "configs/prompts/cot_realign.yaml"
    translate_prompt: str = "configs/prompts/translate.yaml"
    translate_max_tokens: int = 1024
    translate_solutions: bool = True  # realign collections get their solutions translated regardless
    translate_retry: bool = (
        True  # a translation that changed numbers or formulas is asked once more (temperature 0)
    )
    translate_drop_flagged: bool = True  # one still changed after that is an error row (translation_changed)
    teacher_input: str = TeacherInput.TRANSLATED.value  # original: the teacher reads the source text

    def mode_for(self, collection: str) -> CotMode:
        mode = self.modes.get(collection, self.mode)
        if mode not in tuple(CotMode):
            raise ValueError(
                f"unknown CoT mode {mode!r} for {collection}; choose one of {', '.join(CotMode)}"
            )
        return CotMode(mode)

    def prompt(self, collection: str) -> Prompt:
        return Prompt.load(
            self.distill_prompt if self.mode_for(collection) == CotMode.DISTILL else self.realign_prompt
        )

    def translates_solutions(self, collection: str) -> bool:
        return self.translate_solutions or self.mode_for(collection) == CotMode.REALIGN


class DatasetResource(dg.ConfigurableResource):
    """Filters, deduplication, decontamination, views and checks of ``distill_dataset`` (README: Dataset)."""

    # and every field of DatasetPolicy (with_fields below)
    tokenizer: str = LOCAL_MODEL_ALIAS  # the student's tokenizer: local alias, hub id or path
    benchmark_files: list[str] = [
        f"samples/benchmarks/{b}.jsonl" for b in ("math500", "aime24", "amc23", "gaokao2024")
    ]
    min_verified_share: float = 0.5  # blocking check: share of SFT samples whose answer verified
    license: str = "other"
    heldout_files: list[str] = []  # extra eval problems (JSONL), never trained on
    sft_prompt: str = "configs/prompts/cot_distill.yaml"
    grpo_prompt: str = "configs/prompts/grpo.yaml"

    def policy(self) -> DatasetPolicy:
        return DatasetPolicy(**config_values(self, DatasetPolicy))

    def references(self) -> list[BenchmarkItem]:
        """What the dataset must not contain: the benchmark problems and the held-out ones."""
        return load_benchmarks([*self.benchmark_files, *self.heldout_files])

    def token_counter(self) -> CountTokens | None:
        return student_token_counter(self.tokenizer) if self.max_tokens else None


DatasetResource = with_fields(DatasetResource, DatasetPolicy)


class Runner(StrEnum):
    SUBPROCESS = "subprocess"
    K8S = "k8s"


class TrainingResource(dg.ConfigurableResource):
    """Recipes, launcher and evaluation of the student runs (``training/*.py``, launched through Dagster Pipes).

    ``eval_arms`` of ``student_eval``: ``base`` (``base_model``), ``rl`` (base + GRPO, ``rl_model``), ``sft``
    (``sft_model``), ``grpo`` (SFT + GRPO, ``grpo_model``). Problems: the dataset's ``eval/heldout.parquet``
    (first ``eval_max_problems``, 0: all) when ``eval_heldout``, plus bundled benchmarks by name with a
    subset size each (0: all; ``training.eval_sets``), MATH-500 capped at ``eval_max_level`` when set."""

    sft_recipe: str = "configs/recipes/sft_cpu.yaml"
    grpo_recipe: str = "configs/recipes/grpo_cpu.yaml"  # both GRPO arms: from the SFT model and from the base
    launcher: str = "python"  # "python" | "accelerate"
    runner: Runner = (
        Runner.SUBPROCESS
    )  # where the scripts run: subprocess (here) | k8s (a pod, PipesK8sClient)
    k8s: dict[str, Any] = {}  # the pod's training.k8s.PodSettings (image, gpus, work volume, ...)
    accelerate_config: str | None = None
    accelerate_args: list[str] = []  # e.g. ["--num_processes", "7"] when one GPU serves vLLM
    base_model: str = LOCAL_MODEL_ALIAS
    torch_threads: int = 0  # OMP_NUM_THREADS of the launched scripts; 0: torch's default (one per core)
    eval_arms: list[str] = ["base", "sft", "grpo"]
    eval_heldout: bool = True
    eval_max_problems: int = 0
    eval_benchmarks: dict[str, int] = {}
    eval_max_level: int | None = None
    eval_max_new_tokens: int = 256
    eval_batch_size: int = 8

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.runner is Runner.K8S:
            PodSettings(**self.k8s)  # a misspelt or missing pod setting fails here, not at launch

    def command(self, module: str, *args: str, distributed: bool = True) -> list[str]:
        """``python -m module args``, or under ``accelerate launch`` for distributed scripts when configured
        (in a pod, the image's ``python``)."""
        python = "python" if self.runner == Runner.K8S else sys.executable
        if distributed and self.launcher == "accelerate":
            config = ["--config_file", self.accelerate_config] if self.accelerate_config else []
            launch = [python, "-m", "accelerate.commands.launch", *config, *self.accelerate_args]
            return [*launch, "-m", module, *args]
        return [python, "-m", module, *args]

    def launch(
        self,
        context: dg.AssetExecutionContext,
        command: list[str],
        subprocess_client: dg.PipesSubprocessClient,
        extras: dict[str, Any] | None = None,
    ) -> dg.PipesClientCompletedInvocation:
        """Run a script through Dagster Pipes: a subprocess here, or a pod (``runner: k8s``)."""
        if self.runner is Runner.SUBPROCESS:
            return subprocess_client.run(command=command, context=context, extras=extras, env=self.env())
        from dagster_k8s import PipesK8sClient

        pod = PodSettings(**self.k8s)
        client = PipesK8sClient(
            load_incluster_config=pod.load_incluster_config,
            kubeconfig_file=pod.kubeconfig_file,
            kube_context=pod.kube_context,
        )
        return client.run(
            context=context,
            extras=extras,
            image=pod.image,
            command=command,
            namespace=pod.namespace,
            env=self.env(),
            base_pod_spec=pod_spec(pod),
        )

    def env(self) -> dict[str, str]:
        """Environment of the launched scripts."""
        return {"OMP_NUM_THREADS": str(self.torch_threads)} if self.torch_threads else {}

    def eval_problem_args(self, heldout: Path) -> list[str]:
        """The ``training.evaluate`` arguments that choose the problems."""
        args = ["--problems", str(heldout)] if self.eval_heldout else []
        if self.eval_heldout and self.eval_max_problems:
            args += ["--limit", str(self.eval_max_problems)]
        args += [arg for name, n in self.eval_benchmarks.items() for arg in ("--benchmark", f"{name}={n}")]
        return args + (["--max-level", str(self.eval_max_level)] if self.eval_max_level is not None else [])
