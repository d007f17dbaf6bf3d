"""Durable ledger of LLM requests: nothing lost, nothing paid twice.

Every request is keyed by a hash of (model, messages, sampling parameters, sample index, prompt
version). Each response is committed the moment it arrives, with its status, finish reason, usage,
latency, cost and attempt count; a re-run or a resumed run asks the endpoint only for keys the ledger
does not hold as ``ok``. A request that failed for good is recorded as ``error`` (and asked again by
the next run); an ``ok`` entry is never overwritten.

``Ledger`` is the interface; ``SqliteLedger`` is the default backend: one file in the data root, WAL
mode, shared safely by the processes of one machine; ``PostgresLedger`` (``distill/llm/postgres_ledger.py``)
serves workers on several machines with the same statements.

**Leases.** Before a worker sends a request it claims the key: a lease (owner, expiry) that others
respect, so two processes, runs or machines working on the same collection never pay for one key twice.
A claim succeeds for a key with no ``ok`` answer and no live lease of another owner; an expired lease
(its worker was killed) is claimed again. Committing an answer (or a final error) ends its lease; a
worker renews the leases of the keys it still holds while their calls run.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, fields
from pathlib import Path
from typing import Any, Protocol

OK = "ok"
OPEN_TRIES = 40  # a new SQLite ledger opened by several processes at once: tries to set it up
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

    def claim(self, keys: list[str], owner: str, ttl_s: float) -> set[str]:
        """Lease the keys that have no ``ok`` entry and no live lease of another owner; the leased ones."""
        ...

    def renew(self, keys: list[str], owner: str, ttl_s: float) -> None:
        """Extend the owner's leases of these keys."""
        ...

    def release(self, keys: list[str], owner: str) -> None:
        """End the owner's leases of these keys (keys it will not send after all, or a dead owner's)."""
        ...

    def holders(self, keys: list[str]) -> dict[str, str]:
        """Key -> the owner of its lease (live or expired), for the keys that have one."""
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
_LEASES = (
    "CREATE TABLE IF NOT EXISTS leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL)"
)
# Both backends run these (Postgres with %s placeholders): a lease is taken when the key is free, the
# lease expired, or the owner already holds it; a key with an ok answer is never leased.
_CLAIM = (
    "INSERT INTO leases (key, owner, expires) SELECT ?, ?, ? "
    f"WHERE NOT EXISTS (SELECT 1 FROM responses WHERE responses.key = ? AND responses.status = '{OK}') "
    "ON CONFLICT(key) DO UPDATE SET owner = excluded.owner, expires = excluded.expires "
    "WHERE leases.expires < ? OR leases.owner = excluded.owner"
)
_RENEW = "UPDATE leases SET expires = ? WHERE owner = ? AND key = ?"
_RELEASE = "DELETE FROM leases WHERE owner = ? AND key = ?"
_END_LEASE = "DELETE FROM leases WHERE key = ?"  # with the answer's commit, whoever held it
# Postgres accepts this statement as is (with %s placeholders).
_UPSERT = (
    f"INSERT INTO responses ({','.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT(key) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c not in ("key", "attempts"))
    + ", attempts = responses.attempts + excluded.attempts"
    f" WHERE responses.status <> '{OK}'"
)


class SharedStatements:
    """What both backends do alike, on ``self._conn`` (a DB-API connection) under ``self._lock``; each
    backend has its own ``put_many``."""

    _conn: Any
    _lock: threading.Lock
    put_many: Callable[[list[LedgerEntry]], None]

    def put(self, entry: LedgerEntry) -> None:
        self.put_many([entry])

    def count(self) -> int:
        with self._lock:
            return self._conn.execute(f"SELECT COUNT(*) FROM responses WHERE status = '{OK}'").fetchone()[0]


class SqliteLedger(SharedStatements):
    """SQLite ledger; each ``put_many`` is one committed transaction."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False, isolation_level=None)
        for attempt in range(OPEN_TRIES):  # processes opening a new ledger at once
            try:
                self._set_up()
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == OPEN_TRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def _set_up(self) -> None:
        """WAL and the tables. Turning WAL on takes the file alone, and SQLite answers "database is
        locked" at once, without waiting, to a second process that opens a new ledger at the same time."""
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit survives a killed process
        self._conn.execute(_SCHEMA)
        self._conn.execute(_LEASES)
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
        rows = [[getattr(entry, c) for c in _COLUMNS] for entry in entries]
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(_UPSERT, rows)
                self._conn.executemany(_END_LEASE, [(e.key,) for e in entries])
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def claim(self, keys: list[str], owner: str, ttl_s: float) -> set[str]:
        now = time.time()
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(_CLAIM, [(k, owner, now + ttl_s, k, now) for k in keys])
                held = set()
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    rows = self._conn.execute(
                        f"SELECT key FROM leases WHERE owner = ? AND key IN ({','.join('?' * len(chunk))})",
                        [owner, *chunk],
                    )
                    held.update(row[0] for row in rows)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        return held

    def holders(self, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                rows = self._conn.execute(
                    f"SELECT key, owner FROM leases WHERE key IN ({','.join('?' * len(chunk))})", chunk
                )
                found.update(dict(rows.fetchall()))
        return found

    def renew(self, keys: list[str], owner: str, ttl_s: float) -> None:
        self._each(_RENEW, [(time.time() + ttl_s, owner, k) for k in keys])

    def release(self, keys: list[str], owner: str) -> None:
        self._each(_RELEASE, [(owner, k) for k in keys])

    def _each(self, statement: str, rows: list[tuple]) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(statement, rows)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()


def lease_owner() -> str:
    """A lease owner's name: ``host:pid:random`` (a worker of this machine that died is recognized by it)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def release_dead_leases(ledger: Ledger, keys: list[str]) -> None:
    """Release the leases on ``keys`` of workers of this machine that are no longer running (a killed run
    resumed here need not wait for its own leases to expire)."""
    dead: dict[str, list[str]] = {}
    for key, owner in ledger.holders(keys).items():
        host, _, rest = owner.partition(":")
        pid = rest.partition(":")[0]
        if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
            dead.setdefault(owner, []).append(key)
    for owner, held in dead.items():
        ledger.release(held, owner)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def open_ledger(where: str | Path) -> Ledger:
    """The ledger at a SQLite path, or on the PostgreSQL server of a ``postgresql://`` URL."""
    if str(where).startswith(("postgresql://", "postgres://")):
        from distill.llm.postgres_ledger import PostgresLedger

        return PostgresLedger(str(where))
    return SqliteLedger(where)
