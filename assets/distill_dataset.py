import json
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq

from assets.partitions import COLLECTIONS
from assets.verified_cot import verified_cot
from distill.dataset import assemble, dataset_card
from distill.prompts import Prompt
from distill.records import VerifiedRow
from pipelines.resources import DatasetResource, StorageResource

TABLES = {
    "sft/train": "sft_train",
    "sft/test": "sft_test",
    "grpo/train": "grpo_train",
    "eval/heldout": "heldout",
}


def _read_jsonl(path: str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


@dg.asset(
    deps=[dg.AssetDep(verified_cot, partition_mapping=dg.AllPartitionMapping())],
    group_name="dataset",
    kinds={"parquet", "huggingface"},
    description="The dataset of all collections: filtered, deduplicated, split by problem; SFT, GRPO and eval views.",
)
def distill_dataset(
    context: dg.AssetExecutionContext, storage: StorageResource, dataset: DatasetResource
) -> dg.MaterializeResult:
    store = storage.store()
    registered = set(context.instance.get_dynamic_partitions(COLLECTIONS))
    collections = [c for c in store.partitions("verified_cot") if c in registered]
    if not collections:
        raise dg.Failure("no collection has verified_cot yet: materialize the collections first")
    rows = [row for c in collections for row in store.read_rows("verified_cot", c, VerifiedRow)]
    heldout = [item for path in dataset.heldout_files for item in _read_jsonl(path)]
    policy = dataset.policy()
    parts = assemble(rows, policy, Prompt.load(dataset.sft_prompt), Prompt.load(dataset.grpo_prompt), heldout)
    out = store.local_dir("distill_dataset")
    for name, attr in TABLES.items():
        target = out / f"{name}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        store.write_table(getattr(parts, attr), str(target))
    provenance = {
        key: sorted({str(getattr(r, key)) for r in rows if not r.error})
        for key in (
            "collection",
            "teacher_model",
            "prompt_version",
            "translation_prompt_version",
            "ocr_engine",
        )
    }
    version = parts.version()
    (out / "README.md").write_text(dataset_card(parts, policy, provenance), encoding="utf-8")
    (out / "dataset_info.json").write_text(
        json.dumps(
            {"version": version, "counts": parts.counts, "dropped": parts.dropped, "collections": collections}
        )
    )
    context.log.info(f"dataset {version} at {out}: {parts.counts}, dropped {parts.dropped}")
    return dg.MaterializeResult(
        metadata={
            "version": version,
            **parts.counts,
            "dropped": parts.dropped,
            "collections": collections,
            "path": dg.MetadataValue.path(str(out)),
        }
    )


def _table(storage: StorageResource, name: str):
    return pq.read_table(storage.store().local_dir("distill_dataset") / f"{name}.parquet")


@dg.asset_check(asset=distill_dataset, blocking=True, description="The SFT view has rows to train on.")
def sft_view_not_empty(storage: StorageResource) -> dg.AssetCheckResult:
    rows = _table(storage, "sft/train").num_rows
    return dg.AssetCheckResult(passed=rows > 0, metadata={"sft_train_rows": rows})


@dg.asset_check(asset=distill_dataset, blocking=True, description="No sample id appears twice across splits.")
def no_duplicate_ids(storage: StorageResource) -> dg.AssetCheckResult:
    ids = (
        _table(storage, "sft/train").column("id").to_pylist()
        + _table(storage, "sft/test").column("id").to_pylist()
    )
    duplicates = len(ids) - len(set(ids))
    return dg.AssetCheckResult(passed=duplicates == 0, metadata={"duplicates": duplicates})


@dg.asset_check(
    asset=distill_dataset,
    blocking=True,
    description="Every SFT row has a problem and a user/assistant pair whose answer turn is R1-shaped.",
)
def sft_rows_well_formed(storage: StorageResource) -> dg.AssetCheckResult:
    bad = 0
    for row in _table(storage, "sft/train").select(["problem", "messages"]).to_pylist():
        roles = [m["role"] for m in row["messages"]]
        if not row["problem"].strip() or roles != ["user", "assistant"]:
            bad += 1
        elif not row["messages"][1]["content"].startswith("<think>\n"):
            bad += 1
    return dg.AssetCheckResult(passed=bad == 0, metadata={"malformed_rows": bad})
