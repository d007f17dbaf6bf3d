"""Command line for runs outside the UI.

    python -m pipelines register     register every inbox folder as a collection (a dynamic partition),
                                     so that `dagster asset materialize --partition NAME` can run it
    python -m pipelines demo         the whole graph on the embedded default: bundled samples into the
                                     inbox (when it has no collection), every collection, the dataset,
                                     SFT, GRPO and the student evaluation; prints the figures at the end
    python -m pipelines run [NAME..] the collection job for the named (default: all) collections, then
                                     the dataset job
    python -m pipelines review [--host H] [--port P] [--token T]
                                     serve the review page of the data root (loopback by default; another
                                     host needs a token, one is made and printed when none is given)
    python -m pipelines split FILE.pdf [FILE.pdf ...]
                                     extract and split the files as one collection (the environment's OCR
                                     settings, the split rules, no teacher) and print one JSON object per
                                     problem: number, type, problem, options, answer_raw, answer, solution,
                                     page_start, page_end, source_file, split_method, flags (and error)

Runs go to the Dagster instance of ``DAGSTER_HOME`` (default ``./.dagster``), so they show in the UI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "inbox"


def _instance():
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(Path(".dagster").resolve())))
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").touch()
    import dagster as dg

    return dg.DagsterInstance.get()


def seed_inbox(inbox: Path) -> list[str]:
    """Copy the bundled sample collections into an inbox that has none."""
    if inbox.is_dir() and any(p.is_dir() for p in inbox.iterdir()):
        return []
    copied = []
    for folder in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        shutil.copytree(folder, inbox / folder.name, dirs_exist_ok=True)
        copied.append(folder.name)
    return copied


def _run(job, instance, **kwargs) -> None:
    started = time.monotonic()
    label = kwargs.get("partition_key") or "all collections"
    print(f"==> {job.name} [{label}]", flush=True)
    result = job.execute_in_process(instance=instance, raise_on_error=False, **kwargs)
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            figures = {
                k: v.value
                for k, v in materialization.metadata.items()
                if isinstance(v.value, (int, float)) and not isinstance(v.value, bool)
            }
            print(f"    {materialization.asset_key.to_user_string():<18} {figures}", flush=True)
    print(f"    {'ok' if result.success else 'FAILED'} in {time.monotonic() - started:.0f}s", flush=True)
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(event.step_failure_data.error.to_string(), file=sys.stderr)
        raise SystemExit(f"{job.name} failed")


def run_all(names: list[str] | None) -> None:
    from pipelines.definitions import defs, resources
    from pipelines.sensors import inbox_collections, register_collections

    instance = _instance()
    inbox = resources["storage"].inbox()
    found = sorted(inbox_collections(inbox))
    names = names or found
    missing = sorted(set(names) - set(found))
    if missing:
        raise SystemExit(f"not in the inbox {inbox}: {missing}")
    register_collections(instance, names)
    for name in names:
        _run(defs.resolve_job_def("collection_job"), instance, partition_key=name)
    _run(defs.resolve_job_def("dataset_job"), instance)
    _summary(resources["storage"].store().local_dir())


def _summary(root: Path) -> None:
    dataset = root / "distill_dataset"
    info = json.loads((dataset / "dataset_info.json").read_text())
    print("\n== Summary")
    print(
        f"dataset   {dataset}  (version {info['version']}, load with datasets.load_dataset('parquet', ...))"
    )
    print(f"rows      {info['counts']}")
    print(f"dropped   {info['dropped']}")
    for stage in ("sft_model", "grpo_model"):
        pointer = root / "models" / f"{stage}.json"
        if pointer.is_file():
            print(f"{stage:<9} {json.loads(pointer.read_text())['checkpoint']}")
    report = root / "student_eval" / "results.json"
    if report.is_file():
        for label, row in json.loads(report.read_text())["results"].items():
            print(f"eval      {label:<5} pass@1 = {row['pass_at_1']:.3f} ({row['correct']}/{row['n']})")


def serve_review(storage, host: str, port: int, token: str, reviewer: str) -> None:
    """Serve the review page (pipelines/review/app.py) until interrupted."""
    import secrets

    import uvicorn

    from pipelines.review.app import LOOPBACK, ReviewSettings, create_app

    if host not in LOOPBACK and not token:
        token = secrets.token_urlsafe(16)  # never open to a network without one
    root = storage.data_root
    app = create_app(ReviewSettings(root, storage.inbox(), token, reviewer, storage.work_dir))
    shown = f"[{host}]" if ":" in host else host
    print(f"review page of {root}: http://{shown}:{port}/" + (f"?token={token}" if token else ""), flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("register", help="register every inbox folder as a collection")
    sub.add_parser("demo", help="seed the inbox with the bundled samples and run everything")
    run = sub.add_parser("run", help="run the named collections (default: all), then the dataset job")
    run.add_argument("collections", nargs="*")
    split = sub.add_parser("split", help="extract and split PDFs, print one JSON object per problem")
    split.add_argument("files", nargs="+", type=Path)
    review = sub.add_parser("review", help="serve the review page of the data root")
    review.add_argument(
        "--host", default="127.0.0.1", help="listen here (another host than loopback needs a token)"
    )
    review.add_argument("--port", type=int, default=8765)
    review.add_argument(
        "--token", default=os.environ.get("REVIEW_TOKEN", ""), help="required on every request"
    )
    review.add_argument(
        "--reviewer", default=os.environ.get("USER", ""), help="the forms' default reviewer name"
    )
    args = parser.parse_args(argv)

    from pipelines.environment import load_resources

    if args.command == "split":
        from distill.problems.inspect import as_json, split_files

        for row in split_files(args.files, load_resources()["ocr"].settings()):
            print(json.dumps(as_json(row), ensure_ascii=False, default=str))
        return
    if args.command == "review":
        serve_review(load_resources()["storage"], args.host, args.port, args.token, args.reviewer)
        return
    inbox = load_resources()["storage"].inbox()
    if args.command == "register":
        from pipelines.sensors import inbox_collections, register_collections

        new = register_collections(_instance(), sorted(inbox_collections(inbox)))
        print(f"registered {new or 'nothing new'}; collections: {sorted(inbox_collections(inbox))}")
    elif args.command == "demo":
        copied = seed_inbox(inbox)
        if copied:
            print(f"copied bundled samples into {inbox}: {copied}")
        run_all(None)
    else:
        run_all(args.collections or None)


if __name__ == "__main__":
    main()
