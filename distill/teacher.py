"""Chat requests to an OpenAI-compatible teacher, through the ledger.

``TeacherClient.run`` takes a batch of requests, answers the ones the ledger already holds without any
network call, sends the others concurrently with ``openai.AsyncOpenAI`` (bounded concurrency; the
client retries 429 with ``Retry-After``, 5xx, timeouts and dropped connections with backoff), and
commits each response to the ledger as it arrives. A request that still fails is returned with its
error and is not committed, so the next run asks for it again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import openai

from distill.ledger import Ledger, LedgerEntry, request_key

log = logging.getLogger(__name__)


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
    timeout_s: float = 1800.0  # reasoning models think for minutes
    max_retries: int = 6
    usd_per_mtok_in: float = 0.0
    usd_per_mtok_out: float = 0.0

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
    cached: bool = False
    error: str | None = None


@dataclass
class RunStats:
    requested: int = 0
    cached: int = 0
    sent: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)

    def as_metadata(self) -> dict:
        return {
            "requests": self.requested,
            "cached": self.cached,
            "sent": self.sent,
            "failed": self.failed,
            "tokens_in": self.prompt_tokens,
            "tokens_out": self.completion_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "tokens_out_per_s": round(self.completion_tokens / self.seconds, 2) if self.seconds else 0.0,
        }


def _reasoning_of(message: object) -> str:
    for name in ("reasoning_content", "reasoning"):
        value = getattr(message, name, None)
        if isinstance(value, str) and value:
            return value
    return ""


class TeacherClient:
    def __init__(self, settings: TeacherSettings, ledger: Ledger):
        self.settings = settings
        self.ledger = ledger

    def key(self, request: ChatRequest) -> str:
        params = self.settings.sampling_params()
        if request.max_tokens is not None:
            params["max_tokens"] = request.max_tokens
        return request_key(
            self.settings.model, request.messages, params, request.sample_index, request.prompt_version
        )

    def run(
        self, requests: list[ChatRequest], progress: Callable[[int, int], None] | None = None
    ) -> tuple[list[ChatResult], RunStats]:
        """Results in the order of ``requests``, and the counts of what was cached, sent and failed."""
        started = time.monotonic()
        keys = [self.key(r) for r in requests]
        known = self.ledger.get_many(list(dict.fromkeys(keys)))
        results: list[ChatResult | None] = [None] * len(requests)
        stats = RunStats(requested=len(requests))
        todo: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            if key in known:
                results[i] = self._from_entry(known[key])
                stats.cached += 1
            else:
                todo.setdefault(key, []).append(i)
        if todo:
            fresh = asyncio.run(self._send_all(todo, requests, progress, stats))
            for key, result in fresh.items():
                for i in todo[key]:
                    results[i] = result
        stats.seconds = time.monotonic() - started
        return [r for r in results if r is not None], stats

    @staticmethod
    def _from_entry(entry: LedgerEntry) -> ChatResult:
        return ChatResult(
            key=entry.key,
            content=entry.content,
            reasoning=entry.reasoning,
            finish_reason=entry.finish_reason,
            prompt_tokens=entry.prompt_tokens,
            completion_tokens=entry.completion_tokens,
            latency_s=entry.latency_s,
            cost_usd=entry.cost_usd,
            cached=True,
        )

    async def _send_all(
        self,
        todo: dict[str, list[int]],
        requests: list[ChatRequest],
        progress: Callable[[int, int], None] | None,
        stats: RunStats,
    ) -> dict[str, ChatResult]:
        s = self.settings
        client = openai.AsyncOpenAI(
            base_url=s.base_url, api_key=s.api_key, timeout=s.timeout_s, max_retries=s.max_retries
        )
        gate = asyncio.Semaphore(s.concurrency)
        done = 0

        async def one(key: str, request: ChatRequest) -> tuple[str, ChatResult]:
            nonlocal done
            async with gate:
                result = await self._send(client, key, request)
            done += 1
            if progress:
                progress(done, len(todo))
            return key, result

        try:
            pairs = await asyncio.gather(*(one(k, requests[idx[0]]) for k, idx in todo.items()))
        finally:
            await client.close()
        for _, result in pairs:
            if result.error:
                stats.failed += 1
                reason = result.error.split(":")[0]
                stats.errors[reason] = stats.errors.get(reason, 0) + 1
            else:
                stats.sent += 1
                stats.prompt_tokens += result.prompt_tokens
                stats.completion_tokens += result.completion_tokens
                stats.cost_usd += result.cost_usd
        return dict(pairs)

    async def _send(self, client: openai.AsyncOpenAI, key: str, request: ChatRequest) -> ChatResult:
        s = self.settings
        params = s.sampling_params()
        if request.max_tokens is not None:
            params["max_tokens"] = request.max_tokens
        started = time.monotonic()
        try:
            response = await client.chat.completions.create(
                model=s.served_model or s.model, messages=request.messages, **params
            )
        except openai.APIError as exc:  # retries are exhausted at this point
            return ChatResult(key=key, error=f"{type(exc).__name__}: {str(exc)[:300]}")
        latency = time.monotonic() - started
        if not response.choices:
            return ChatResult(key=key, error="EmptyResponse: the endpoint returned no choices")
        choice = response.choices[0]
        usage = response.usage
        tokens_in = usage.prompt_tokens if usage else 0
        tokens_out = usage.completion_tokens if usage else 0
        entry = LedgerEntry(
            key=key,
            model=s.model,
            prompt_version=request.prompt_version,
            content=choice.message.content or "",
            reasoning=_reasoning_of(choice.message),
            finish_reason=choice.finish_reason or "",
            prompt_tokens=tokens_in,
            completion_tokens=tokens_out,
            latency_s=latency,
            cost_usd=(tokens_in * s.usd_per_mtok_in + tokens_out * s.usd_per_mtok_out) / 1e6,
            attempts=1,
            created_at=time.time(),
        )
        self.ledger.put(entry)  # committed before anything else can fail
        result = self._from_entry(entry)
        result.cached = False
        return result
