"""Durable ledger of LLM requests: nothing lost, nothing paid twice.

Every request is keyed by a hash of (model, messages, sampling parameters, sample index, prompt
version). A completed response is committed the moment it arrives; a re-run or a resumed run asks the
endpoint only for keys the ledger does not hold. ``Ledger`` is the interface; ``SqliteLedger`` is the
default backend (one file in the data root, WAL mode, safe for several processes on one machine).
A server database for several machines implements the same three methods.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol


def request_key(
    model: str, messages: list[dict], params: dict, sample_index: int, prompt_version: str
) -> str:
    payload = {
        "model": model,
        "messages": messages,
        "params": params,
        "sample_index": sample_index,
        "prompt_version": prompt_version,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class LedgerEntry:
    key: str
    model: str
    prompt_version: str
    content: str
    reasoning: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    cost_usd: float
    attempts: int
    created_at: float


class Ledger(Protocol):
    def get_many(self, keys: list[str]) -> dict[str, LedgerEntry]: ...

    def put(self, entry: LedgerEntry) -> None: ...

    def count(self) -> int: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    content TEXT NOT NULL,
    reasoning TEXT NOT NULL,
    finish_reason TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    latency_s REAL NOT NULL,
    cost_usd REAL NOT NULL,
    attempts INTEGER NOT NULL,
    created_at REAL NOT NULL
)
"""
_COLUMNS = [
    "key", "model", "prompt_version", "content", "reasoning", "finish_reason", "prompt_tokens",
    "completion_tokens", "latency_s", "cost_usd", "attempts", "created_at",
]  # fmt: skip


class SqliteLedger:
    """SQLite ledger; each ``put`` is its own committed transaction."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_SCHEMA)

    def get_many(self, keys: list[str]) -> dict[str, LedgerEntry]:
        found: dict[str, LedgerEntry] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT {','.join(_COLUMNS)} FROM responses WHERE key IN ({marks})", chunk
                ).fetchall()
                found.update({row[0]: LedgerEntry(*row) for row in rows})
        return found

    def put(self, entry: LedgerEntry) -> None:
        values = asdict(entry)
        with self._lock:
            # A response already committed (another worker won the race) is kept, never overwritten.
            self._conn.execute(
                f"INSERT OR IGNORE INTO responses ({','.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))})",
                [values[c] for c in _COLUMNS],
            )

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        self._conn.close()
