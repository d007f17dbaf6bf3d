import dagster as dg

from assets.partitions import collections
from assets.translated_pairs import translated_pairs
from distill.cot import generate_cot
from distill.records import CotRow, TranslatedRow
from pipelines.resources import CotResource, StorageResource, TeacherResource


@dg.asset(
    partitions_def=collections,
    deps=[translated_pairs],
    group_name="teacher",
    kinds={"openai", "parquet"},
    pool="teacher",
    description="R1 teacher samples per problem: reasoning kept apart from the final text; every call in the ledger.",
)
def teacher_cot(
    context: dg.AssetExecutionContext, storage: StorageResource, teacher: TeacherResource, cot: CotResource
) -> dg.MaterializeResult:
    store = storage.store()
    rows = store.read_rows("translated_pairs", context.partition_key, TranslatedRow)
    prompt = cot.prompt()
    client = teacher.client(storage.ledger())

    def progress(done: int, total: int) -> None:
        if done == total or done % 10 == 0:
            context.log.info(f"teacher: {done}/{total} new samples")

    out, stats = generate_cot(rows, client, prompt, cot.mode, cot.samples_per_problem, progress=progress)
    for row in out:
        if row.error:
            context.log.warning(f"{row.id}#{row.sample_index}: {row.error}")
    path = store.write_rows("teacher_cot", context.partition_key, out, CotRow)
    return dg.MaterializeResult(
        metadata={
            "samples": len(out),
            "skipped_upstream_errors": sum(bool(r.error) for r in rows),
            "truncated": sum(r.finish_reason == "length" for r in out),
            **stats.as_metadata(),
            "error_reasons": stats.errors,
            "teacher_model": client.settings.model,
            "cot_mode": cot.mode,
            "prompt_version": prompt.version,
            "path": dg.MetadataValue.path(path),
        }
    )
