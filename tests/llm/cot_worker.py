"""The teacher step in a process of its own, to be killed or run beside another:
``cot_worker.py BASE_URL MODEL_DIR LEDGER N [LEASE_S]`` (LEDGER: a SQLite path or a postgresql:// URL)."""

import sys

from benchmarks.teacher_bench import sum_problems
from distill.cot.generate import generate_cot
from distill.llm.client import TeacherClient, TeacherSettings
from distill.llm.ledger import open_ledger
from distill.llm.prompts import Prompt


def settings(base_url: str, model_dir: str, lease_s: float = 600.0) -> TeacherSettings:
    return TeacherSettings(
        base_url=base_url,
        model="local:smollm2",
        served_model=model_dir,
        max_tokens=4,
        concurrency=4,
        timeout_s=60,
        max_retries=12,
        breaker_cooldown_s=0.5,
        lease_s=lease_s,
        lease_poll_s=0.2,
    )


def run(base_url: str, model_dir: str, ledger: str, n: int, lease_s: float = 600.0):
    client = TeacherClient(settings(base_url, model_dir, lease_s), open_ledger(ledger))
    return generate_cot(
        sum_problems(n), client, Prompt.load("configs/prompts/cot_distill.yaml"), "distill", 2
    )


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), *map(float, sys.argv[5:6]))
