"""The inbox sensor: each folder of the inbox is a collection (a dynamic partition).

New folders are registered; a run is requested for every collection whose files changed (the run
key is a fingerprint of the names, sizes and modification times of the folder's PDFs and forum dumps,
so an unchanged collection is not run twice).
"""

import hashlib
from pathlib import Path

import dagster as dg

from assets.partitions import collections
from assets.resources import StorageResource
from distill.pages.ingest import list_pdfs
from distill.problems.forum import list_dumps


def inbox_collections(inbox: Path) -> dict[str, str]:
    """Collection name -> fingerprint of its PDFs and forum dumps, for every folder that has some."""
    found = {}
    if not inbox.is_dir():
        return found
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(list_pdfs(folder) + list_dumps(folder))
        if files:
            digest = hashlib.sha256()
            for path in files:
                stat = path.stat()
                digest.update(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
            found[folder.name] = digest.hexdigest()[:16]
    return found


def register_collections(instance: dg.DagsterInstance, names: list[str]) -> list[str]:
    """Register the names that are not partitions yet; returns the new ones (CLI and tests use this)."""
    known = set(instance.get_dynamic_partitions(collections.name))
    new = [n for n in names if n not in known]
    if new:
        instance.add_dynamic_partitions(collections.name, new)
    return new


def build_inbox_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(job=job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
    def inbox_sensor(context: dg.SensorEvaluationContext, storage: StorageResource) -> dg.SensorResult:
        found = inbox_collections(storage.inbox())
        known = set(context.instance.get_dynamic_partitions(collections.name))
        new = sorted(set(found) - known)
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(partition_key=name, run_key=f"{name}:{fingerprint}")
                for name, fingerprint in sorted(found.items())
            ],
            dynamic_partitions_requests=[collections.build_add_request(new)] if new else [],
        )

    return inbox_sensor
