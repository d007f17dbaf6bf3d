import dagster as dg

from assets.partitions import collections
from assets.resources import TEACHER_POOL, CotResource, StorageResource, TeacherResource, teacher_step
from assets.translated_pairs import translated_pairs
from distill.core.kinds import TeacherInput
from distill.core.progress import ProgressLog
from distill.core.records import CotRow, TranslatedRow
from distill.cot.generate import generate_cot


@dg.asset(
    partitions_def=collections,
    deps=[translated_pairs],
    group_name="teacher",
    kinds={"openai", "parquet"},
    pool=TEACHER_POOL,
    description="R1 teacher samples per problem: reasoning kept apart from the final text; every call in the ledger.",
)
def teacher_cot(
    context: dg.AssetExecutionContext, storage: StorageResource, teacher: TeacherResource, cot: CotResource
) -> dg.MaterializeResult:
    store = storage.store()
    collection = context.partition_key
    rows = store.read_rows("translated_pairs", collection, TranslatedRow)
    mode = cot.mode_for(collection)
    prompt = cot.prompt(collection)
    client = teacher.client(storage.ledger())
    with teacher_step("teacher"):
        out, stats = generate_cot(
            rows,
            client,
            prompt,
            mode,
            cot.samples_per_problem,
            ProgressLog(context.log.info, "teacher"),
            TeacherInput(cot.teacher_input),
        )
    for row in out:
        if row.error:
            context.log.warning(f"{row.id}#{row.sample_index}: {row.error}")
    path = store.write_rows("teacher_cot", collection, out, CotRow)
    return dg.MaterializeResult(
        metadata={
            "samples": len(out),
            "skipped_upstream_errors": sum(bool(r.error) for r in rows),
            "truncated": sum(r.truncated for r in out),
            **stats.as_metadata(),
            "error_reasons": dict(stats.errors),
            "teacher_model": client.settings.model,
            "cot_mode": str(mode),
            "teacher_input": cot.teacher_input,
            "prompt_version": prompt.version,
            **teacher.server_metadata(context.log.warning),
            "path": dg.MetadataValue.path(path),
        }
    )
