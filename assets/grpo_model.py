import dagster as dg

from assets.sft_model import sft_model
from assets.training_run import train_stage
from distill import model_registry
from pipelines.resources import StorageResource, TrainingResource


@dg.asset(
    deps=[sft_model],
    group_name="training",
    kinds={"pytorch", "huggingface"},
    description="The SFT student after GRPO with rule rewards (training/grpo.py, TRL GRPOTrainer, via Pipes): "
    "the distillation + RL arm of student_eval.",
)
def grpo_model(
    context: dg.AssetExecutionContext,
    storage: StorageResource,
    training: TrainingResource,
    pipes_subprocess_client: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    sft = model_registry.latest(storage.store().local_dir("models"), "sft_model")
    return train_stage(
        context, "grpo_model", "training.grpo", training.grpo_recipe, sft["checkpoint"],
        storage, training, pipes_subprocess_client,
    )  # fmt: skip
