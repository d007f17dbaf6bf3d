import base64
import json

import dagster as dg

from assets.grpo_model import grpo_model
from assets.resources import DatasetResource, StorageResource, TrainingResource
from assets.rl_model import rl_model
from assets.sft_model import sft_model
from training import runs
from training.arms import ARM_STAGES, PromptMismatch, arm_prompts
from training.eval_report import bar_chart, results_table


@dg.asset(
    deps=[sft_model, grpo_model, rl_model],
    group_name="training",
    kinds={"pytorch"},
    description="pass@1 (math-verify) on held-out problems of the configured arms: base, base+GRPO (RL only), "
    "SFT (distilled), SFT+GRPO, each asked with the prompt it was trained on (base: the SFT prompt); a "
    "results table and a bar chart (training/evaluate.py via Pipes).",
)
def student_eval(
    context: dg.AssetExecutionContext,
    storage: StorageResource,
    dataset: DatasetResource,
    training: TrainingResource,
    pipes_subprocess_client: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    unknown = sorted(set(training.eval_arms) - set(ARM_STAGES))
    if unknown or not training.eval_arms:
        raise dg.Failure(f"eval_arms must name arms among {list(ARM_STAGES)}, got {training.eval_arms}")
    store = storage.store()
    dataset_dir = storage.dataset_dir()
    arms = {
        arm: training.base_model
        if ARM_STAGES[arm] is None
        else runs.latest(store, ARM_STAGES[arm])["checkpoint"]
        for arm in training.eval_arms
    }
    try:
        prompts = arm_prompts(arms, {"sft": dataset.sft_prompt, "grpo": dataset.grpo_prompt}, dataset_dir)
    except PromptMismatch as exc:
        raise dg.Failure(str(exc)) from exc
    report = store.local_dir("student_eval") / "results.json"
    command = training.command(
        "training.evaluate",
        *[
            arg
            for label, model in arms.items()
            for arg in ("--model", model, "--label", label, "--prompt", prompts[label])
        ],
        *training.eval_problem_args(dataset_dir / "eval" / "heldout.parquet"),
        "--output",
        str(report),
        "--max-new-tokens",
        str(training.eval_max_new_tokens),
        "--batch-size",
        str(training.eval_batch_size),
        distributed=False,
    )
    training.launch(context, command, pipes_subprocess_client)
    results = json.loads(report.read_text())["results"]
    chart = base64.b64encode(bar_chart(results)).decode()
    return dg.MaterializeResult(
        metadata={
            **{f"pass_at_1_{label}": r["pass_at_1"] for label, r in results.items()},
            **{f"boxed_rate_{label}": r["boxed_rate"] for label, r in results.items()},
            **{f"prompt_{label}": r["prompt_version"] for label, r in results.items()},
            "problems": next(iter(results.values()))["n"],
            "results": dg.MetadataValue.md(results_table(results)),
            "chart": dg.MetadataValue.md(f"![pass@1](data:image/png;base64,{chart})"),
            "path": dg.MetadataValue.path(str(report)),
        }
    )
