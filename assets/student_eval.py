import base64
import io
import json

import dagster as dg

from assets.grpo_model import grpo_model
from assets.sft_model import sft_model
from distill import model_registry
from pipelines.resources import StorageResource, TrainingResource


def _bar_chart(results: list[dict]) -> str:
    """A PNG bar chart of pass@1 per arm, as markdown with an inline image."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.5), dpi=100)
    ax.bar([r["label"] for r in results], [r["pass_at_1"] for r in results], color="#4c72b0")
    ax.set_ylabel("pass@1")
    ax.set_ylim(0, 1)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return f"![pass@1](data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()})"


@dg.asset(
    deps=[sft_model, grpo_model],
    group_name="training",
    kinds={"pytorch"},
    description="pass@1 (math-verify) of the base, SFT and SFT+GRPO students on the held-out problems.",
)
def student_eval(
    context: dg.AssetExecutionContext,
    storage: StorageResource,
    training: TrainingResource,
    pipes_subprocess_client: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    store = storage.store()
    models = store.local_dir("models")
    arms = {
        "base": training.base_model,
        "sft": model_registry.latest(models, "sft_model")["checkpoint"],
        "grpo": model_registry.latest(models, "grpo_model")["checkpoint"],
    }
    problems = store.local_dir("distill_dataset", "eval") / "heldout.parquet"
    report = store.local_dir("student_eval") / "results.json"
    command = training.command(
        "training.evaluate",
        *[arg for label, model in arms.items() for arg in ("--model", model, "--label", label)],
        "--problems", str(problems),
        "--output", str(report),
        "--max-new-tokens", str(training.eval_max_new_tokens),
        *(["--limit", str(training.eval_max_problems)] if training.eval_max_problems else []),
    )  # fmt: skip
    pipes_subprocess_client.run(command=command, context=context)
    results = [{"label": label, **r} for label, r in json.loads(report.read_text())["results"].items()]
    table = "\n".join(
        ["| arm | model | pass@1 | correct / n |", "|---|---|---|---|"]
        + [
            f"| {r['label']} | `{r['model']}` | {r['pass_at_1']:.3f} | {r['correct']} / {r['n']} |"
            for r in results
        ]
    )
    return dg.MaterializeResult(
        metadata={
            **{f"pass_at_1_{r['label']}": r["pass_at_1"] for r in results},
            "problems": results[0]["n"] if results else 0,
            "results": dg.MetadataValue.md(table),
            "chart": dg.MetadataValue.md(_bar_chart(results)),
            "path": dg.MetadataValue.path(str(report)),
        }
    )
