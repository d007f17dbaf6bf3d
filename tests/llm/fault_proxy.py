"""A fault-injecting HTTP proxy on loopback, in front of the real local teacher.

Each request either passes through or meets one fault, drawn from a seeded plan:

- ``429``: "Too Many Requests" with ``Retry-After``, not forwarded;
- ``500``: an internal error, not forwarded;
- ``401_echo``: "Unauthorized", echoing the Authorization header back (as some APIs echo the key);
- ``400``: "Bad Request", not forwarded;
- ``drop``: the connection is reset without an answer, not forwarded;
- ``slow``: held for ``slow_s`` (longer than the client's timeout), forwarded only if the client waited;
- ``truncate``: forwarded; the answer is cut mid-body (its Content-Length promised more);
- ``truncate_json``: forwarded; the answer is cut and its Content-Length shortened to match (invalid JSON).

It counts, per ledger key (the ``X-Client-Request-Id`` header), the successful answers delivered whole
to the client, and the answers the server gave that never reached the client (``lost``). With
``hold_after(n)``, answers after the n-th delivered one are held until the client goes away (to kill a
client at a known point).
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections import Counter

from distill.llm.client import KEY_HEADER

FAULTS = ("429", "500", "401_echo", "400", "drop", "slow", "truncate", "truncate_json")


def _response(status: int, reason: str, body: dict, extra: str = "") -> bytes:
    data = json.dumps(body).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        f"{extra}Connection: close\r\n\r\n"
    )
    return head.encode() + data


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        faults: dict[str, float] | None = None,
        seed: int = 0,
        slow_s: float = 3.0,
        retry_after: str = "1",
    ):
        unknown = set(faults or {}) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {unknown}")
        self.upstream_port = upstream_port
        self.faults = faults or {}
        self.random = random.Random(seed)
        self.slow_s = slow_s
        self.retry_after = retry_after
        self.delivered: Counter[str] = Counter()  # key -> successful answers delivered whole
        self.lost: Counter[str] = Counter()  # key -> answers given by the server that never arrived
        self.injected: Counter[str] = Counter()
        self.held = 0  # answers kept back by ``hold_after``
        self.attempts = 0
        self.authorization: set[str] = set()
        self._hold_after: int | None = None
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FaultProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop
        ).result()
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def hold_after(self, n: int | None) -> None:
        self._hold_after = n

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _draw(self) -> str | None:
        roll = self.random.random()
        for fault, share in self.faults.items():
            if roll < share:
                return fault
            roll -= share
        return None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (
                    line.partition(":") for line in head.decode("latin-1").split("\r\n")[1:] if line
                )
            }
            body = await reader.readexactly(int(headers.get("content-length", 0)))
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        self.attempts += 1
        self.authorization.add(headers.get("authorization", ""))
        key = headers.get(KEY_HEADER.lower(), "")
        gone = asyncio.ensure_future(reader.read(1))  # completes when the client closes its side
        fault = self._draw()
        if fault:
            self.injected[fault] += 1
        try:
            await self._answer(fault, key, head, body, headers, writer, gone)
        except ConnectionError:
            pass
        finally:
            gone.cancel()
            writer.close()

    async def _answer(self, fault, key, head, body, headers, writer, gone) -> None:  # noqa: PLR0913
        if fault == "drop":
            writer.transport.abort()
            return
        canned = {
            "429": _response(
                429,
                "Too Many Requests",
                {"error": {"message": "slow down"}},
                f"Retry-After: {self.retry_after}\r\n",
            ),
            "500": _response(500, "Internal Server Error", {"error": {"message": "boom"}}),
            "400": _response(400, "Bad Request", {"error": {"message": "bad request"}}),
            "401_echo": _response(
                401, "Unauthorized", {"error": {"message": f"invalid key {headers.get('authorization', '')}"}}
            ),
        }
        if fault in canned:
            writer.write(canned[fault])
            await writer.drain()
            return
        if fault == "slow":
            await asyncio.sleep(self.slow_s)
            if gone.done():
                return  # the client gave up before the request reached the server
        answer = await self._forward(head, body)
        ok = answer.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200"))
        if ok and self._hold_after is not None and sum(self.delivered.values()) >= self._hold_after:
            self.held += 1
            await asyncio.wait([gone])
        if gone.done() or fault in ("truncate", "truncate_json"):
            if ok:
                self.lost[key] += 1
            if fault == "truncate":
                writer.write(answer[: len(answer) - len(answer) // 3])
            elif fault == "truncate_json":
                writer.write(_shorten(answer))
            if not gone.done():
                await writer.drain()
            return
        writer.write(answer)
        await writer.drain()
        if ok:
            self.delivered[key] += 1

    async def _forward(self, head: bytes, body: bytes) -> bytes:
        lines = [
            line
            for line in head.decode("latin-1").split("\r\n")
            if line and not line.lower().startswith(("connection:", "keep-alive:"))
        ]
        request = ("\r\n".join(lines) + "\r\nConnection: close\r\n\r\n").encode("latin-1") + body
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        upstream_writer.write(request)
        await upstream_writer.drain()
        answer = await upstream_reader.read()
        upstream_writer.close()
        return answer


def _shorten(answer: bytes) -> bytes:
    head, _, body = answer.partition(b"\r\n\r\n")
    cut = body[: len(body) // 2]
    lines = [
        line
        for line in head.split(b"\r\n")
        if not line.lower().startswith((b"content-length:", b"transfer-encoding:"))
    ]
    return b"\r\n".join([*lines, b"Content-Length: %d" % len(cut)]) + b"\r\n\r\n" + cut
