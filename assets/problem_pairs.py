import dagster as dg

from assets.partitions import collections
from assets.pdf_pages import pdf_pages
from distill.pairs import problems_from_pages
from distill.records import PageRow, ProblemRow
from pipelines.resources import StorageResource


@dg.asset(
    partitions_def=collections,
    deps=[pdf_pages],
    group_name="ingest",
    kinds={"python", "parquet"},
    description="Problem-solution pairs split from the pages by layout rules, with reference answers.",
)
def problem_pairs(context: dg.AssetExecutionContext, storage: StorageResource) -> dg.MaterializeResult:
    store = storage.store()
    pages = store.read_rows("pdf_pages", context.partition_key, PageRow)
    rows, reasons = problems_from_pages(pages)
    for row in rows:
        if row.error:
            context.log.warning(f"{row.source_file}: {row.error}")
    path = store.write_rows("problem_pairs", context.partition_key, rows, ProblemRow)
    good = [r for r in rows if not r.error]
    return dg.MaterializeResult(
        metadata={
            "problems": len(good),
            "with_reference_answer": sum(bool(r.answer) for r in good),
            "by_type": {t: sum(r.type == t for r in good) for t in sorted({r.type for r in good})},
            "files_without_problems": sum(reasons.values()),
            "error_reasons": dict(reasons),
            "path": dg.MetadataValue.path(path),
        }
    )
