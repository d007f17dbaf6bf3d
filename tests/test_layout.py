"""The layout is a contract: pure logic imports no Dagster, assets never import pipelines, and the stage
packages of distill/ import only the shared ones and earlier stages (a record's walk never comes back)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ["core", "llm", "answers"]  # libraries of every stage, in this order
STAGES = [
    "pages",
    "problems",
    "translation",
    "cot",
    "verification",
    "dataset",
    "review",
]  # the data's path (review: a person, after the dataset)


def imports(package: str) -> dict[Path, set[str]]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        found[path.relative_to(ROOT)] = names
    return found


def test_only_assets_and_pipelines_import_dagster():
    for package in ("distill", "ocr", "training", "benchmarks"):
        for path, names in imports(package).items():
            assert not {n for n in names if n == "dagster" or n.startswith("dagster.")}, path


def test_assets_do_not_import_pipelines():
    for path, names in imports("assets").items():
        assert not {n for n in names if n.split(".")[0] == "pipelines"}, path


def test_stage_packages_import_shared_packages_and_earlier_stages_only():
    order = SHARED + STAGES
    assert sorted(
        p.name for p in (ROOT / "distill").iterdir() if p.is_dir() and p.name != "__pycache__"
    ) == sorted(order)
    for path, names in imports("distill").items():
        own = path.parts[1]
        if own == "__init__.py":
            continue
        allowed = (
            set(order[: order.index(own) + 1]) if own in STAGES else set(SHARED[: SHARED.index(own) + 1])
        )
        used = {n.split(".")[1] for n in names if n.startswith("distill.")}
        assert used <= allowed, f"{path} imports {sorted(used - allowed)}"
