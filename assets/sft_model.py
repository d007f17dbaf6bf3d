from assets.distill_dataset import distill_dataset
from assets.training_run import training_asset

sft_model = training_asset(
    "sft_model",
    "training.sft",
    "sft_recipe",
    deps=[distill_dataset],
    description="The student after SFT on the teacher's CoT (training/sft.py, TRL SFTTrainer, via Dagster Pipes).",
)
