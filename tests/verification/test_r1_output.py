"""R1 output handling after the call: filters, verdicts and pass rates, CoT modes per row."""

from importlib.metadata import version

from distill.core.records import CotRow, TranslatedRow
from distill.cot.generate import generate_cot
from distill.llm.client import TeacherClient, TeacherSettings
from distill.llm.ledger import SqliteLedger
from distill.llm.local_server import free_port
from distill.llm.prompts import Prompt
from distill.verification.r1_filters import (
    has_code_block,
    looping_tail,
    low_diversity,
    mixed_language,
    r1_flags,
)
from distill.verification.verdicts import verify_rows
from tests.rows import stage_row


def test_language_mixing_is_found_in_prose_not_in_formulas():
    assert mixed_language("So the sum is 5, 所以答案是 5.")
    assert mixed_language("Итак, ответ 5.")
    assert not mixed_language("Let $\\alpha = 2$ and $\\text{面积} = 3$; so α + 1 = 3.")


def test_code_blocks_are_flagged():
    assert has_code_block("Let me compute:\n```python\nprint(2+3)\n```\nSo 5.")
    assert not has_code_block("We use `x` as the unknown and get $x=5$.")


def test_runaway_repetition_is_flagged_and_ordinary_reasoning_is_not():
    assert looping_tail("First, 2+3=5. " + "Wait, let me check again. " * 20)
    assert not looping_tail("x" * 40 + ". The answer is \\boxed{1000000}")
    steps = " ".join(f"Step {i}: multiply {i} by {i + 1} to get {i * (i + 1)}." for i in range(60))
    assert not low_diversity(steps)
    assert low_diversity("We add the two numbers and carry the one to the next column. " * 30)


def test_r1_flags_name_every_reason_in_a_fixed_order():
    assert r1_flags("思考 ```py\nx\n```", "So \\boxed{1}") == ["mixed_language", "code_block"]
    assert r1_flags("2+3=5.", "The answer is \\boxed{5}.") == []


def cot(pid: str, k: int, final: str, answer: str = "5", error: str | None = None) -> CotRow:
    return stage_row(
        CotRow, pid, problem="2+3?", answer=answer, sample_index=k, final_text=final, error=error
    )


def test_verdict_per_sample_and_pass_rate_per_problem():
    rows = [
        cot("p", 0, "\\boxed{5}"),
        cot("p", 1, "\\boxed{6}"),
        cot("p", 2, "I do not know"),  # no answer: counts as a miss
        cot("p", 3, "", error="APIConnectionError: Connection error."),  # no sample: not counted
        cot("q", 0, "\\boxed{7}", answer=""),  # no reference: no pass rate
        cot("r", 0, "```\nprint(5)\n``` \\boxed{5}"),
    ]
    out, verdicts = verify_rows(rows)
    assert [r.verdict for r in out] == [
        "correct",
        "incorrect",
        "no_answer",
        "error",
        "no_reference",
        "correct",
    ]
    assert [r.pass_rate for r in out] == [1 / 3, 1 / 3, 1 / 3, 1 / 3, None, 1.0]
    # the verifier that decided, with its version; nothing for samples that were not checked
    checked = f"math-verify {version('math-verify')}"
    assert [r.verify_method for r in out] == [checked, checked, "", "", "", checked]
    assert out[5].filter_flags == ["code_block"] and out[0].filter_flags == []


def test_realign_without_a_reference_solution_is_an_error_row_with_its_mode(tmp_path):
    settings = TeacherSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", max_retries=0)
    client = TeacherClient(settings, SqliteLedger(tmp_path / "l.sqlite"))
    rows = [stage_row(TranslatedRow, "a", problem="2+3?", answer="5")]
    out, stats = generate_cot(rows, client, Prompt.load("configs/prompts/cot_realign.yaml"), "realign", 2)
    assert stats.requested == 0
    assert [(r.id, r.cot_mode, r.error) for r in out] == [
        ("a", "realign", "no reference solution to realign")
    ]
