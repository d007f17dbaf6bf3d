import dagster as dg

from assets.partitions import collections
from distill.ingest import ExtractionSettings, extract_collection
from distill.records import PageRow
from pipelines.resources import OcrResource, StorageResource


@dg.asset(
    partitions_def=collections,
    group_name="ingest",
    kinds={"pdf", "parquet"},
    description="Every page of every PDF in the collection: text layer first, OCR for pages without text.",
)
def pdf_pages(
    context: dg.AssetExecutionContext, storage: StorageResource, ocr: OcrResource
) -> dg.MaterializeResult:
    collection = context.partition_key
    folder = storage.inbox() / collection
    if not folder.is_dir():
        raise dg.Failure(f"collection folder {folder} does not exist (INBOX_ROOT={storage.inbox_root})")
    settings = ExtractionSettings(engine=ocr.engine, dpi=ocr.dpi, min_text_chars=ocr.min_text_chars)
    cache_dir = storage.store().local_dir("cache", "pdf_pages")
    rows, stats = extract_collection(collection, folder, cache_dir, settings, workers=ocr.workers)
    for row in rows:
        if row.error:
            context.log.warning(f"{row.source_file} page {row.page}: {row.error}")
    path = storage.store().write_rows("pdf_pages", collection, rows, PageRow)
    context.log.info(f"{collection}: {stats.files} files, {stats.pages} pages ({dict(stats.methods)})")
    return dg.MaterializeResult(
        metadata={
            **stats.as_metadata(),
            "error_reasons": dict(stats.errors),
            "path": dg.MetadataValue.path(path),
        }
    )
