"""Parquet shards of bounded size: ``<name>.parquet`` when one shard holds the view, else
``<name>-00000-of-00003.parquet``, ... (the Hugging Face naming). Readers glob ``<name>*.parquet``."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def shard_paths(directory: Path, name: str) -> list[Path]:
    """The shards of view ``name`` (e.g. ``sft/train``) under ``directory``, in order."""
    folder, stem = (directory / name).parent, Path(name).name
    single = folder / f"{stem}.parquet"
    return [single] if single.is_file() else sorted(folder.glob(f"{stem}-*-of-*.parquet"))


class ShardWriter:
    """Streams tables into shards of at most ``max_bytes`` of Arrow data each (one table is never split
    across shards, so a shard can exceed the bound by one table)."""

    def __init__(self, directory: Path, name: str, schema: pa.Schema, max_bytes: int) -> None:
        self.directory, self.name, self.schema, self.max_bytes = directory, name, schema, max_bytes
        self._parts: list[Path] = []
        self._writer: pq.ParquetWriter | None = None
        self._bytes = 0
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        if self._writer is None or self._bytes + table.nbytes > self.max_bytes and self._bytes:
            self._roll()
        self._writer.write_table(table.cast(self.schema))
        self._bytes += table.nbytes
        self.rows += table.num_rows

    def _roll(self) -> None:
        if self._writer is not None:
            self._writer.close()
        path = self.directory / f"{self.name}.part{len(self._parts):05d}"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._parts.append(path)
        self._writer = pq.ParquetWriter(path, self.schema)
        self._bytes = 0

    def close(self) -> list[Path]:
        """Finish the shards (an empty view is one empty file) and name them; returns their paths."""
        if self._writer is None:
            self._roll()
        self._writer.close()
        stem = self.directory / self.name
        total = len(self._parts)
        names = (
            [stem.with_name(f"{stem.name}.parquet")]
            if total == 1
            else [stem.with_name(f"{stem.name}-{i:05d}-of-{total:05d}.parquet") for i in range(total)]
        )
        for part, final in zip(self._parts, names, strict=True):
            part.rename(final)
        return names
