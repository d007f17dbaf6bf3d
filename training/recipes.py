"""YAML training recipes and the model loading shared by the training scripts.

A recipe is one YAML file::

    kind: sft                               # sft | grpo
    model: local:smollm2-135m-instruct      # hub id, local path, or the local alias (distill.llm.local_model)
    output_dir: runs/sft                    # optional default for --output-dir
    reward_funcs:                           # grpo only: names, or {name: {parameter: value}} (training.rewards)
      - accuracy
      - cosine: {max_len: 2048}
    trainer:                                # keyword arguments of trl.SFTConfig / trl.GRPOConfig
      max_steps: 4
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import torch
import yaml
from transformers import AutoModelForCausalLM, PreTrainedModel

from distill.llm.local_model import resolve_model
from training.rewards import RewardSpec, get_reward_funcs

KINDS = ("sft", "grpo")
_KEYS = {"kind", "model", "output_dir", "reward_funcs", "trainer"}
ConfigT = TypeVar("ConfigT")


@dataclass(frozen=True)
class Recipe:
    path: Path
    kind: str
    model: str
    trainer: dict[str, Any]
    output_dir: str | None = None
    reward_funcs: list[RewardSpec] = field(default_factory=list)

    def model_path(self, override: str | None = None) -> str:
        """The model to load: ``override`` (e.g. the SFT output when chained) or the recipe's, resolved."""
        return resolve_model(override or self.model)

    def config(self, config_cls: type[ConfigT], output_dir: str | Path) -> ConfigT:
        """The TRL config (``SFTConfig`` / ``GRPOConfig``) built from the ``trainer`` section.

        ``model_init_kwargs`` is left out: :meth:`load_model` applies it (TRL would warn it is ignored).
        """
        args = {key: value for key, value in self.trainer.items() if key != "model_init_kwargs"}
        return config_cls(output_dir=str(output_dir), **args)

    def load_model(self, override: str | None = None) -> PreTrainedModel:
        """Load the model (see :meth:`model_path`) with the recipe's ``trainer.model_init_kwargs``."""
        return load_model(self.model_path(override), self.trainer.get("model_init_kwargs"))


def load_model(path: str, init_kwargs: dict[str, Any] | None = None) -> PreTrainedModel:
    """``AutoModelForCausalLM.from_pretrained`` in float32 unless ``dtype`` says otherwise (as TRL does)."""
    kwargs = dict(init_kwargs or {})
    dtype = kwargs.pop("dtype", "float32")
    return AutoModelForCausalLM.from_pretrained(
        path, dtype=getattr(torch, dtype) if dtype != "auto" else dtype, **kwargs
    )


def load_recipe(path: str | Path) -> Recipe:
    path = Path(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: a recipe is a YAML mapping")
    unknown = set(raw) - _KEYS
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}")
    if raw.get("kind") not in KINDS:
        raise ValueError(f"{path}: kind must be one of {KINDS}, got {raw.get('kind')!r}")
    if not isinstance(raw.get("model"), str):
        raise ValueError(f"{path}: model must be a hub id, a local path or a local alias")
    trainer = raw.get("trainer") or {}
    if not isinstance(trainer, dict) or "output_dir" in trainer:
        raise ValueError(f"{path}: trainer must be a mapping without output_dir (use the top-level key)")
    reward_funcs = list(raw.get("reward_funcs") or [])
    if raw["kind"] == "grpo":
        if not reward_funcs:
            raise ValueError(f"{path}: a grpo recipe needs reward_funcs")
        try:
            get_reward_funcs(reward_funcs)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path}: bad reward_funcs: {error}") from error
        weights = trainer.get("reward_weights")
        if weights is not None and len(weights) != len(reward_funcs):
            raise ValueError(f"{path}: {len(weights)} reward_weights for {len(reward_funcs)} reward_funcs")
    elif reward_funcs:
        raise ValueError(f"{path}: reward_funcs only apply to grpo recipes")
    return Recipe(
        path=path,
        kind=raw["kind"],
        model=raw["model"],
        trainer=trainer,
        output_dir=raw.get("output_dir"),
        reward_funcs=reward_funcs,
    )


def output_dir_for(recipe: Recipe, cli_value: str | None) -> Path:
    value = cli_value or recipe.output_dir
    if not value:
        raise SystemExit("no output directory: pass --output-dir or set output_dir in the recipe")
    return Path(value)
