"""Parquet tables under one data root: ``<root>/<asset>/<partition>.parquet``.

The root is a local path or an fsspec URL. Local writes are atomic (temp file + rename), so a killed
run never leaves a half-written table behind; object stores give the same guarantee per upload.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from distill.core.records import from_table, to_table


@dataclass(frozen=True)
class TableStore:
    root: str

    def _fs(self) -> tuple[fsspec.AbstractFileSystem, str]:
        fs, path = fsspec.core.url_to_fs(self.root)
        return fs, path

    @property
    def is_local(self) -> bool:
        return self._fs()[0].protocol in ("file", ("file", "local"))

    def url(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *parts])

    def table_url(self, asset: str, partition: str | None = None) -> str:
        return self.url(asset, f"{partition or 'all'}.parquet")

    def local_dir(self, *parts: str) -> Path:
        """A local directory under the root (for SQLite ledgers, checkpoints and caches)."""
        if not self.is_local:
            raise ValueError(f"{self.root} is not a local path; configure a local work dir for {parts}")
        path = Path(self._fs()[1], *parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def write_table(self, table: pa.Table, url: str) -> str:
        fs, path = fsspec.core.url_to_fs(url)
        fs.makedirs(os.path.dirname(path), exist_ok=True)
        if fs.protocol in ("file", ("file", "local")):
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-", suffix=".parquet")
            os.close(fd)
            try:
                pq.write_table(table, tmp)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        else:
            with fs.open(path, "wb") as f:
                pq.write_table(table, f)
        return url

    def read_table(self, url: str) -> pa.Table:
        fs, path = fsspec.core.url_to_fs(url)
        with fs.open(path, "rb") as f:
            return pq.read_table(f)

    def exists(self, url: str) -> bool:
        fs, path = fsspec.core.url_to_fs(url)
        return fs.exists(path)

    def write_rows(self, asset: str, partition: str | None, rows: list, cls: type) -> str:
        return self.write_table(to_table(rows, cls), self.table_url(asset, partition))

    def read_rows(self, asset: str, partition: str | None, cls: type) -> list:
        url = self.table_url(asset, partition)
        if not self.exists(url):
            raise FileNotFoundError(f"{url} does not exist: materialize {asset} for {partition} first")
        return from_table(self.read_table(url), cls, url)

    def partitions(self, asset: str) -> list[str]:
        """Partitions of an asset that have a table, sorted."""
        fs, path = fsspec.core.url_to_fs(self.url(asset))
        if not fs.exists(path):
            return []
        names = [Path(p).name for p in fs.ls(path, detail=False)]
        return sorted(
            n[: -len(".parquet")] for n in names if n.endswith(".parquet") and not n.startswith(".")
        )


def read_jsonl(path: str | Path) -> list[dict]:
    """The records of a JSON-lines file (blank lines skipped)."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
