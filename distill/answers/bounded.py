"""``parse_many`` / ``verify_many``: answers parsed and verified with a bounded time per item.

math-verify can hang on adversarial input and its own timeouts need the main thread, so batches go to
worker processes that are killed when an item runs over (the item's result is then None).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections import deque
from multiprocessing.connection import wait
from pathlib import Path

from distill.answers.normalize import answer_parses, verify_answer

# Workers are fresh interpreters started with ``subprocess`` (like the "spawn" start method, but they
# never re-import the caller's ``__main__``, so no ``if __name__ == "__main__"`` guard is needed). They
# speak JSON lines: a request ``[op, [[index, args], ...]]`` (a chunk of items) on stdin, a reply
# ``[index, result]`` per item on stdout as soon as that item is done, so that a worker killed on a hung
# item has already handed over the items before it.

_STARTUP_TIMEOUT_S = 120.0
_MAX_CHUNK = 64  # items per round trip; chunks shrink towards the end so that the workers finish together
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_WORKER_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); from distill.answers.bounded import _worker_main; "
    "_worker_main(int(sys.argv[2]))"
)


def _exit_when_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(1)


def _worker_main(parent_pid: int) -> None:
    """Worker loop: answer each item of each request line until stdin closes or the parent is gone."""
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt the protocol
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    verify_answer("1", "1")  # warm up parser and sympy before reporting ready
    out.write('"ready"\n')
    out.flush()
    for line in sys.stdin:
        op, chunk = json.loads(line)
        for index, args in chunk:
            try:
                result = _OPS[op](*args)
            except Exception:  # one bad item must not end the worker
                result = None
            out.write(json.dumps([index, result]) + "\n")
            out.flush()


class _Worker:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE, _PACKAGE_ROOT, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.ready = False
        self.tasks: deque[int] = deque()  # sent, not answered yet, in the order the worker takes them
        self.partial = b""  # the start of a reply line not complete yet
        self.deadline = time.monotonic() + _STARTUP_TIMEOUT_S

    def send(self, op: str, chunk: list[tuple[int, tuple]]) -> None:
        self.proc.stdin.write((json.dumps([op, chunk]) + "\n").encode("utf-8"))
        self.proc.stdin.flush()

    def replies(self) -> list | None:
        """The reply lines that have arrived (read straight from the pipe); None when the worker is gone."""
        data = os.read(self.proc.stdout.fileno(), 1 << 16)
        if not data:
            return None
        *lines, self.partial = (self.partial + data).split(b"\n")
        return [json.loads(line) for line in lines]

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


class _VerifyPool:
    """A fixed number of worker processes; a worker that runs over its deadline is killed and replaced."""

    def __init__(self, workers: int) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.workers = [_Worker() for _ in range(workers)]

    def close(self) -> None:
        for w in self.workers:
            w.kill()
        self.workers = []

    def _replace(self, w: _Worker, pending: deque[int]) -> None:
        """Kill ``w``: the item it was on stays None, the rest of its chunk goes back to ``pending``."""
        if not w.ready:
            self.close()
            raise RuntimeError("a verify_many worker process failed to start")
        if w.tasks:
            w.tasks.popleft()
        pending.extendleft(reversed(w.tasks))
        w.kill()
        self.workers[self.workers.index(w)] = _Worker()

    def run(self, op: str, items: list[tuple], timeout_s: float) -> list[bool | None]:
        results: list[bool | None] = [None] * len(items)
        pending = deque(range(len(items)))
        while pending or any(w.tasks for w in self.workers):
            for w in list(self.workers):
                if w.ready and not w.tasks and pending:
                    size = max(1, min(_MAX_CHUNK, len(pending) // (2 * len(self.workers))))
                    w.tasks.extend(pending.popleft() for _ in range(size))
                    try:
                        w.send(op, [(i, items[i]) for i in w.tasks])
                    except OSError:  # died while idle: its chunk goes to a fresh worker
                        pending.extendleft(reversed(w.tasks))
                        w.tasks.clear()
                        self._replace(w, pending)
                        continue
                    w.deadline = time.monotonic() + timeout_s
            by_stdout = {w.proc.stdout: w for w in self.workers}
            wait_s = max(0.0, min(w.deadline for w in self.workers) - time.monotonic())
            for stdout in wait(list(by_stdout), timeout=wait_s):
                w = by_stdout[stdout]
                replies = w.replies()
                if replies is None:  # the worker crashed on its current item, which stays None
                    self._replace(w, pending)
                    continue
                for reply in replies:
                    if reply == "ready":
                        w.ready = True
                    else:
                        results[w.tasks.popleft()] = reply[1]  # replies come in the order of the chunk
                # the time bound is per item: the next one started when this reply was written
                w.deadline = time.monotonic() + timeout_s if w.tasks else float("inf")
            now = time.monotonic()
            for w in list(self.workers):
                if now >= w.deadline:
                    self._replace(w, pending)  # a hung item: kill the worker, the item stays None
        return results


_POOLS: dict[int, _VerifyPool] = {}
_POOLS_LOCK = threading.Lock()


def _pool(workers: int) -> _VerifyPool:
    with _POOLS_LOCK:
        pool = _POOLS.get(workers)
        if pool is None or pool.pid != os.getpid() or not pool.workers:
            pool = _POOLS[workers] = _VerifyPool(workers)
        return pool


@atexit.register
def _shutdown_pools() -> None:
    with _POOLS_LOCK:
        for pool in _POOLS.values():
            if pool.pid == os.getpid():
                pool.close()
        _POOLS.clear()


def _run_bounded(op: str, items: list[tuple], timeout_s: float, workers: int) -> list[bool | None]:
    if workers == 0:
        return [_OPS[op](*args) for args in items]
    if workers < 0:
        raise ValueError("workers must be >= 0")
    if not items:
        return []
    pool = _pool(workers)
    with pool.lock:
        return pool.run(op, items, timeout_s)


def verify_many(
    pairs: list[tuple[str, str]], *, timeout_s: float = 5.0, workers: int = 1
) -> list[bool | None]:
    """``verify_answer`` over ``(gold, pred)`` pairs, at most ``timeout_s`` per item (None when over).

    Items run in a module-level pool of ``workers`` processes (started once per process and reused,
    callable from any thread; concurrent calls on one pool run one after the other), sent in chunks to
    save round trips. An item's time bound starts when its warmed-up worker is done with the item before
    it (or receives the chunk); a worker that runs over is killed and replaced, and the rest of its chunk
    goes to the others. ``workers=0`` runs in-process without a bound.
    """
    return _run_bounded("verify", list(pairs), timeout_s, workers)


def parse_many(answers: list[str], *, timeout_s: float = 5.0, workers: int = 1) -> list[bool | None]:
    """``answer_parses`` over normalized answers, in the same bounded pool (None when over the bound)."""
    return _run_bounded("parses", [(a,) for a in answers], timeout_s, workers)


_OPS = {"verify": verify_answer, "parses": answer_parses}
