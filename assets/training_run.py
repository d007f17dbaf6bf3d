"""The training stages' assets: skip when unchanged, else run the script through Pipes."""

import dagster as dg

from assets.resources import StorageResource, TrainingResource
from training import runs


def training_asset(
    stage: str, module: str, recipe: str, deps: list, description: str, start_from: str | None = None
) -> dg.AssetsDefinition:
    """The asset ``stage``: train with ``module`` and the ``training`` recipe field named ``recipe``, from the
    latest checkpoint of the stage ``start_from``, or from ``training.base_model`` when it is None."""

    @dg.asset(
        name=stage,
        deps=deps,
        group_name="training",
        kinds={"pytorch", "huggingface"},
        description=description,
    )
    def _asset(
        context: dg.AssetExecutionContext,
        storage: StorageResource,
        training: TrainingResource,
        pipes_subprocess_client: dg.PipesSubprocessClient,
    ) -> dg.MaterializeResult:
        if start_from is None:
            start_model = training.base_model
        else:
            start_model = runs.latest(storage.store(), start_from)["checkpoint"]
        return train_stage(
            context,
            stage,
            module,
            getattr(training, recipe),
            start_model,
            storage,
            training,
            pipes_subprocess_client,
        )

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
    run = runs.Run.plan(store.local_dir("models"), storage.dataset_dir(), stage, recipe, start_model)
    if run.finished():
        context.log.info(f"{stage}: dataset and recipe unchanged, reusing {run.out / 'final'}")
        run.record(store)
        return dg.MaterializeResult(metadata={**run.reported(), **run.info, "reused": True})
    command = training.command(module, *run.script_args())
    context.log.info(f"{stage}: {' '.join(command)}")
    invocation = training.launch(context, command, pipes, extras=run.info)
    result = invocation.get_materialize_result()
    if not run.finished():
        raise dg.Failure(f"{stage} finished without a final checkpoint in {run.out}")
    run.record(store)
    return dg.MaterializeResult(metadata={**(result.metadata or {}), **run.info, "reused": False})
