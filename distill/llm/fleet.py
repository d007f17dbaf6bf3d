"""Several OpenAI-compatible servers of one model, used as one teacher (``teacher.base_urls``).

Each call goes to the server with the fewest requests outstanding among those whose circuit breaker is
closed; a server whose calls keep failing is ejected by its breaker (``flow_control.CircuitBreaker``) and
gets one probe per cool-down, and is back on its first success. A server that fails for longer than the
breaker's give-up time is out for the rest of the run; only when every server is out does the run stop
(``EndpointDown``). Per server, the run counts calls, failures, ejections and latency.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import openai

from distill.llm.flow_control import CircuitBreaker, EndpointDown


@dataclass
class Endpoint:
    base_url: str
    breaker: CircuitBreaker
    client: openai.AsyncOpenAI | None = None
    outstanding: int = 0
    calls: int = 0  # attempts sent
    answered: int = 0
    failures: int = 0  # endpoint failures (5xx, timeouts, dropped connections)
    ejections: int = 0  # times its breaker opened
    latency_s: float = 0.0  # summed over answered calls
    out_since: str = ""  # why it is out for the rest of the run ("" while it is in)

    def figures(self) -> dict:
        return {
            "calls": self.calls,
            "answered": self.answered,
            "failures": self.failures,
            "ejections": self.ejections,
            "mean_latency_s": round(self.latency_s / self.answered, 3) if self.answered else 0.0,
            "out": self.out_since or "no",
        }


@dataclass
class Fleet:
    endpoints: list[Endpoint]
    open_client: Callable[[str], openai.AsyncOpenAI]
    connect: Callable[[], str] | None = None  # gives the only server's URL when first needed (embedded)
    _opening: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def of(cls, urls: list[str], breaker: Callable[[], CircuitBreaker], open_client, connect=None) -> Fleet:
        return cls([Endpoint(url, breaker()) for url in urls], open_client, connect)

    async def acquire(self) -> Endpoint:
        """A server to send one attempt to (waits while every breaker is open); count it outstanding."""
        while True:
            now = time.monotonic()
            live = [e for e in self.endpoints if not e.out_since]
            closed = [e for e in live if not e.breaker.is_open]
            chosen = min(closed, key=lambda e: e.outstanding) if closed else self._probe(live, now)
            if chosen is not None:
                if chosen.client is None:
                    await self._open(chosen)
                chosen.outstanding += 1
                chosen.calls += 1
                return chosen
            waits = [e.breaker.next_probe - now for e in self.endpoints if not e.out_since]
            await asyncio.sleep(max(min(waits), 0.01))

    def _probe(self, live: list[Endpoint], now: float) -> Endpoint | None:
        """An open server due for its probe; a server past its give-up time goes out for good."""
        for endpoint in live:
            try:
                if endpoint.breaker.delay(now) == 0:
                    return endpoint
            except EndpointDown as down:
                endpoint.out_since = str(down)
        if all(e.out_since for e in self.endpoints):
            raise EndpointDown("; ".join(f"{e.base_url}: {e.out_since}" for e in self.endpoints))
        return None

    async def _open(self, endpoint: Endpoint) -> None:
        async with self._opening:
            if endpoint.client is None:
                if self.connect is not None:
                    endpoint.base_url = await asyncio.to_thread(self.connect)
                endpoint.client = self.open_client(endpoint.base_url)

    def done(self, endpoint: Endpoint, latency_s: float | None = None, failure: str = "") -> None:
        """An attempt ended: answered (``latency_s``), an endpoint failure (``failure``), or neither."""
        endpoint.outstanding -= 1
        if latency_s is not None:
            endpoint.answered += 1
            endpoint.latency_s += latency_s
            endpoint.breaker.record_success()
        elif failure:
            was_open = endpoint.breaker.is_open
            endpoint.failures += 1
            endpoint.breaker.record_failure(time.monotonic(), failure)
            endpoint.ejections += endpoint.breaker.is_open and not was_open

    def figures(self) -> dict[str, dict]:
        return {shown_url(e.base_url): e.figures() for e in self.endpoints}

    async def close(self) -> None:
        for endpoint in self.endpoints:
            if endpoint.client is not None:
                await endpoint.client.close()


def shown_url(url: str) -> str:
    """A URL without credentials (``https://user:key@host`` -> ``https://host``)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rsplit('@', 1)[-1]}" if rest else url
