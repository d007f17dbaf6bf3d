import dagster as dg

from assets.distill_dataset import distill_dataset
from assets.training_run import train_stage
from pipelines.resources import StorageResource, TrainingResource


@dg.asset(
    deps=[distill_dataset],
    group_name="training",
    kinds={"pytorch", "huggingface"},
    description="The base model after GRPO alone, no distillation: the RL-only arm of student_eval "
    "(training/grpo.py with the grpo_model recipe, via Dagster Pipes).",
)
def rl_model(
    context: dg.AssetExecutionContext,
    storage: StorageResource,
    training: TrainingResource,
    pipes_subprocess_client: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    return train_stage(
        context, "rl_model", "training.grpo", training.grpo_recipe, training.base_model,
        storage, training, pipes_subprocess_client,
    )  # fmt: skip
