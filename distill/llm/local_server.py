"""The embedded teacher: ``transformers serve`` on a free loopback port.

``LocalTeacherServer.start()`` returns at once and loads the model in the background, so a run can
extract PDFs while the teacher warms up; ``base_url`` blocks until the server answers a real chat
request. ``stop()`` ends the whole process group. The continuous-batching cache has an absolute size
(``ServerSettings``); a server that cannot start with it is restarted without continuous batching. On Linux the server also gets SIGTERM when the process
that started it dies, so a killed run leaves no orphan server behind.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The parent-death signal comes when the *thread* that forked the server ends, not its process: servers
# are forked from this thread, which lives as long as the process, so one started by a short-lived thread
# (a step's asyncio.to_thread) outlives it.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="teacher-server-spawner")


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass(frozen=True)
class ServerSettings:
    """How the embedded server runs. The continuous-batching KV cache is an absolute budget: ``kv_cache_blocks``
    blocks of 256 tokens for every layer (64: 16k tokens, ~1.2 GB with the buffers that scale with it for
    SmolLM2-135M), never a share of what the machine reports. transformers still checks that footprint against
    ``memory_share`` of (machine memory - the server's RSS); 0.9 passes on a 4 GB machine."""

    continuous_batching: bool = True
    kv_cache_blocks: int = 64
    max_batch_tokens: int = 1024
    memory_share: float = 0.9
    startup_timeout_s: float = 300

    def serve_args(self) -> list[str]:
        if not self.continuous_batching:
            return []
        return [
            "--continuous-batching",
            "--cb-num-blocks", str(self.kv_cache_blocks),
            "--cb-max-batch-tokens", str(self.max_batch_tokens),
            "--cb-max-memory-percent", str(self.memory_share),
        ]  # fmt: skip


class LocalTeacherServer:
    """``transformers serve`` of one model dir. When continuous batching cannot start (the process dies or the
    readiness request gets a server error), the server is restarted without it: ``fallback`` says why."""

    def __init__(self, model_dir: str | Path, settings: ServerSettings | None = None):
        self.model_dir = str(model_dir)
        self.port = free_port()
        self.settings = settings or ServerSettings()
        self.fallback: str | None = None
        self._process: subprocess.Popen | None = None
        self._log_file = tempfile.NamedTemporaryFile(prefix="teacher-server-", suffix=".log", delete=False)
        self._ready = threading.Event()
        self._failure: str | None = None
        self._waiter: threading.Thread | None = None

    @property
    def log_path(self) -> str:
        return self._log_file.name

    @property
    def mode(self) -> str:
        """What is serving: continuous batching, or the plain server (and why)."""
        if self.fallback:
            return f"plain (continuous batching failed: {self.fallback})"
        return "continuous batching" if self.settings.continuous_batching else "plain"

    def start(self) -> LocalTeacherServer:
        self._spawn(self.settings)
        self._waiter = threading.Thread(target=self._wait_until_ready, daemon=True)
        self._waiter.start()
        return self

    def _spawn(self, settings: ServerSettings) -> None:
        command = [
            sys.executable,
            "-c",
            "import sys; from transformers.cli.transformers import main; sys.exit(main())",
            "serve",
            self.model_dir,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--device",
            "cpu",
            *settings.serve_args(),
        ]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1"}
        log.info(
            "starting transformers serve for %s on 127.0.0.1:%d (%s; log %s)",
            self.model_dir,
            self.port,
            " ".join(settings.serve_args()) or "plain",
            self.log_path,
        )
        self._process = _SPAWNER.submit(
            subprocess.Popen,
            command,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        ).result()

    def _wait_until_ready(self) -> None:
        problem = self._probe_until_ready()
        if problem and self.settings.continuous_batching and not self.fallback:
            self.fallback = f"{problem}: {self._error_line()}"
            log.warning(
                "the embedded teacher could not serve with continuous batching (%s); restarting it "
                "without (slower)",
                self.fallback,
            )
            self._kill()
            self._spawn(replace(self.settings, continuous_batching=False))
            problem = self._probe_until_ready()
        self._failure = f"teacher server {problem}; see {self.log_path}" if problem else None
        self._ready.set()

    def _probe_until_ready(self) -> str | None:
        """None once a real chat request is answered, else what went wrong."""
        deadline = time.monotonic() + self.settings.startup_timeout_s
        body = json.dumps(
            {"model": self.model_dir, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
        ).encode()
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return "exited early"
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{self.port}/v1/chat/completions",
                    data=body,
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=120) as response:
                    if response.status == 200:
                        return None
            except urllib.error.HTTPError as exc:
                if exc.code >= 500:  # it listens but cannot generate
                    return f"answered HTTP {exc.code}"
                time.sleep(0.5)
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.5)
        return f"not ready after {self.settings.startup_timeout_s:.0f}s"

    def _error_line(self) -> str:
        """The last error the server logged (e.g. transformers' cache sizing), for the fallback reason."""
        lines = [line for line in self._tail_log(40).splitlines() if "Error" in line]
        return lines[-1].strip()[:300] if lines else "no error logged"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL, once the server answers (raises if it could not start)."""
        if self._process is None:
            raise RuntimeError("LocalTeacherServer.start() was not called")
        self._ready.wait()
        if self._failure:
            raise RuntimeError(self._failure + "\n" + self._tail_log())
        return f"http://127.0.0.1:{self.port}/v1"

    def _tail_log(self, lines: int = 20) -> str:
        text = Path(self.log_path).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()

    def stop(self) -> None:
        self._kill()
        self._log_file.close()

    def __enter__(self) -> LocalTeacherServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
