"""The embedded teacher: ``transformers serve`` on a free loopback port.

``LocalTeacherServer.start()`` returns at once and loads the model in the background, so a run can
extract PDFs while the teacher warms up; ``base_url`` blocks until the server answers a real chat
request. ``stop()`` ends the whole process group. On Linux the server also gets SIGTERM when the process
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


class LocalTeacherServer:
    def __init__(
        self,
        model_dir: str | Path,
        *,
        continuous_batching: bool = True,
        kv_cache_memory_fraction: float = 0.05,
        startup_timeout_s: float = 300,
    ):
        self.model_dir = str(model_dir)
        self.port = free_port()
        self.continuous_batching = continuous_batching
        # Without a bound, continuous batching sizes its KV cache from the machine's memory (14 GB here).
        self.kv_cache_memory_fraction = kv_cache_memory_fraction
        self.startup_timeout_s = startup_timeout_s
        self._process: subprocess.Popen | None = None
        self._log_file = tempfile.NamedTemporaryFile(prefix="teacher-server-", suffix=".log", delete=False)
        self._ready = threading.Event()
        self._failure: str | None = None
        self._waiter: threading.Thread | None = None

    @property
    def log_path(self) -> str:
        return self._log_file.name

    def start(self) -> LocalTeacherServer:
        command = [
            sys.executable, "-c", "import sys; from transformers.cli.transformers import main; sys.exit(main())",
            "serve", self.model_dir, "--host", "127.0.0.1", "--port", str(self.port), "--device", "cpu",
        ]  # fmt: skip
        if self.continuous_batching:
            command += [
                "--continuous-batching",
                "--cb-max-memory-percent",
                str(self.kv_cache_memory_fraction),
            ]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1"}
        log.info("starting transformers serve for %s on 127.0.0.1:%d (log %s)", self.model_dir, self.port,
                 self.log_path)  # fmt: skip
        self._process = _SPAWNER.submit(
            subprocess.Popen,
            command,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        ).result()
        self._waiter = threading.Thread(target=self._wait_until_ready, daemon=True)
        self._waiter.start()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        body = json.dumps(
            {"model": self.model_dir, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
        ).encode()
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                self._failure = f"teacher server exited early; see {self.log_path}"
                break
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{self.port}/v1/chat/completions",
                    data=body,
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=120) as response:
                    if response.status == 200:
                        self._ready.set()
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.5)
        else:
            self._failure = (
                f"teacher server not ready after {self.startup_timeout_s:.0f}s; see {self.log_path}"
            )
        self._ready.set()

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

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        self._log_file.close()

    def __enter__(self) -> LocalTeacherServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
