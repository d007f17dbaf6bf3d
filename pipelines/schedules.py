"""Backfill schedules: re-materialize every collection nightly (cheap: caches and the ledger make
unchanged work free), then rebuild the dataset and the students (skipped when nothing changed)."""

import dagster as dg

from assets.partitions import collections


def build_schedules(collection_job, dataset_job) -> list[dg.ScheduleDefinition]:
    @dg.schedule(job=collection_job, cron_schedule="0 2 * * *", name="nightly_collections_backfill")
    def nightly_collections_backfill(context: dg.ScheduleEvaluationContext):
        keys = context.instance.get_dynamic_partitions(collections.name)
        if not keys:
            return dg.SkipReason("no collection registered yet")
        tick = context.scheduled_execution_time.isoformat()
        return [dg.RunRequest(partition_key=key, run_key=f"{key}@{tick}") for key in keys]

    nightly_dataset = dg.ScheduleDefinition(
        name="nightly_dataset_and_training", job=dataset_job, cron_schedule="0 5 * * *"
    )
    return [nightly_collections_backfill, nightly_dataset]
