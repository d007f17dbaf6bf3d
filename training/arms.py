"""The arms that student_eval compares, the stage that trains each, and the prompt each is asked with."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from distill.llm.prompts import Prompt

ARM_STAGES = {"base": None, "rl": "rl_model", "sft": "sft_model", "grpo": "grpo_model"}
# The dataset view whose prompt each arm is evaluated with: the one it was trained on (the base model,
# untrained, is asked like the SFT data, so that base and SFT differ by the training alone).
ARM_VIEWS = {"base": "sft", "rl": "grpo", "sft": "sft", "grpo": "grpo"}


class PromptMismatch(ValueError):
    """The configured prompt of a view is not the one the dataset's view was built with."""


def arm_prompts(arms: Iterable[str], view_prompts: Mapping[str, str], dataset_dir: Path) -> dict[str, str]:
    """The prompt file of each arm (``view_prompts``: view -> file), checked against the prompt versions
    that ``dataset_info.json`` says the views were built with, when it records them."""
    arms = list(arms)
    info = dataset_dir / "dataset_info.json"
    built = json.loads(info.read_text(encoding="utf-8")).get("provenance", {}) if info.is_file() else {}
    for view in dict.fromkeys(ARM_VIEWS[arm] for arm in arms):
        version, recorded = Prompt.load(view_prompts[view]).version, built.get(f"{view}_prompt")
        if recorded and version not in recorded:
            raise PromptMismatch(
                f"the dataset's {view} view was built with prompt {', '.join(recorded)}, but "
                f"dataset.{view}_prompt ({view_prompts[view]}) is {version}: the {view}-trained arms would be "
                f"evaluated with a prompt they were not trained on. Rebuild distill_dataset (and the models), "
                f"or point dataset.{view}_prompt back at the prompt of the dataset."
            )
    return {arm: view_prompts[ARM_VIEWS[arm]] for arm in arms}
