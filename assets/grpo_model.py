from assets.sft_model import sft_model
from assets.training_run import training_asset

grpo_model = training_asset(
    "grpo_model",
    "training.grpo",
    "grpo_recipe",
    deps=[sft_model],
    start_from="sft_model",
    description="The SFT student after GRPO with rule rewards (training/grpo.py, TRL GRPOTrainer, via Pipes): "
    "the distillation + RL arm of student_eval.",
)
