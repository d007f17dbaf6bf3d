"""Parquet tables and small files under one data root: ``<root>/<asset>/<partition>.parquet``.

The root is a local path or an fsspec URL (``s3://bucket/prefix``: credentials and endpoint from the
environment, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL``). No reader ever sees a
half-written file: a local write goes to a temp file renamed over the target; an object store has no
rename, so a file is written whole to a local temp file first and then sent in one upload, which the store
makes visible only once complete. Reads stream (ranged reads of the object).

What needs a file system (SQLite files, training checkpoints, the dataset's local copy, the review log of
a local root: an object store's is one object a decision, ``distill.review.decisions``) lives in
``work_dir``: the root itself when it is a local path.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from distill.core.records import from_table, to_table


@dataclass(frozen=True)
class TableStore:
    root: str
    work_dir: str = ""  # a local directory; "" is the root, which must then be a local path

    def _fs(self) -> tuple[fsspec.AbstractFileSystem, str]:
        fs, path = fsspec.core.url_to_fs(self.root)
        return fs, path

    @property
    def is_local(self) -> bool:
        return self._fs()[0].protocol in ("file", ("file", "local"))

    @property
    def works_in_root(self) -> bool:
        """Whether the local dirs are under the root (a local root and no work dir of its own)."""
        return self.is_local and not self.work_dir

    def url(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *parts])

    def table_url(self, asset: str, partition: str | None = None) -> str:
        return self.url(asset, f"{partition or 'all'}.parquet")

    def local_dir(self, *parts: str) -> Path:
        """A local directory under the work dir (for SQLite ledgers, checkpoints, local copies)."""
        if self.work_dir:
            path = Path(self.work_dir, *parts)
        elif self.is_local:
            path = Path(self._fs()[1], *parts)
        else:
            raise ValueError(f"data root {self.root} is not a local path: set storage.work_dir (a local dir)")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def under(self, *parts: str) -> TableStore:
        """The store rooted at ``<root>/<parts>`` (the same work dir)."""
        return TableStore(self.url(*parts), self.work_dir)

    def write_table(self, table: pa.Table, url: str) -> str:
        self._write(url, lambda tmp: pq.write_table(table, tmp))
        return url

    def write_bytes(self, url: str, data: bytes) -> None:
        self._write(url, lambda tmp: Path(tmp).write_bytes(data))

    def read_bytes(self, url: str) -> bytes | None:
        """The file's bytes; None when there is none."""
        fs, path = fsspec.core.url_to_fs(url)
        try:
            return fs.cat_file(path)
        except FileNotFoundError:
            return None

    def put_tree(self, local: Path, url: str) -> None:
        """Every file under ``local`` to ``url``, each written whole."""
        for file in sorted(p for p in local.rglob("*") if p.is_file()):
            self._write("/".join([url.rstrip("/"), *file.relative_to(local).parts]), file)

    def get_tree(self, url: str, local: Path) -> None:
        """Every file under ``url`` into the new directory ``local``."""
        fs, path = _listed(url)
        for name in fs.find(path):
            target = local / Path(name).relative_to(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            fs.get_file(name, str(target))

    def _write(self, url: str, fill: Callable[[str], object] | Path) -> None:
        """Write the file at ``url`` whole: ``fill`` writes a local temp file, or is the local file to send."""
        fs, path = fsspec.core.url_to_fs(url)
        local = fs.protocol in ("file", ("file", "local"))
        if isinstance(fill, Path):
            if not local:
                fs.put_file(str(fill), path)
                return
            source = fill
            fill = lambda tmp: shutil.copyfile(source, tmp)  # noqa: E731
        if local:
            fs.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) if local else None, prefix=".tmp-")
        os.close(fd)
        try:
            fill(tmp)
            if local:
                os.replace(tmp, path)
            else:
                fs.put_file(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def read_table(self, url: str) -> pa.Table:
        fs, path = fsspec.core.url_to_fs(url)
        with fs.open(path, "rb") as f:
            return pq.read_table(f)

    def exists(self, url: str) -> bool:
        fs, path = _listed(url)
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
        fs, path = _listed(self.url(asset))
        if not fs.exists(path):
            return []
        names = [Path(p).name for p in fs.ls(path, detail=False)]
        return sorted(
            n[: -len(".parquet")] for n in names if n.endswith(".parquet") and not n.startswith(".")
        )


def _listed(url: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """The file system of ``url`` with no listing of it kept from before (s3fs caches listings: another
    process may have written since)."""
    fs, path = fsspec.core.url_to_fs(url)
    fs.invalidate_cache(path)
    return fs, path


def read_jsonl(path: str | Path) -> list[dict]:
    """The records of a JSON-lines file (blank lines skipped)."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
