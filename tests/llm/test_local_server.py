"""The embedded server starts with the project's own settings on any machine, and falls back to the plain
server (with the reason) when continuous batching cannot start."""

import yaml
from openai import OpenAI

from distill.llm.local_server import LocalTeacherServer, ServerSettings


def _complete(server: LocalTeacherServer) -> str:
    client = OpenAI(base_url=server.base_url, api_key="EMPTY", timeout=120)
    reply = client.chat.completions.create(
        model=server.model_dir, messages=[{"role": "user", "content": "What is 2+3?"}], max_tokens=8
    )
    return reply.choices[0].message.content


def test_project_settings_serve_with_continuous_batching(local_model_dir):
    section = yaml.safe_load(open("configs/local.yaml", encoding="utf-8"))["teacher"]["local_server"]
    settings = ServerSettings(**section)
    assert settings.continuous_batching and settings.kv_cache_blocks > 0
    with LocalTeacherServer(local_model_dir, settings) as server:
        assert _complete(server)
        assert server.fallback is None and server.mode == "continuous batching"


def test_impossible_cache_budget_falls_back_to_the_plain_server(local_model_dir):
    # a million blocks of 256 tokens (terabytes): transformers refuses to size the cache
    settings = ServerSettings(kv_cache_blocks=1_000_000)
    with LocalTeacherServer(local_model_dir, settings) as server:
        assert _complete(server)
        assert server.fallback is not None and "MemoryError" in server.fallback
        assert server.mode.startswith("plain (continuous batching failed: ")
