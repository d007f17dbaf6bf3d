"""Durable ledger of LLM requests: nothing lost, nothing paid twice.

Every request is keyed by a hash of (model, messages, sampling parameters, sample index, prompt
version). Each response is committed the moment it arrives, with its status, finish reason, usage,
latency, cost and attempt count; a re-run or a resumed run asks the endpoint only for keys the ledger
does not hold as ``ok``. A request that failed for good is recorded as ``error`` (and asked again by
the next run); an ``ok`` entry is never overwritten.

``Ledger`` is the interface (three methods); ``SqliteLedger`` is the default backend: one file in the
data root, WAL mode, shared safely by the processes of one machine. A server database (Postgres) for
workers on several machines implements the same three methods with the same upsert statement.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import MISSING, Field, asdict, dataclass, fields
from pathlib import Path
from typing import Protocol

OK = "ok"
ERROR = "error"


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
    status: str = OK  # "ok" | "error"
    error: str = ""
    cached_tokens: int = 0  # prompt tokens served from the provider's cache


class Ledger(Protocol):
    def get_many(self, keys: list[str]) -> dict[str, LedgerEntry]:
        """The ``ok`` entries among ``keys``."""
        ...

    def put_many(self, entries: list[LedgerEntry]) -> None:
        """Commit the entries now, in one transaction; an ``ok`` entry already there wins, attempts add up."""
        ...

    def count(self) -> int:
        """Number of ``ok`` entries."""
        ...


_SQL_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "REAL"}


def _column(f: Field) -> str:
    """Column definition; the default fills rows written before the column existed (status: ok)."""
    if f.name == "key":
        return "key TEXT PRIMARY KEY"
    default = f.default if f.default is not MISSING else ("" if f.type == "str" else 0)
    return f"{f.name} {_SQL_TYPES[f.type]} NOT NULL DEFAULT {default!r}"


_COLUMNS = [f.name for f in fields(LedgerEntry)]
_SCHEMA = f"CREATE TABLE IF NOT EXISTS responses ({', '.join(_column(f) for f in fields(LedgerEntry))})"
# Postgres accepts this statement as is (with %s placeholders).
_UPSERT = (
    f"INSERT INTO responses ({','.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT(key) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c not in ("key", "attempts"))
    + ", attempts = responses.attempts + excluded.attempts"
    f" WHERE responses.status <> '{OK}'"
)


class SqliteLedger:
    """SQLite ledger; each ``put_many`` is one committed transaction."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit survives a killed process
        self._conn.execute(_SCHEMA)
        present = {row[1] for row in self._conn.execute("PRAGMA table_info(responses)")}
        for f in fields(LedgerEntry):  # ledgers written before a column existed
            if f.name not in present:
                self._conn.execute(f"ALTER TABLE responses ADD COLUMN {_column(f)}")

    def get_many(self, keys: list[str]) -> dict[str, LedgerEntry]:
        found: dict[str, LedgerEntry] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT {','.join(_COLUMNS)} FROM responses WHERE status = '{OK}' AND key IN ({marks})",
                    chunk,
                ).fetchall()
                found.update({row[0]: LedgerEntry(*row) for row in rows})
        return found

    def put_many(self, entries: list[LedgerEntry]) -> None:
        rows = [[values[c] for c in _COLUMNS] for values in map(asdict, entries)]
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(_UPSERT, rows)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def put(self, entry: LedgerEntry) -> None:
        self.put_many([entry])

    def count(self) -> int:
        with self._lock:
            return self._conn.execute(f"SELECT COUNT(*) FROM responses WHERE status = '{OK}'").fetchone()[0]

    def close(self) -> None:
        self._conn.close()
