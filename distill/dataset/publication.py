"""Where a built dataset goes and where it is read from (pure logic).

A dataset is built in a local staging dir and replaces the local dataset dir whole (``publish``). On a
data root that is an object store, it is then copied under ``<root>/distill_dataset/<version>/`` (the
version is a digest of its files, so the copy of one version never changes) and ``current.json`` is
pointed at it last: a reader sees the old dataset or the new one, never a mix. A machine that reads it
(the checks, training, the eval) keeps a local copy of the version pointed at (``local_copy``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from distill.core.storage import TableStore

ASSET = "distill_dataset"
POINTER = "current.json"


def publish(staging: Path, target: Path) -> None:
    """Replace ``target`` with the finished ``staging`` dir (old shards never mix with new ones)."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        shutil.rmtree(old)


def version_of(directory: Path) -> str | None:
    info = directory / "dataset_info.json"
    return json.loads(info.read_text(encoding="utf-8"))["version"] if info.is_file() else None


def publish_to_store(store: TableStore, local: Path) -> str:
    """Copy the dataset in ``local`` to the store under its version, point ``current.json`` at it, and
    return its URL."""
    version = version_of(local)
    if version is None:
        raise FileNotFoundError(f"{local} holds no dataset_info.json")
    url = store.url(ASSET, version)
    store.put_tree(local, url)
    store.write_bytes(store.url(ASSET, POINTER), json.dumps({"version": version, "url": url}).encode())
    return url


def local_copy(store: TableStore, local: Path) -> Path:
    """``local``, holding the dataset the store points at (fetched when it holds another version)."""
    data = store.read_bytes(store.url(ASSET, POINTER))
    if data is None:
        raise FileNotFoundError(f"{store.url(ASSET, POINTER)} does not exist: materialize {ASSET} first")
    pointer = json.loads(data)
    if version_of(local) != pointer["version"]:
        staging = local.with_name(f".{local.name}.fetch")
        shutil.rmtree(staging, ignore_errors=True)
        store.get_tree(pointer["url"], staging)
        publish(staging, local)
    return local


def publish_built(store: TableStore, staging: Path, target: Path) -> str:
    """Replace the local dataset ``target`` with ``staging``, and copy it to an object-store root; where
    it now is (the local dir when it is the data root's own)."""
    publish(staging, target)
    return str(target) if store.works_in_root else publish_to_store(store, target)


def dataset_dir(store: TableStore) -> Path:
    """The local dir of the current dataset: the data root's own, or a local copy of the one an
    object-store root (or a root with a work dir of its own) points at."""
    local = store.local_dir(ASSET)
    return local if store.works_in_root else local_copy(store, local)
