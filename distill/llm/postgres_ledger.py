"""The ledger on a PostgreSQL server, for workers on several machines (``ledger_url: postgresql://...``).

The same table, columns, upsert and lease statements as ``SqliteLedger`` (``?`` placeholders become
``%s``); each call is one transaction on a connection of this process, so any number of processes and
machines can share one ledger. Claims and commits hold one transaction-scoped advisory lock, so they
take turns as SQLite's ``BEGIN IMMEDIATE`` transactions do (each is a few milliseconds; a teacher call
takes seconds). The URL's password never appears in errors or logs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import fields

import psycopg

from distill.llm.ledger import (
    _CLAIM,
    _COLUMNS,
    _END_LEASE,
    _LEASES,
    _RELEASE,
    _RENEW,
    _SCHEMA,
    _UPSERT,
    OK,
    LedgerEntry,
    SharedStatements,
    _column,
)

_PG_TYPES = {"INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION"}  # 64-bit: token counts, epoch seconds


def _pg(statement: str) -> str:
    """A statement of the SQLite ledger for PostgreSQL: %s placeholders, 64-bit numbers."""
    statement = statement.replace("?", "%s")
    for sqlite, postgres in _PG_TYPES.items():
        statement = statement.replace(f" {sqlite} ", f" {postgres} ")
    return statement


_CLAIM_PG = _pg(_CLAIM).replace("SELECT %s, %s, %s", "SELECT %s::text, %s::text, %s::double precision", 1)


# Claims and commits take turns, as SQLite's BEGIN IMMEDIATE makes them: otherwise a claim whose snapshot
# predates another worker's commit could lease a key that was just answered.
_SERIAL = "SELECT pg_advisory_xact_lock(4173)"


class PostgresLedger(SharedStatements):
    def __init__(self, url: str, connect_timeout_s: float = 10.0):
        self.url = url
        self._lock = threading.Lock()
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=int(connect_timeout_s))
        except psycopg.OperationalError as exc:  # the message may hold the URL, with its password
            raise ConnectionError(
                f"cannot reach the ledger's PostgreSQL server: {type(exc).__name__}"
            ) from None
        with self._lock, self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(4172)")  # one schema change at a time
            self._conn.execute(_pg(_SCHEMA))
            self._conn.execute(_pg(_LEASES))
            present = {
                row[0]
                for row in self._conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'responses'"
                )
            }
            for f in fields(LedgerEntry):
                if f.name not in present:
                    self._conn.execute(_pg(f"ALTER TABLE responses ADD COLUMN {_column(f)}"))

    def get_many(self, keys: list[str]) -> dict[str, LedgerEntry]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {','.join(_COLUMNS)} FROM responses WHERE status = '{OK}' AND key = ANY(%s)", [keys]
            ).fetchall()
        return {row[0]: LedgerEntry(*row) for row in rows}

    def put_many(self, entries: list[LedgerEntry]) -> None:
        rows = [[getattr(entry, c) for c in _COLUMNS] for entry in entries]
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            cur.execute(_SERIAL)
            cur.executemany(_pg(_UPSERT), rows)
            cur.executemany(_pg(_END_LEASE), [(e.key,) for e in entries])

    def claim(self, keys: list[str], owner: str, ttl_s: float) -> set[str]:
        now = time.time()
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            cur.execute(_SERIAL)
            cur.executemany(_CLAIM_PG, [(k, owner, now + ttl_s, k, now) for k in keys])
            rows = cur.execute("SELECT key FROM leases WHERE owner = %s AND key = ANY(%s)", [owner, keys])
            return {row[0] for row in rows.fetchall()}

    def holders(self, keys: list[str]) -> dict[str, str]:
        with self._lock:
            rows = self._conn.execute("SELECT key, owner FROM leases WHERE key = ANY(%s)", [keys]).fetchall()
        return dict(rows)

    def renew(self, keys: list[str], owner: str, ttl_s: float) -> None:
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            cur.executemany(_pg(_RENEW), [(time.time() + ttl_s, owner, k) for k in keys])

    def release(self, keys: list[str], owner: str) -> None:
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            cur.executemany(_pg(_RELEASE), [(owner, k) for k in keys])

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:  # never the password
        return f"PostgresLedger({self.url.split('@')[-1]!r})"
