import dagster as dg

from assets.partitions import collections
from assets.problem_pairs import problem_pairs
from assets.resources import TEACHER_POOL, CotResource, StorageResource, TeacherResource, teacher_step
from distill.core.progress import ProgressLog
from distill.core.records import ProblemRow, TranslatedRow
from distill.llm.prompts import Prompt
from distill.review.apply import apply_to_translations
from distill.translation.translate import translate_rows


def translated_pairs_asset(pool: str) -> dg.AssetsDefinition:
    """The asset in the concurrency ``pool`` of the translator's endpoint (``translator_pool``)."""
    return dg.asset(
        name="translated_pairs",
        partitions_def=collections,
        deps=[problem_pairs],
        group_name="teacher",
        kinds={"openai", "parquet"},
        pool=pool,
        description="Problems and solutions in English (originals kept); English rows pass through untouched.",
    )(_translate)


def _translate(
    context: dg.AssetExecutionContext, storage: StorageResource, translator: TeacherResource, cot: CotResource
) -> dg.MaterializeResult:
    store = storage.store()
    collection = context.partition_key
    rows = store.read_rows("problem_pairs", collection, ProblemRow)
    prompt = Prompt.load(cot.translate_prompt)
    client = translator.client(storage.ledger())
    with teacher_step("translator"):
        out, stats, flags = translate_rows(
            rows,
            client,
            prompt,
            cot.translate_max_tokens,
            cot.translates_solutions(collection),
            ProgressLog(context.log.info, "translator"),
            retry=translator.client(storage.ledger(), temperature=0.0) if cot.translate_retry else None,
            drop_flagged=cot.translate_drop_flagged,
        )
    reviewed = apply_to_translations(out, storage.reviews().states(collection))  # English a person wrote
    for row in out:
        if row.error:
            context.log.warning(f"{row.id}: {row.error}")
    path = store.write_rows("translated_pairs", collection, out, TranslatedRow)
    return dg.MaterializeResult(
        metadata={
            "rows": len(out),
            "translated": sum(r.translated for r in out),
            "flags": dict(flags),
            "translations_from_review": reviewed,
            "review_page": storage.review_link(collection),
            **stats.as_metadata(),
            "translator_model": client.settings.model,
            "prompt_version": prompt.version,
            **translator.server_metadata(context.log.warning),
            "path": dg.MetadataValue.path(path),
        }
    )


# As when the translator is the teacher (`translator: teacher`); the code location picks the pool per config.
translated_pairs = translated_pairs_asset(TEACHER_POOL)
