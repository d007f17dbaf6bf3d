import dagster as dg

from assets.partitions import collections
from assets.resources import OcrResource, StorageResource
from distill.core.records import PageRow
from distill.pages.ingest import extract_collection
from distill.pages.leases import PageLeases
from ocr import EngineUnavailable


@dg.asset(
    partitions_def=collections,
    group_name="ingest",
    kinds={"pdf", "parquet"},
    description="Every page of every PDF in the collection: text layer with inline math, OCR for scanned "
    "pages and vector-drawn formulas; engine, confidence and flags (scanned, math_lost, ...) per page. "
    "Runs of one collection at once share its pages through the ledger's leases.",
)
def pdf_pages(
    context: dg.AssetExecutionContext, storage: StorageResource, ocr: OcrResource
) -> dg.MaterializeResult:
    collection = context.partition_key
    folder = storage.inbox() / collection
    if not folder.is_dir():
        raise dg.Failure(f"collection folder {folder} does not exist (INBOX_ROOT={storage.inbox_root})")
    cache = storage.store().url("cache", "pdf_pages")
    try:
        rows, stats = extract_collection(
            collection, folder, cache, ocr.settings(), ocr.workers, PageLeases(storage.ledger())
        )
    except EngineUnavailable as exc:
        raise dg.Failure(f"OCR engine {ocr.engine!r} cannot run: {exc}", allow_retries=False) from exc
    for row in rows:
        if row.error:
            context.log.warning(f"{row.source_file} page {row.page}: {row.error}")
    path = storage.store().write_rows("pdf_pages", collection, rows, PageRow)
    context.log.info(f"{collection}: {stats.files} files, {stats.pages} pages ({dict(stats.methods)})")
    return dg.MaterializeResult(
        metadata={
            **stats.as_metadata(),
            "error_kinds": {str(kind): n for kind, n in stats.errors.items()},
            "path": dg.MetadataValue.path(path),
        }
    )
