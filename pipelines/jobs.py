"""Jobs: one per collection (extraction to verified samples), one for the dataset and the students."""

import dagster as dg

COLLECTION_ASSETS = ["pdf_pages", "problem_pairs", "translated_pairs", "teacher_cot", "verified_cot"]
DATASET_ASSETS = ["distill_dataset", "sft_model", "grpo_model", "rl_model", "student_eval"]


def build_jobs(embedded_teacher: bool, executor: dg.ExecutorDefinition | None = None) -> list:
    """The two jobs; ``executor`` (the environment's, e.g. Kubernetes Jobs) runs the steps of both."""
    # With the embedded teacher, the steps of a run share one process and so one local server
    # (the resource is set up once per run); a remote endpoint lets the steps run in parallel processes.
    collection_executor = executor or (dg.in_process_executor if embedded_teacher else None)
    collection_job = dg.define_asset_job(
        "collection_job",
        selection=dg.AssetSelection.assets(*COLLECTION_ASSETS),
        executor_def=collection_executor,
        description="One collection of the inbox: pages -> problems -> English -> teacher CoT -> verdicts.",
    )
    dataset_job = dg.define_asset_job(
        "dataset_job",
        selection=dg.AssetSelection.assets(*DATASET_ASSETS)
        | dg.AssetSelection.checks_for_assets(*DATASET_ASSETS),
        executor_def=executor or dg.in_process_executor,
        description="All collections -> the dataset -> SFT -> GRPO -> student evaluation.",
    )
    return [collection_job, dataset_job]
