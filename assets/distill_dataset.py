"""``distill_dataset``: every collection's ``verified_cot`` -> filtered, deduplicated, decontaminated
SFT / GRPO / eval views with a dataset card (logic in ``distill.dataset.assembly``), and its blocking checks.

The checks read the written dataset dir, never the partitioned upstream: an asset check that took
``verified_cot`` as input would load every partition (dagster issue #27747). They run after
each materialization and block ``sft_model``/``grpo_model``/``student_eval`` when they fail.
"""

import shutil
from pathlib import Path

import dagster as dg

from assets.partitions import COLLECTIONS
from assets.resources import DatasetResource, StorageResource
from assets.verified_cot import verified_cot
from distill.core.storage import read_jsonl
from distill.dataset import checks as dataset_checks
from distill.dataset.assembly import build_dataset, decontaminator
from distill.dataset.card import write_card
from distill.dataset.publication import ASSET, publish_built
from distill.llm.prompts import Prompt


@dg.asset(
    deps=[dg.AssetDep(verified_cot, partition_mapping=dg.AllPartitionMapping())],
    group_name="dataset",
    kinds={"parquet", "huggingface"},
    description="The dataset of all collections: filtered, deduplicated, decontaminated, split by problem; "
    "SFT, GRPO and eval views in Parquet shards with a dataset card.",
)
def distill_dataset(
    context: dg.AssetExecutionContext, storage: StorageResource, dataset: DatasetResource
) -> dg.MaterializeResult:
    store = storage.store()
    registered = set(context.instance.get_dynamic_partitions(COLLECTIONS))
    collections = [c for c in store.partitions("verified_cot") if c in registered]
    if not collections:
        raise dg.Failure("no collection has verified_cot yet: materialize the collections first")
    target = store.local_dir(ASSET)
    staging = target.with_name(".distill_dataset.staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    policy = dataset.policy()
    report = build_dataset(
        [store.table_url("verified_cot", c) for c in collections],
        staging,
        policy,
        Prompt.load(dataset.sft_prompt),
        Prompt.load(dataset.grpo_prompt),
        dataset.references(),
        [item for path in dataset.heldout_files for item in read_jsonl(path)],
        dataset.token_counter(),
    )
    write_card(staging, report, policy, dataset.license)
    where = publish_built(store, staging, target)
    context.log.info(f"dataset {report.version} at {where}: {report.counts}, dropped {report.dropped}")
    return dg.MaterializeResult(
        metadata={
            "version": report.version,
            **report.counts,
            "dropped": report.dropped,
            "grpo_excluded": report.grpo_excluded,
            "stages": dg.MetadataValue.md(
                "\n".join(
                    ["| stage | samples | problems |", "|---|---|---|"]
                    + [f"| {s} | {r} | {p} |" for s, r, p in report.stages]
                )
            ),
            "contamination": report.contamination,
            "duplicates": report.duplicates,
            "verified_share": report.verified_share,
            "collections": collections,
            "path": dg.MetadataValue.path(where),
        }
    )


def _dir(storage: StorageResource) -> Path:
    return storage.dataset_dir()


@dg.asset_check(asset=distill_dataset, blocking=True, description="The SFT view has rows to train on.")
def sft_view_not_empty(storage: StorageResource) -> dg.AssetCheckResult:
    rows = dataset_checks.rows(_dir(storage), "sft/train")
    return dg.AssetCheckResult(passed=rows > 0, metadata={"sft_train_rows": rows})


@dg.asset_check(asset=distill_dataset, blocking=True, description="No empty problem or answer in any view.")
def no_empty_problems_or_answers(storage: StorageResource) -> dg.AssetCheckResult:
    empty = dataset_checks.empty_fields(_dir(storage))
    return dg.AssetCheckResult(passed=not any(empty.values()), metadata=empty)


@dg.asset_check(
    asset=distill_dataset, blocking=True, description="No id twice: across the SFT splits, in GRPO, in eval."
)
def no_duplicate_ids(storage: StorageResource) -> dg.AssetCheckResult:
    duplicates = dataset_checks.duplicate_ids(_dir(storage))
    return dg.AssetCheckResult(passed=not any(duplicates.values()), metadata=duplicates)


@dg.asset_check(
    asset=distill_dataset,
    blocking=True,
    description="No benchmark or held-out problem left in the SFT and GRPO views (detector run again on the files).",
)
def no_contamination_left(storage: StorageResource, dataset: DatasetResource) -> dg.AssetCheckResult:
    detector = decontaminator(dataset.references(), dataset.policy())
    found = dataset_checks.contamination_left(_dir(storage), detector)
    examples = [f"{c.item.benchmark}/{c.item.id} ({c.method} {c.score:.2f})" for c in found[:10]]
    return dg.AssetCheckResult(
        passed=not found, metadata={"contaminated_problems": len(found), "examples": examples}
    )


@dg.asset_check(
    asset=distill_dataset,
    blocking=True,
    description="The share of SFT samples whose answer verified is at least dataset.min_verified_share.",
)
def verified_share_above_floor(storage: StorageResource, dataset: DatasetResource) -> dg.AssetCheckResult:
    verified, total = dataset_checks.verified_share(_dir(storage))
    share = verified / total if total else 0.0
    return dg.AssetCheckResult(
        passed=share >= dataset.min_verified_share,
        metadata={
            "verified_share": share,
            "floor": dataset.min_verified_share,
            "verified": verified,
            "samples": total,
        },
    )


@dg.asset_check(
    asset=distill_dataset, blocking=True, description="Every view's files have the documented schema."
)
def schema_as_documented(storage: StorageResource) -> dg.AssetCheckResult:
    mismatches = dataset_checks.schema_mismatches(_dir(storage))
    return dg.AssetCheckResult(passed=not mismatches, metadata={"mismatches": mismatches})


@dg.asset_check(
    asset=distill_dataset,
    blocking=True,
    description="Every SFT row is a user turn and an assistant turn that starts with <think>.",
)
def sft_rows_well_formed(storage: StorageResource) -> dg.AssetCheckResult:
    bad = dataset_checks.malformed_conversations(_dir(storage))
    return dg.AssetCheckResult(passed=bad == 0, metadata={"malformed_rows": bad})


DATASET_CHECKS = [
    sft_view_not_empty,
    no_empty_problems_or_answers,
    no_duplicate_ids,
    no_contamination_left,
    verified_share_above_floor,
    schema_as_documented,
    sft_rows_well_formed,
]
