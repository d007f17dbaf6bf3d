"""A real PostgreSQL server for the tests: Debian's ``postgresql`` package (``.ci/run`` installs it when it
runs as root), a new cluster in a temporary directory, listening on a free loopback port, stopped after."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def postgres_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a fresh server (trust authentication on loopback, user ``test``)."""
    bindir = postgres_bin()
    if bindir is None:
        raise FileNotFoundError("Debian's postgresql is not installed (.ci/run installs it when run as root)")
    folder = tempfile.mkdtemp(prefix="pg-test-")
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: as the package's own user
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(folder, "data"), _free_port()
    run = lambda *args: subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)  # noqa: E731
    try:
        run(f"{bindir}/initdb", "-D", data, "-U", "test", "-A", "trust", "--no-sync")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        run(f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(folder, "log"), "-o", options, "-w", "start")
        yield f"postgresql://test@127.0.0.1:{port}/postgres"
    finally:
        if os.path.isdir(data):
            subprocess.run(
                [*as_user, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True
            )
        shutil.rmtree(folder, ignore_errors=True)
