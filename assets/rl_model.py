from assets.distill_dataset import distill_dataset
from assets.training_run import training_asset

rl_model = training_asset(
    "rl_model",
    "training.grpo",
    "grpo_recipe",
    deps=[distill_dataset],
    description="The base model after GRPO alone, no distillation: the RL-only arm of student_eval "
    "(training/grpo.py with the grpo_model recipe, via Dagster Pipes).",
)
