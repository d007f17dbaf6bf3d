"""A periodic progress line for long teacher steps: done/total, rate, ETA."""

from __future__ import annotations

import time
from collections.abc import Callable


class ProgressLog:
    """A ``(done, total)`` callback that calls ``log`` at most every ``every_s`` seconds, and at the end."""

    def __init__(self, log: Callable[[str], None], label: str, every_s: float = 30.0):
        self.log = log
        self.label = label
        self.every_s = every_s
        self.started = time.monotonic()
        self.last = self.started

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < self.every_s and done != total:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        line = f"{self.label}: {done}/{total or '?'} ({rate:.1f}/s"
        if total and done < total and rate > 0:
            line += f", ETA {(total - done) / rate / 60:.1f} min"
        self.log(line + ")")
