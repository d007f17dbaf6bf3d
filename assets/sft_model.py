import dagster as dg

from assets.distill_dataset import distill_dataset
from assets.training_run import train_stage
from pipelines.resources import StorageResource, TrainingResource


@dg.asset(
    deps=[distill_dataset],
    group_name="training",
    kinds={"pytorch", "huggingface"},
    description="The student after SFT on the teacher's CoT (training/sft.py, TRL SFTTrainer, via Dagster Pipes).",
)
def sft_model(
    context: dg.AssetExecutionContext,
    storage: StorageResource,
    training: TrainingResource,
    pipes_subprocess_client: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    return train_stage(
        context, "sft_model", "training.sft", training.sft_recipe, training.base_model,
        storage, training, pipes_subprocess_client,
    )  # fmt: skip
