"""The training stages' assets: skip when unchanged, else run the script through Pipes."""

import json

import dagster as dg

from distill import model_registry
from pipelines.resources import StorageResource, TrainingResource


def training_asset(
    stage: str, module: str, recipe: str, deps: list, description: str, start_from: str | None = None
) -> dg.AssetsDefinition:
    """The asset ``stage``: train with ``module`` and the ``training`` recipe field named ``recipe``, from the
    latest checkpoint of the stage ``start_from``, or from ``training.base_model`` when it is None."""

    @dg.asset(name=stage, deps=deps, group_name="training", kinds={"pytorch", "huggingface"},
              description=description)  # fmt: skip
    def _asset(
        context: dg.AssetExecutionContext,
        storage: StorageResource,
        training: TrainingResource,
        pipes_subprocess_client: dg.PipesSubprocessClient,
    ) -> dg.MaterializeResult:
        if start_from is None:
            start_model = training.base_model
        else:
            start_model = model_registry.latest(storage.store().local_dir("models"), start_from)["checkpoint"]
        return train_stage(context, stage, module, getattr(training, recipe), start_model, storage, training,
                           pipes_subprocess_client)  # fmt: skip

    return _asset


def train_stage(
    context: dg.AssetExecutionContext,
    stage: str,
    module: str,
    recipe: str,
    start_model: str,
    storage: StorageResource,
    training: TrainingResource,
    pipes: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    """Train ``stage`` with ``module`` (``training.sft`` / ``training.grpo``) from ``start_model``, or reuse the
    checkpoint of the same (dataset version, recipe, start model). The script streams its per-step figures
    as log lines and reports the final ones (loss, reward, kl, tokens/s, history) as metadata."""
    store = storage.store()
    dataset_dir = store.local_dir("distill_dataset")
    dataset_version = json.loads((dataset_dir / "dataset_info.json").read_text())["version"]
    models = store.local_dir("models")
    key = model_registry.run_key(dataset_version, recipe, start_model)
    out = model_registry.run_dir(models, stage, key)
    info = {"run_key": key, "checkpoint": str(out / "final"), "dataset_version": dataset_version,
            "recipe": recipe, "start_model": start_model}  # fmt: skip
    if model_registry.finished(out):
        context.log.info(f"{stage}: dataset and recipe unchanged, reusing {out / 'final'}")
        model_registry.record(models, stage, info)
        metrics = json.loads((out / "metrics.json").read_text())
        versions = {"versions": metrics["versions"]} if "versions" in metrics else {}
        return dg.MaterializeResult(metadata={**_scalars(metrics), **info, "reused": True, **versions})
    command = training.command(module, "--recipe", recipe, "--dataset", str(dataset_dir),
                               "--output-dir", str(out), "--model", start_model)  # fmt: skip
    context.log.info(f"{stage}: {' '.join(command)}")
    invocation = pipes.run(command=command, context=context, extras=info, env=training.env())
    result = invocation.get_materialize_result()
    if not model_registry.finished(out):
        raise dg.Failure(f"{stage} finished without a final checkpoint in {out}")
    model_registry.record(models, stage, info)
    return dg.MaterializeResult(metadata={**(result.metadata or {}), **info, "reused": False})


def _scalars(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if isinstance(v, int | float | str | bool)}
