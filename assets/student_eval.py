import base64
import json

import dagster as dg

from assets.grpo_model import grpo_model
from assets.rl_model import rl_model
from assets.sft_model import sft_model
from distill import model_registry
from pipelines.resources import StorageResource, TrainingResource
from training.eval_report import bar_chart, results_table

ARM_STAGES = {"base": None, "rl": "rl_model", "sft": "sft_model", "grpo": "grpo_model"}


@dg.asset(
    deps=[sft_model, grpo_model, rl_model],
    group_name="training",
    kinds={"pytorch"},
    description="pass@1 (math-verify) on held-out problems of the configured arms: base, base+GRPO (RL only), "
    "SFT (distilled), SFT+GRPO; a results table and a bar chart (training/evaluate.py via Pipes).",
)
def student_eval(
    context: dg.AssetExecutionContext,
    storage: StorageResource,
    training: TrainingResource,
    pipes_subprocess_client: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    unknown = sorted(set(training.eval_arms) - set(ARM_STAGES))
    if unknown or not training.eval_arms:
        raise dg.Failure(f"eval_arms must name arms among {list(ARM_STAGES)}, got {training.eval_arms}")
    store = storage.store()
    models = store.local_dir("models")
    arms = {
        arm: training.base_model
        if ARM_STAGES[arm] is None
        else model_registry.latest(models, ARM_STAGES[arm])["checkpoint"]
        for arm in training.eval_arms
    }
    report = store.local_dir("student_eval") / "results.json"
    command = training.command(
        "training.evaluate",
        *[arg for label, model in arms.items() for arg in ("--model", model, "--label", label)],
        *training.eval_problem_args(store.local_dir("distill_dataset", "eval") / "heldout.parquet"),
        "--output", str(report),
        "--max-new-tokens", str(training.eval_max_new_tokens),
        "--batch-size", str(training.eval_batch_size),
        distributed=False,
    )  # fmt: skip
    pipes_subprocess_client.run(command=command, context=context, env=training.env())
    results = json.loads(report.read_text())["results"]
    chart = base64.b64encode(bar_chart(results)).decode()
    return dg.MaterializeResult(
        metadata={
            **{f"pass_at_1_{label}": r["pass_at_1"] for label, r in results.items()},
            **{f"boxed_rate_{label}": r["boxed_rate"] for label, r in results.items()},
            "problems": next(iter(results.values()))["n"],
            "results": dg.MetadataValue.md(results_table(results)),
            "chart": dg.MetadataValue.md(f"![pass@1](data:image/png;base64,{chart})"),
            "path": dg.MetadataValue.path(str(report)),
        }
    )
