"""Flow control for calls to a rate-limited endpoint that sometimes fails (pure logic).

- ``RateLimiter``: requests- and tokens-per-minute token buckets, plus a pause that every caller
  honours when the server answered 429 with ``Retry-After``;
- ``RetryPolicy``: which failures are retried, how long to wait (exponential backoff with jitter,
  or the server's ``Retry-After``);
- ``CircuitBreaker``: after a run of endpoint failures it lets one probe through per cooldown instead
  of every row burning its retries, and gives up with ``EndpointDown`` when the endpoint stays down.

Every rule takes the time as an argument (``now``, monotonic seconds), so it is tested without waiting.
"""

from __future__ import annotations

import email.utils
import enum
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


class EndpointDown(RuntimeError):
    """The endpoint failed every call for longer than the breaker's patience: stop the step."""


class EndpointRejected(RuntimeError):
    """The endpoint refuses every call (bad key, no access, unknown model or URL): stop the step."""


class Outcome(enum.Enum):
    RETRY = "retry"  # transient: try again after a delay
    FAIL = "fail"  # this request is bad (400, 422, ...): record the error, go on with the others
    FATAL = "fatal"  # every request would fail the same way: stop the step


_FATAL_STATUS = frozenset({401, 403, 404})
_RETRY_STATUS = frozenset({408, 409, 429})


def classify(status: int | None) -> Outcome:
    """``status`` is the HTTP status, or None for a transport failure (reset, timeout, truncated body)."""
    if status is None or status >= 500 or status in _RETRY_STATUS:
        return Outcome.RETRY
    if status in _FATAL_STATUS:
        return Outcome.FATAL
    return Outcome.FAIL


def is_endpoint_failure(status: int | None) -> bool:
    """Failures that say the endpoint is unhealthy (counted by the breaker); 4xx says it is up."""
    return status is None or status >= 500


def retry_after_s(headers: Mapping[str, str], now_epoch: float | None = None) -> float | None:
    """Seconds from ``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date), or None."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / scale)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError):
            continue
        return max(0.0, when - (time.time() if now_epoch is None else now_epoch))
    return None


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 8
    base_s: float = 1.0
    max_backoff_s: float = 60.0
    max_retry_after_s: float = 600.0

    def delay(
        self, attempt: int, retry_after: float | None, rng: Callable[[], float] = random.random
    ) -> float:
        """Wait before attempt ``attempt + 1``: the server's ``Retry-After`` when given (capped), else
        exponential backoff with jitter (half fixed, half random, so retries do not move in lockstep)."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after_s) * (1 + 0.1 * rng())
        ceiling = min(self.max_backoff_s, self.base_s * 2 ** (attempt - 1))
        return ceiling * (0.5 + 0.5 * rng())


@dataclass
class TokenBucket:
    """Capacity of one minute's worth; reservations may overdraw it and then wait their turn."""

    per_minute: float
    level: float = field(init=False)
    updated: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.per_minute <= 0:
            raise ValueError("a per-minute limit must be positive")
        self.level = self.per_minute

    def reserve(self, amount: float, now: float) -> float:
        """Take ``amount`` at ``now``; the seconds to wait before using it (0 when available)."""
        rate = self.per_minute / 60.0
        if self.updated is not None:
            self.level = min(self.per_minute, self.level + (now - self.updated) * rate)
        self.updated = now
        self.level -= amount
        return max(0.0, -self.level / rate)


class RateLimiter:
    """Requests and tokens per minute (either may be None: unlimited), and a shared pause."""

    def __init__(self, requests_per_minute: float | None = None, tokens_per_minute: float | None = None):
        self.requests = TokenBucket(requests_per_minute) if requests_per_minute else None
        self.tokens = TokenBucket(tokens_per_minute) if tokens_per_minute else None
        self.paused_until = 0.0

    def delay(self, tokens: int, now: float) -> float:
        """Reserve one request of about ``tokens`` tokens; the seconds to wait before sending it."""
        waits = [self.paused_until - now, 0.0]
        if self.requests:
            waits.append(self.requests.reserve(1, now))
        if self.tokens:
            waits.append(self.tokens.reserve(tokens, now))
        return max(waits)

    def charge(self, tokens: int, now: float) -> None:
        """Correct the token estimate by the real usage (negative: give tokens back)."""
        if self.tokens:
            self.tokens.reserve(tokens, now)

    def pause(self, seconds: float, now: float) -> None:
        """The server asked every caller to wait (429 with ``Retry-After``)."""
        self.paused_until = max(self.paused_until, now + seconds)


@dataclass
class CircuitBreaker:
    """Closed until ``threshold`` endpoint failures in a row; then open: one probe per ``cooldown_s``.
    Any success closes it. A failure streak longer than ``give_up_s`` raises ``EndpointDown``."""

    threshold: int = 10
    cooldown_s: float = 10.0
    give_up_s: float = 300.0
    failures: int = field(default=0, init=False)
    failing_since: float | None = field(default=None, init=False)
    next_probe: float = field(default=0.0, init=False)
    last_error: str = field(default="", init=False)

    @property
    def is_open(self) -> bool:
        return self.failures >= self.threshold

    def record_success(self) -> None:
        self.failures = 0
        self.failing_since = None

    def record_failure(self, now: float, error: str) -> None:
        if self.failing_since is None:
            self.failing_since = now
        self.failures += 1
        self.last_error = error
        if self.is_open:
            self.next_probe = max(self.next_probe, now + self.cooldown_s)

    def delay(self, now: float) -> float:
        """Seconds before the caller may send (0: go; when open, the caller that gets 0 is the probe)."""
        if not self.is_open:
            return 0.0
        if self.failing_since is not None and now - self.failing_since >= self.give_up_s:
            raise EndpointDown(
                f"the endpoint failed every call for {now - self.failing_since:.0f}s "
                f"({self.failures} failures in a row; last: {self.last_error})"
            )
        if now >= self.next_probe:
            self.next_probe = now + self.cooldown_s
            return 0.0
        return self.next_probe - now
