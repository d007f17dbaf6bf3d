"""Chat requests to an OpenAI-compatible teacher, through the ledger, with flow control.

``TeacherClient.stream`` takes requests lazily, answers those the ledger holds without a network call,
and sends the others with ``openai.AsyncOpenAI`` (one client per server of the fleet,
``distill.llm.fleet``) from ``concurrency`` workers, each key leased in the ledger while it is sent
(``distill.llm.ledger``): in flight are at most ``concurrency`` requests plus short queues, whatever the
number of requests. Each response is
committed to the ledger as it arrives (a writer thread commits what arrived meanwhile in one
transaction, so sending never waits for the disk), and only then handed to the caller's sink; answers
received when the run stops early are still committed. ``run`` is the list-in, list-out form. The
endpoint is opened when the first request has to be sent (``TeacherSettings.connect`` may start a local
server then): a run answered from the ledger alone never touches it.

Retries are done here, not by the openai client, so that each attempt goes through the rate limiter
and the circuit breaker (``distill.llm.flow_control``) and is counted: 429 (``Retry-After`` pauses every
worker), 408, 409, 5xx, timeouts, dropped connections and truncated bodies are retried with backoff;
other 4xx fail that request only; 401/403/404 and a breaker that gives up stop the whole run.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx2
import openai
from openai.types.chat import ChatCompletion

from distill.llm.costs import Price
from distill.llm.fleet import Endpoint, Fleet, shown_url
from distill.llm.flow_control import (
    CircuitBreaker,
    EndpointDown,
    EndpointRejected,
    Outcome,
    RateLimiter,
    RetryPolicy,
    classify,
    is_endpoint_failure,
    retry_after_s,
)
from distill.llm.ledger import (
    ERROR,
    OK,
    Ledger,
    LedgerEntry,
    lease_owner,
    release_dead_leases,
    request_key,
)

log = logging.getLogger(__name__)

LINGER_S = 0.01  # how long a ledger commit waits for more answers to join it

Progress = Callable[[int, int], None]  # (done, total); total is 0 when unknown
KEY_HEADER = "X-Client-Request-Id"  # the ledger key travels with every attempt, for tracing and dedup


@dataclass(frozen=True)
class TeacherSettings:
    base_url: str
    model: str  # logical name: part of every request key and of provenance
    served_model: str = ""  # name sent to the endpoint when it differs (e.g. a local path)
    api_key: str = "EMPTY"
    max_tokens: int = 1024
    temperature: float = 0.6
    top_p: float = 0.95
    concurrency: int = 8
    timeout_s: float = 1800.0  # per attempt: reasoning models think for minutes
    connect_timeout_s: float = 10.0
    base_urls: tuple[str, ...] = ()  # a fleet of servers of this model, used in place of base_url
    max_retries: int = 8
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None  # prompt (estimated) + completion tokens
    breaker_threshold: int = 10  # endpoint failures in a row that open the breaker
    breaker_cooldown_s: float = 10.0
    breaker_give_up_s: float = 300.0
    price: Price = field(default_factory=Price)
    lease_s: float = 300.0  # a claimed key's lease (renewed while its call runs; a killed worker's expires)
    lease_poll_s: float = (
        0.5  # how often the keys other workers hold are looked up again (their answers in one query)
    )
    connect: Callable[[], str] | None = None  # gives base_url when a run first sends (embedded server)

    def sampling_params(self) -> dict:
        return {"max_tokens": self.max_tokens, "temperature": self.temperature, "top_p": self.top_p}

    def __repr__(self) -> str:  # never print the key
        return f"TeacherSettings(base_url={self.base_url!r}, model={self.model!r})"


@dataclass(frozen=True)
class ChatRequest:
    messages: list[dict]
    prompt_version: str
    sample_index: int = 0
    max_tokens: int | None = None  # overrides the settings' max_tokens (and is then part of the key)
    response_format: dict | None = None  # e.g. a JSON schema; part of the key when set


@dataclass
class ChatResult:
    key: str
    content: str = ""
    reasoning: str = ""  # from message.reasoning_content (DeepSeek) or message.reasoning (vLLM)
    finish_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float = 0.0
    attempts: int = 0
    cached: bool = False
    error: str | None = None


@dataclass
class RunStats:
    requested: int = 0
    cached: int = 0  # answered from the ledger
    sent: int = 0  # answered by the endpoint in this run
    failed: int = 0
    deduplicated: int = 0  # the same request twice in one run: sent once
    from_other_workers: int = 0  # answered by another worker that held the key's lease meanwhile
    retries: int = 0
    prompt_tokens: int = 0
    cached_prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    errors: Counter = field(default_factory=Counter)
    endpoints: dict[str, dict] = field(default_factory=dict)  # per server of a fleet (``fleet.Fleet``)

    def as_metadata(self) -> dict:
        per_s = (lambda n: round(n / self.seconds, 2)) if self.seconds else (lambda n: 0.0)
        return {
            "requests": self.requested,
            "sent": self.sent,
            "cached": self.cached,
            "from_other_workers": self.from_other_workers,
            "failed": self.failed,
            "retries": self.retries,
            "tokens_in": self.prompt_tokens,
            "tokens_in_cached": self.cached_prompt_tokens,
            "tokens_out": self.completion_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "requests_per_s": per_s(self.sent + self.failed),
            "tokens_out_per_s": per_s(self.completion_tokens),
            "seconds": round(self.seconds, 2),
            **({"endpoints": self.endpoints} if self.endpoints else {}),
        }


def reasoning_of(message: object) -> str:
    for name in ("reasoning_content", "reasoning"):
        value = getattr(message, name, None)
        if isinstance(value, str) and value:
            return value
    return ""


def _cached_tokens(usage: object) -> int:
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) or getattr(usage, "prompt_cache_hit_tokens", None)
    return int(cached or 0)


def _estimate_tokens(messages: list[dict]) -> int:
    return sum(len(str(m.get("content", ""))) for m in messages) // 3 + 8


class _BadResponse(Exception):
    """A 2xx answer that is not a usable chat completion (truncated body, no choices, not JSON)."""


def _redact(text: str, secret: str) -> str:
    return text.replace(secret, "***") if secret and secret != "EMPTY" else text


class _GroupCommit:
    """Commits ledger entries from a worker thread while the event loop keeps sending; the entries that
    arrive during one commit, or within LINGER_S of the first, go together in the next. ``committed`` is called with each entry once its
    transaction is done, never before. A failed commit ends the run (the exception propagates)."""

    def __init__(self, ledger: Ledger, committed: Callable[[LedgerEntry], None], backlog: int):
        self.ledger = ledger
        self.committed = committed
        self.queue: asyncio.Queue[LedgerEntry | None] = asyncio.Queue(maxsize=backlog)
        self.taken: list[LedgerEntry] = []  # out of the queue, not yet committed

    async def put(self, entry: LedgerEntry | None) -> None:
        """Queue an entry (None: no more will come)."""
        await self.queue.put(entry)

    async def run(self) -> None:
        closed = False
        while not closed:
            batch = [await self.queue.get()]
            self.taken = [entry for entry in batch if entry is not None]
            if self.taken and self.queue.qsize() < self.queue.maxsize // 2:
                await asyncio.sleep(LINGER_S)  # let a batch gather: a thread hop costs more than a row
            while not self.queue.empty():
                batch.append(self.queue.get_nowait())
            closed = batch[-1] is None
            self.taken = entries = [entry for entry in batch if entry is not None]
            if entries:
                await asyncio.to_thread(self.ledger.put_many, entries)
            self.taken = []
            for entry in entries:
                self.committed(entry)

    def flush(self) -> None:
        """Commit what is still taken or queued (when the run stops early: received answers are never
        dropped; committing one twice changes nothing)."""
        entries, self.taken = self.taken, []
        while not self.queue.empty():
            entries.append(self.queue.get_nowait())
        if entries := [entry for entry in entries if entry is not None]:
            self.ledger.put_many(entries)


class TeacherClient:
    def __init__(self, settings: TeacherSettings, ledger: Ledger):
        self.settings = settings
        self.ledger = ledger
        self.retry = RetryPolicy(max_retries=settings.max_retries)

    def _params(self, request: ChatRequest) -> dict:
        params = self.settings.sampling_params()
        if request.max_tokens is not None:
            params["max_tokens"] = request.max_tokens
        if request.response_format is not None:
            params["response_format"] = request.response_format
        return params

    def key(self, request: ChatRequest) -> str:
        return request_key(
            self.settings.model,
            request.messages,
            self._params(request),
            request.sample_index,
            request.prompt_version,
        )

    def run(
        self, requests: list[ChatRequest], progress: Progress | None = None
    ) -> tuple[list[ChatResult], RunStats]:
        """Results in the order of ``requests``, and the counts of what was cached, sent and failed."""
        results: list[ChatResult | None] = [None] * len(requests)

        def keep(index: int, result: ChatResult) -> None:
            results[index] = result

        stats = self.stream(requests, keep, progress, total=len(requests))
        return [r for r in results if r is not None], stats

    def stream(
        self,
        requests: Iterable[ChatRequest],
        sink: Callable[[int, ChatResult], None],
        progress: Progress | None = None,
        total: int = 0,
    ) -> RunStats:
        """Hand ``sink(index, result)`` each result as soon as it is committed (in completion order).

        Raises ``EndpointDown`` / ``EndpointRejected`` when the endpoint is down or refuses every call;
        what was committed until then stays in the ledger for the next run.
        """
        return asyncio.run(self._stream(requests, sink, progress or (lambda done, total: None), total))

    async def _stream(
        self,
        requests: Iterable[ChatRequest],
        sink: Callable[[int, ChatResult], None],
        progress: Progress,
        total: int,
    ) -> RunStats:
        return await _Stream(self, requests, sink, progress, total).run()

    async def _call(
        self, fleet: Fleet, key: str, request: ChatRequest, limiter: RateLimiter, stats: RunStats
    ) -> LedgerEntry:
        """The ledger entry of this request: its answer, or its error once retries are spent. Each
        attempt goes to the fleet's least busy server whose breaker lets it through."""
        s = self.settings
        params = self._params(request)
        estimate = _estimate_tokens(request.messages)
        attempt = 0
        while True:
            attempt += 1
            endpoint = await fleet.acquire()
            entry, status, retry_after, error_type, error = await self._attempt(
                fleet, endpoint, key, request, params, attempt, limiter, estimate
            )
            if entry is not None:
                _count(entry, stats)
                limiter.charge(entry.prompt_tokens + entry.completion_tokens - estimate, time.monotonic())
                return entry
            error = _redact(error, s.api_key)
            outcome = classify(status)
            if outcome is Outcome.FATAL:
                raise EndpointRejected(
                    f"{shown_url(endpoint.base_url)} refuses the request for {s.model}: {error}"
                )
            if status == 429 and retry_after is not None:
                limiter.pause(min(retry_after, self.retry.max_retry_after_s), time.monotonic())
            if outcome is Outcome.FAIL or attempt > self.retry.max_retries:
                stats.failed += 1
                stats.errors[error_type] += 1
                return self._failure(key, request, error, attempt)
            stats.retries += 1
            log.debug("retrying %s after %s", key[:12], error)
            await asyncio.sleep(self.retry.delay(attempt, retry_after))

    async def _attempt(
        self,
        fleet: Fleet,
        endpoint: Endpoint,
        key: str,
        request: ChatRequest,
        params: dict,
        attempt: int,
        limiter: RateLimiter,
        estimate: int,
    ) -> tuple[LedgerEntry | None, int | None, float | None, str, str]:
        """One attempt on one server: (its entry, or None with the HTTP status, Retry-After, error type and
        error); the server is told how it went."""
        s = self.settings
        await _admit(limiter, estimate)
        started = time.monotonic()
        status, retry_after = None, None
        try:
            response = await endpoint.client.chat.completions.create(
                model=s.served_model or s.model,
                messages=request.messages,
                extra_headers={KEY_HEADER: key},
                **params,
            )
            if not isinstance(response, ChatCompletion) or not response.choices:
                raise _BadResponse("the endpoint returned no chat completion")
        except openai.APIStatusError as exc:
            status, retry_after = exc.status_code, retry_after_s(exc.response.headers)
            error_type, error = (
                type(exc).__name__,
                f"{type(exc).__name__}: HTTP {status}: {str(exc.message)[:300]}",
            )
        except (openai.APIError, _BadResponse, json.JSONDecodeError) as exc:
            error_type, error = type(exc).__name__, f"{type(exc).__name__}: {str(exc)[:300]}"
        else:
            latency = time.monotonic() - started
            fleet.done(endpoint, latency_s=latency)
            return self._entry(key, request, response, latency, attempt), None, None, "", ""
        fleet.done(endpoint, failure=_redact(error, s.api_key) if is_endpoint_failure(status) else "")
        return None, status, retry_after, error_type, error

    def _entry(
        self, key: str, request: ChatRequest, response: ChatCompletion, latency: float, attempts: int
    ) -> LedgerEntry:
        choice = response.choices[0]
        usage = response.usage
        tokens_in = usage.prompt_tokens if usage else 0
        tokens_out = usage.completion_tokens if usage else 0
        cached = _cached_tokens(usage) if usage else 0
        return LedgerEntry(
            key=key,
            model=self.settings.model,
            prompt_version=request.prompt_version,
            content=choice.message.content or "",
            reasoning=reasoning_of(choice.message),
            finish_reason=choice.finish_reason or "",
            prompt_tokens=tokens_in,
            completion_tokens=tokens_out,
            latency_s=latency,
            cost_usd=self.settings.price.cost(tokens_in, tokens_out, cached),
            attempts=attempts,
            created_at=time.time(),
            status=OK,
            cached_tokens=cached,
        )

    def _failure(self, key: str, request: ChatRequest, error: str, attempts: int) -> LedgerEntry:
        empty = dict(content="", reasoning="", finish_reason="", prompt_tokens=0, completion_tokens=0)
        return LedgerEntry(
            key=key,
            model=self.settings.model,
            prompt_version=request.prompt_version,
            **empty,
            latency_s=0.0,
            cost_usd=0.0,
            attempts=attempts,
            created_at=time.time(),
            status=ERROR,
            error=error,
        )


class _Stream:
    """One run of ``TeacherClient.stream``: a producer answers requests from the ledger (looked up in
    chunks) or claims and queues them, ``concurrency`` workers send the queued ones, and a ``_GroupCommit``
    commits each answer before the sink gets it. Identical requests in flight are sent once: the later
    ones wait for the first one's answer (``waiting``), or take it when it arrived after their chunk's
    ledger lookup (``recent``). A key leased by another worker (another process, run or machine) is not
    sent: it is looked up again until that worker's answer is in the ledger, or its lease expired and
    this run claims it (``held_elsewhere``); the leases this run holds are renewed while it runs."""

    CHUNK = 256  # requests keyed and looked up in the ledger at once
    producer: asyncio.Task[None]  # set by run before any worker starts

    def __init__(
        self,
        teacher: TeacherClient,
        requests: Iterable[ChatRequest],
        sink: Callable[[int, ChatResult], None],
        progress: Progress,
        total: int,
    ):
        s = teacher.settings
        self.teacher = teacher
        self.settings = s
        self.requests = requests
        self.sink = sink
        self.progress = progress
        self.total = total
        self.stats = RunStats()
        self.limiter = RateLimiter(s.requests_per_minute, s.tokens_per_minute)
        self.fleet = Fleet.of(
            list(s.base_urls) or [s.base_url],
            lambda: CircuitBreaker(s.breaker_threshold, s.breaker_cooldown_s, s.breaker_give_up_s),
            lambda url: openai.AsyncOpenAI(
                base_url=url,
                api_key=s.api_key,
                max_retries=0,  # retries are ours: counted, rate-limited, behind the breaker
                timeout=httpx2.Timeout(s.timeout_s, connect=s.connect_timeout_s),
            ),
            None if s.base_urls else s.connect,
        )
        self.queue: asyncio.Queue[tuple[str, ChatRequest] | None] = asyncio.Queue(maxsize=s.concurrency)
        # queued or in-flight key -> indices of the requests wanting it
        self.waiting: dict[str, list[int]] = {}
        # finished since the last ledger lookup (which did not see them)
        self.recent: dict[str, ChatResult] = {}
        self.done = 0
        self.commits = _GroupCommit(teacher.ledger, self.committed, backlog=4 * s.concurrency)
        self.working = s.concurrency  # workers still running; the last one closes the ledger queue
        self.fatal: Exception | None = None  # what stopped the run
        self.owner = lease_owner()
        self.leased: set[str] = set()  # keys this run claimed and has not committed
        self.held_elsewhere: dict[str, ChatRequest] = {}  # keys another worker's lease holds
        self.changed = asyncio.Event()  # set when nothing is waiting any more: the producer may end

    async def run(self) -> RunStats:
        """Send, commit and deliver everything; raise the first failure (after committing what arrived)."""
        started = time.monotonic()
        try:
            async with asyncio.TaskGroup() as group:
                committing = group.create_task(self.commits.run())
                renewing = group.create_task(self.renew())
                self.producer = group.create_task(self.produce())
                for _ in range(self.settings.concurrency):
                    group.create_task(self.work())
                await committing  # every answer committed: no lease left to renew
                renewing.cancel()
        except ExceptionGroup as failure:
            raise failure.exceptions[0] from None
        finally:
            self.commits.flush()
            if self.leased:  # claimed but never sent (a fatal failure): free them for other workers now
                self.teacher.ledger.release(sorted(self.leased), self.owner)
            await self.fleet.close()
            if len(self.fleet.endpoints) > 1:
                self.stats.endpoints = self.fleet.figures()
            self.stats.seconds = time.monotonic() - started
        if self.fatal is not None:
            raise self.fatal
        return self.stats

    def deliver(self, index: int, result: ChatResult) -> None:
        self.sink(index, result)
        self.done += 1
        self.progress(self.done, self.total)

    def committed(self, entry: LedgerEntry) -> None:
        """Deliver a committed answer to every request waiting for it."""
        result = _from_entry(entry, cached=False)
        self.recent[entry.key] = result
        self.leased.discard(entry.key)
        for index in self.waiting.pop(entry.key):
            self.deliver(index, result)
        if not self.waiting:
            self.changed.set()

    async def produce(self) -> None:
        """Deliver what the ledger or this run already answered, queue the rest; then end each worker."""
        stats = self.stats
        numbered = enumerate(self.requests)
        while chunk := list(itertools.islice(numbered, self.CHUNK)):
            keys = [self.teacher.key(request) for _, request in chunk]
            stats.requested += len(chunk)
            self.recent.clear()
            known = self.teacher.ledger.get_many(list(set(keys)))
            fresh: list[tuple[str, ChatRequest]] = []
            for (index, request), key in zip(chunk, keys, strict=True):
                if key in known:
                    stats.cached += 1
                    self.deliver(index, _from_entry(known[key], cached=True))
                elif key in self.recent:
                    stats.deduplicated += 1
                    self.deliver(index, self.recent[key])
                elif key in self.waiting:
                    stats.deduplicated += 1
                    self.waiting[key].append(index)
                else:
                    self.waiting[key] = [index]
                    fresh.append((key, request))
            for start in range(0, len(fresh), self.settings.concurrency):  # claimed just before they queue
                await self.send_claimed(fresh[start : start + self.settings.concurrency])
        while self.waiting and self.fatal is None:  # keys other workers hold: their answer, or their lease
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), self.settings.lease_poll_s)
            await self.look_again()
        for _ in range(self.settings.concurrency):
            await self.queue.put(None)

    async def look_again(self) -> None:
        """Deliver what other workers answered of the keys they held; queue those whose lease expired."""
        held = list(self.held_elsewhere)
        if not held:
            return
        for key, entry in self.teacher.ledger.get_many(held).items():
            del self.held_elsewhere[key]
            result = _from_entry(entry, cached=True)
            for index in self.waiting.pop(key):
                self.stats.from_other_workers += 1
                self.deliver(index, result)
        release_dead_leases(self.teacher.ledger, list(self.held_elsewhere))
        mine = self.teacher.ledger.claim(list(self.held_elsewhere), self.owner, self.settings.lease_s)
        self.leased |= mine
        for key in mine:
            await self.queue.put((key, self.held_elsewhere.pop(key)))

    async def send_claimed(self, batch: list[tuple[str, ChatRequest]]) -> None:
        """Claim a batch of keys (one transaction) and queue those this run now holds; the others wait in
        ``held_elsewhere``. Batches of ``concurrency`` keys, claimed as the queue takes them, let several
        workers share one collection's keys."""
        if not batch:
            return
        mine = self.teacher.ledger.claim([key for key, _ in batch], self.owner, self.settings.lease_s)
        self.leased |= mine
        for key, request in batch:
            if key in mine:
                await self.queue.put((key, request))
            else:
                self.held_elsewhere[key] = request

    async def renew(self) -> None:
        """Keep this run's leases alive while their calls run (every third of a lease)."""
        period = self.settings.lease_s / 3
        while True:
            await asyncio.sleep(period)
            if self.leased:
                self.teacher.ledger.renew(sorted(self.leased), self.owner, self.settings.lease_s)

    def stop(self, failure: Exception) -> None:
        """Send nothing more; the calls in flight finish and are committed before the step fails."""
        self.fatal = failure
        self.producer.cancel()
        while not self.queue.empty():
            self.queue.get_nowait()
        for _ in range(self.settings.concurrency):
            self.queue.put_nowait(None)

    async def work(self) -> None:
        """Send queued requests until an end mark or a fatal failure; hand each entry to the ledger."""
        while self.fatal is None and (item := await self.queue.get()) is not None:
            key, request = item
            try:
                entry = await self.teacher._call(self.fleet, key, request, self.limiter, self.stats)
            except (EndpointDown, EndpointRejected) as failure:
                if self.fatal is None:
                    self.stop(failure)
                break
            await self.commits.put(entry)
        self.working -= 1
        if not self.working:
            await self.commits.put(None)


async def _admit(limiter: RateLimiter, estimate: int) -> None:
    """Wait for a rate-limit slot and any server pause."""
    if wait := limiter.delay(estimate, time.monotonic()):
        await asyncio.sleep(wait)
    while (wait := limiter.paused_until - time.monotonic()) > 0:
        await asyncio.sleep(wait)


def _count(entry: LedgerEntry, stats: RunStats) -> None:
    stats.sent += 1
    stats.prompt_tokens += entry.prompt_tokens
    stats.cached_prompt_tokens += entry.cached_tokens
    stats.completion_tokens += entry.completion_tokens
    stats.cost_usd += entry.cost_usd


_ANSWER_FIELDS = (
    "content",
    "reasoning",
    "finish_reason",
    "prompt_tokens",
    "completion_tokens",
    "latency_s",
    "cost_usd",
)


def _from_entry(entry: LedgerEntry, cached: bool) -> ChatResult:
    if entry.status == ERROR:
        return ChatResult(key=entry.key, attempts=entry.attempts, error=entry.error)
    answer = {name: getattr(entry, name) for name in _ANSWER_FIELDS}
    return ChatResult(key=entry.key, attempts=entry.attempts, cached=cached, **answer)
