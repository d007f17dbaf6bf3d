"""The teacher step in a process of its own, to be killed: ``cot_worker.py BASE_URL MODEL_DIR LEDGER N``."""

import sys

from distill.cot import generate_cot
from distill.ledger import SqliteLedger
from distill.prompts import Prompt
from distill.records import TranslatedRow
from distill.teacher import TeacherClient, TeacherSettings


def problems(n: int) -> list[TranslatedRow]:
    return [
        TranslatedRow(
            id=f"p{i}",
            collection="c",
            source_file="f.pdf",
            source_sha256="s",
            page_start=1,
            page_end=1,
            problem=f"What is {i} + {i + 1}?",
            answer=str(2 * i + 1),
        )
        for i in range(n)
    ]


def settings(base_url: str, model_dir: str) -> TeacherSettings:
    return TeacherSettings(base_url=base_url, model="local:smollm2", served_model=model_dir, max_tokens=4,
                           concurrency=4, timeout_s=60, max_retries=12, breaker_cooldown_s=0.5)  # fmt: skip


def run(base_url: str, model_dir: str, ledger: str, n: int):
    client = TeacherClient(settings(base_url, model_dir), SqliteLedger(ledger))
    return generate_cot(problems(n), client, Prompt.load("configs/prompts/cot_distill.yaml"), "distill", 2)


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
