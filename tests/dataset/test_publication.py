"""A dataset built on one machine is published to an object-store root whole, and read on another."""

from __future__ import annotations

import json

import fsspec
import pytest

from distill.core.storage import TableStore
from distill.dataset.publication import local_copy, publish, publish_to_store


def dataset(folder, version: str, rows: bytes) -> None:
    (folder / "sft").mkdir(parents=True)
    (folder / "sft" / "train-00000.parquet").write_bytes(rows)
    (folder / "dataset_info.json").write_text(json.dumps({"version": version}))


def test_a_dataset_published_to_the_store_is_read_whole_on_another_machine(s3_root, tmp_path):
    builder = TableStore(s3_root, str(tmp_path / "builder"))
    dataset(tmp_path / "staging", "v1", b"first")
    publish(tmp_path / "staging", builder.local_dir("distill_dataset"))
    url = publish_to_store(builder, builder.local_dir("distill_dataset"))
    assert url == f"{s3_root}/distill_dataset/v1"

    reader = TableStore(s3_root, str(tmp_path / "reader"))
    copy = local_copy(reader, reader.local_dir("distill_dataset"))
    assert (copy / "sft" / "train-00000.parquet").read_bytes() == b"first"

    dataset(tmp_path / "staging2", "v2", b"second")
    publish(tmp_path / "staging2", builder.local_dir("distill_dataset"))
    publish_to_store(builder, builder.local_dir("distill_dataset"))
    assert (local_copy(reader, copy) / "sft" / "train-00000.parquet").read_bytes() == b"second"
    fs, path = fsspec.core.url_to_fs(f"{s3_root}/distill_dataset")
    assert sorted(p.rsplit("/", 1)[-1] for p in fs.ls(path, refresh=True)) == ["current.json", "v1", "v2"]


def test_nothing_published_says_what_to_materialize(s3_root, tmp_path):
    store = TableStore(s3_root, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="materialize distill_dataset"):
        local_copy(store, store.local_dir("distill_dataset"))
