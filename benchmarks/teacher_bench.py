"""Teacher-step throughput and memory against a fixed-latency OpenAI-compatible server.

    .venv/bin/python -m benchmarks.teacher_bench                 # 10k requests, concurrency 64, 100 ms
    .venv/bin/python -m benchmarks.teacher_bench --ledger-url postgresql://...   # the ledger on PostgreSQL
    .venv/bin/python -m benchmarks.teacher_bench --requests 2000 --latency 0.05
    .venv/bin/python -m benchmarks.teacher_bench --workers 1,2,4 [--ledger-url postgresql://...]

A small test server (this file, ``--serve``) answers every chat completion after a fixed latency. Each
arm runs in a fresh process, so its peak RSS is its own:

- ``bare``: a bare ``openai.AsyncOpenAI`` loop, ``concurrency`` workers, nothing else;
- ``step``: the pipeline's teacher step (``distill.cot.generate.generate_cot``: keys, ledger lookups, flow
  control, a committed ledger entry per response, one CotRow per sample), a fresh ledger (a SQLite file,
  or a new database on the PostgreSQL server of ``--ledger-url``);
- ``rerun``: the same step again: every answer from the ledger, no request;
- ``stream-small`` / ``stream``: ``TeacherClient.stream`` with a counting sink at 1/10 and all of the
  requests: the client's own memory, which must not grow with the number of requests.

Prints one line per arm, then the step/bare throughput ratio (target >= 0.95 at concurrency 64).

``--workers 1,2,4``: instead, N worker processes stream the same requests at once (``TeacherClient.stream``,
``--concurrency`` each, default latency 2 s and concurrency 32 here) through one ledger (a fresh SQLite
file, or the PostgreSQL server of ``--ledger-url``, a new database each run): throughput from the first
worker's start to the last one's end, its scaling against one worker (target >= 0.9x linear: leases must
not serialize the work), and duplicates (requests the server answered beyond one a key, target 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_BODY = json.dumps(
    {
        "id": "bench",
        "object": "chat.completion",
        "created": 0,
        "model": "bench",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "<think>\n2+3=5\n</think>\nSo \\boxed{5}."},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 24, "completion_tokens": 12, "total_tokens": 36},
    }
).encode()
_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(_BODY) + _BODY
)
_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.I)


class _FixedLatency(asyncio.Protocol):
    """HTTP/1.1 keep-alive; every request is answered with the same completion after ``latency`` s, but
    ``GET /count``, answered at once with how many completions were asked for so far."""

    latency = 0.1
    asked = 0

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            match = _LENGTH.search(self.buffer, 0, end)
            size = end + 4 + (int(match.group(1)) if match else 0)
            if len(self.buffer) < size:
                return
            request, self.buffer = self.buffer[:size], self.buffer[size:]
            if request.startswith(b"GET /count"):
                body = str(_FixedLatency.asked).encode()
                self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                continue
            _FixedLatency.asked += 1
            asyncio.get_running_loop().call_later(self.latency, self._reply)

    def _reply(self) -> None:
        if not self.transport.is_closing():
            self.transport.write(_RESPONSE)


def serve(port: int, latency: float) -> None:
    _FixedLatency.latency = latency

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(
            _FixedLatency, "127.0.0.1", port, backlog=1024
        )
        print("ready", flush=True)
        await server.serve_forever()

    asyncio.run(main())


def sum_problems(n: int) -> list:
    """``n`` translated problems ``What is i + (i + 1)?`` with their answers, for the teacher step."""
    from distill.core.records import TranslatedRow

    return [
        TranslatedRow(
            id=f"p{i}",
            collection="bench",
            source_file="f.pdf",
            source_sha256="s",
            page_start=1,
            page_end=1,
            problem=f"What is {i} + {i + 1}?",
            answer=str(2 * i + 1),
        )
        for i in range(n)
    ]


def _messages(i: int) -> list[dict]:
    return [{"role": "user", "content": f"What is {i} + {i + 1}? Please reason step by step."}]


async def _bare(base_url: str, n: int, concurrency: int) -> int:
    import openai

    client = openai.AsyncOpenAI(base_url=base_url, api_key="bench")
    numbers = iter(range(n))
    ok = 0

    async def worker() -> None:
        nonlocal ok
        for i in numbers:
            response = await client.chat.completions.create(
                model="bench", messages=_messages(i), max_tokens=64
            )
            ok += bool(response.choices)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await client.close()
    return ok


def run_arm(arm: str, base_url: str, n: int, concurrency: int, ledger: str) -> dict:
    from distill.cot.generate import generate_cot
    from distill.llm.client import ChatRequest, TeacherClient, TeacherSettings
    from distill.llm.ledger import open_ledger
    from distill.llm.prompts import Prompt

    settings = TeacherSettings(
        base_url=base_url, model="bench", api_key="bench", max_tokens=64, concurrency=concurrency
    )
    client = TeacherClient(settings, open_ledger(ledger))
    before = resource.getrusage(resource.RUSAGE_SELF)
    rss_before, cpu_before = before.ru_maxrss, before.ru_utime + before.ru_stime
    started = time.perf_counter()
    if arm == "bare":
        done = asyncio.run(_bare(base_url, n, concurrency))
    elif arm in ("step", "rerun"):
        out, _ = generate_cot(
            sum_problems(n // 2), client, Prompt.load("configs/prompts/cot_distill.yaml"), "distill", 2
        )
        done = sum(not r.error for r in out)
    else:
        count = 0

        def sink(index: int, result: object) -> None:
            nonlocal count
            count += 1

        client.stream((ChatRequest(_messages(i), "bench-v1") for i in range(n)), sink)
        done = count
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_ms = (usage.ru_utime + usage.ru_stime - cpu_before) * 1000 / n
    peak = usage.ru_maxrss
    return {
        "arm": arm,
        "requests": n,
        "ok": done,
        "seconds": round(seconds, 2),
        "per_s": round(n / seconds, 1),
        "cpu_ms_per_request": round(cpu_ms, 3),
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_growth_mb": round((peak - rss_before) / 1024, 1),
    }


def run_worker(base_url: str, n: int, concurrency: int, ledger: str, start_at: float) -> dict:
    """One of several workers: stream the ``n`` requests through the shared ledger, from ``start_at``."""
    from distill.llm.client import ChatRequest, TeacherClient, TeacherSettings
    from distill.llm.ledger import open_ledger

    settings = TeacherSettings(
        base_url=base_url, model="bench", api_key="bench", max_tokens=64, concurrency=concurrency
    )
    client = TeacherClient(settings, open_ledger(ledger))
    time.sleep(max(start_at - time.time(), 0))
    began = time.time()
    count = 0

    def sink(index: int, result: object) -> None:
        nonlocal count
        count += 1

    stats = client.stream((ChatRequest(_messages(i), "bench-v1") for i in range(n)), sink)
    return {"began": began, "ended": time.time(), "results": count, "sent": stats.sent}


def workers_section(base_url: str, counts: list[int], n: int, concurrency: int, ledger_url: str) -> None:
    """N workers on one collection's requests and one ledger: throughput, scaling, duplicates."""
    import urllib.request

    def asked() -> int:
        with urllib.request.urlopen(base_url.removesuffix("/v1") + "/count", timeout=10) as reply:
            return int(reply.read())

    rates: dict[int, float] = {}
    for workers in counts:
        with tempfile.TemporaryDirectory() as tmp:
            ledger = _fresh_ledger(ledger_url, tmp)
            before = asked()
            start_at = time.time() + 5  # after every worker has imported and opened the ledger
            procs = [
                subprocess.Popen(
                    _child("--worker", base_url, n, concurrency, ledger) + ["--start-at", str(start_at)],
                    stdout=subprocess.PIPE,
                    text=True,
                )  # fmt: skip
                for _ in range(workers)
            ]
            done = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
            seconds = max(d["ended"] for d in done) - min(d["began"] for d in done)
            rates[workers] = n / seconds
            duplicates = asked() - before - n
        print(
            f"{workers} worker(s)  {rates[workers]:7.1f} requests/s  scaling {rates[workers] / rates[counts[0]]:.2f}x"
            f" (linear {workers / counts[0]:.0f}x, {rates[workers] / rates[counts[0]] / (workers / counts[0]):.2f} of it)"
            f"  sent per worker {[d['sent'] for d in done]}  duplicates {duplicates}",
            flush=True,
        )


def _fresh_ledger(ledger_url: str, tmp: str, name: str = "ledger") -> str:
    """A new SQLite file, or a new database on the PostgreSQL server of ``ledger_url``."""
    if not ledger_url:
        return f"{tmp}/{name}.sqlite"
    import uuid

    import psycopg

    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ledger_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return ledger_url.rsplit("/", 1)[0] + f"/{name}"


def _child(role: str, base_url: str, n: int, concurrency: int, ledger: str, *more: str) -> list[str]:
    """The command of a child process of this benchmark (an arm, a worker)."""
    return [
        sys.executable, "-m", "benchmarks.teacher_bench", role, *more, "--base-url", base_url,
        "--requests", str(n), "--concurrency", str(concurrency), "--ledger", ledger,
    ]  # fmt: skip


def _spawn_arm(arm: str, base_url: str, n: int, concurrency: int, ledger: str) -> dict:
    done = subprocess.run(
        _child("--arm", base_url, n, concurrency, ledger, arm), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, help="default 10000 (--workers: 1024)")
    parser.add_argument("--concurrency", type=int, help="default 64 (--workers: 32 a worker)")
    parser.add_argument(
        "--latency", type=float, help="seconds the test server waits per request (default 0.1; --workers: 2)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="bare/step pairs (one ratio each)")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--arm", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--ledger", help=argparse.SUPPRESS)
    parser.add_argument("--workers", help="worker counts on one ledger, e.g. 1,2,4 (the scaling section)")
    parser.add_argument(
        "--ledger-url", default="", help="the ledger of every arm or worker: a postgresql:// server URL"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    defaults = (1024, 32, 2.0) if args.workers else (10_000, 64, 0.1)
    for name, value in zip(("requests", "concurrency", "latency"), defaults, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.serve:
        return serve(args.serve, args.latency)
    if args.worker:
        return print(
            json.dumps(run_worker(args.base_url, args.requests, args.concurrency, args.ledger, args.start_at))
        )
    if args.arm:
        return print(
            json.dumps(run_arm(args.arm, args.base_url, args.requests, args.concurrency, args.ledger))
        )

    from distill.llm.local_server import free_port

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.teacher_bench",
            "--serve",
            str(port),
            "--latency",
            str(args.latency),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        server.stdout.readline()
        base_url = f"http://127.0.0.1:{port}/v1"
        print(
            f"fixed-latency server {args.latency * 1000:.0f} ms, concurrency {args.concurrency}, "
            f"{args.requests} requests; load {Path('/proc/loadavg').read_text().split()[:3]}"
        )
        if args.workers:
            ledger = "PostgreSQL" if args.ledger_url else "SQLite"
            print(f"workers on one {ledger} ledger, the same {args.requests} requests each")
            counts = [int(w) for w in args.workers.split(",")]
            return workers_section(base_url, counts, args.requests, args.concurrency, args.ledger_url)
        results: dict[str, dict] = {}
        with tempfile.TemporaryDirectory() as tmp:
            ratios = []
            ledgers: dict[str, str] = {}
            for round_ in range(args.rounds):  # bare and step alternate, so drifting load hits both
                for arm in ("bare", "step"):
                    ledger = ledgers[f"{arm}{round_}"] = _fresh_ledger(args.ledger_url, tmp, f"{arm}{round_}")
                    results[arm] = _spawn_arm(arm, base_url, args.requests, args.concurrency, ledger)
                    print(json.dumps(results[arm]), flush=True)
                ratios.append(results["step"]["per_s"] / results["bare"]["per_s"])
            plan = [
                ("rerun", args.requests, ledgers["step0"]),
                ("stream-small", args.requests // 10, _fresh_ledger(args.ledger_url, tmp, "small")),
                ("stream", args.requests, _fresh_ledger(args.ledger_url, tmp, "stream")),
            ]
            for arm, n, ledger in plan:
                results[arm] = _spawn_arm(arm, base_url, n, args.concurrency, ledger)
                print(json.dumps(results[arm]), flush=True)
        print(f"step / bare throughput: {' '.join(f'{r:.3f}' for r in ratios)}  (target >= 0.95)")
        small, big = results["stream-small"]["rss_growth_mb"], results["stream"]["rss_growth_mb"]
        print(
            f"client memory growth: {small} MB at {args.requests // 10} requests, {big} MB at {args.requests}"
        )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
