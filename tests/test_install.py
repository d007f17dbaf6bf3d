"""The environment the suite runs in is the one the lock describes (``make install`` builds it from
``requirements/lock.txt``); ``make test-latest`` runs the suite on the open ranges instead and skips this."""

import os
import re
import sys
from importlib.metadata import distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DAGSTER_FAMILY = ("dagster", "dagster-webserver", "dagster-pipes", "dagster-graphql", "dagster-shared")
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    return {_norm(m[1]): m[2] for line in path.read_text().splitlines() if (m := PIN.match(line))}


@pytest.mark.skipif(bool(os.environ.get("PIPELINE_UNLOCKED")), reason="make test-latest: open ranges")
def test_installed_versions_equal_the_lock():
    stamp = Path(sys.prefix) / ".installed"  # make install names the set it installed
    lock = (
        stamp.read_text().strip()
        if stamp.is_file() and stamp.read_text().strip()
        else "requirements/lock.txt"
    )
    locked = pins(ROOT / lock)
    installed = {_norm(d.metadata["Name"]): d.version for d in distributions()}
    assert len(locked) > 100 and locked["torch"].endswith("+cpu")
    wrong = {name: (v, installed.get(name)) for name, v in locked.items() if installed.get(name) != v}
    assert not wrong, f"installed versions differ from {lock} (locked, installed): {wrong}"


def test_every_lock_pins_the_dagster_family_to_one_release():
    for path in sorted((ROOT / "requirements").glob("*.txt")):
        family = {v for name, v in pins(path).items() if name in DAGSTER_FAMILY}
        assert len(family) <= 1, f"{path.name}: dagster family at several releases {family}"
