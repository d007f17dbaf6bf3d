"""The Dagster code location: assets, checks, jobs, schedules, the inbox sensor and the resources of
the environment named by ``PIPELINE_CONFIG`` (default ``configs/local.yaml``)."""

import dagster as dg

from assets.distill_dataset import DATASET_CHECKS, distill_dataset
from assets.grpo_model import grpo_model
from assets.pdf_pages import pdf_pages
from assets.problem_pairs import problem_pairs
from assets.resources import translator_pool
from assets.rl_model import rl_model
from assets.sft_model import sft_model
from assets.student_eval import student_eval
from assets.teacher_cot import teacher_cot
from assets.translated_pairs import translated_pairs_asset
from assets.verified_cot import verified_cot
from pipelines.environment import load_executor, load_resources
from pipelines.jobs import build_jobs
from pipelines.schedules import build_schedules
from pipelines.sensors import build_inbox_sensor

resources = load_resources()
collection_job, dataset_job = build_jobs(resources["teacher"].embedded, load_executor())

defs = dg.Definitions(
    assets=[
        pdf_pages,
        problem_pairs,
        translated_pairs_asset(translator_pool(resources["teacher"], resources["translator"])),
        teacher_cot,
        verified_cot,
        distill_dataset,
        sft_model,
        grpo_model,
        rl_model,
        student_eval,
    ],
    asset_checks=DATASET_CHECKS,
    jobs=[collection_job, dataset_job],
    schedules=build_schedules(collection_job, dataset_job),
    sensors=[build_inbox_sensor(collection_job)],
    resources=resources,
)
