from distill.core.records import TranslatedRow
from distill.cot.generate import cot_messages
from distill.llm.prompts import Prompt
from tests.rows import stage_row


def test_cot_messages_use_the_versioned_prompt_and_options():
    prompt = Prompt.load("configs/prompts/cot_distill.yaml")
    row = stage_row(TranslatedRow, "x", problem="Which is prime?", options=["A. 4", "B. 5"])
    messages = cot_messages(prompt, row)
    assert messages == [
        {
            "role": "user",
            "content": "Which is prime?\nA. 4\nB. 5\nPlease reason step by step, and put your final answer within \\boxed{}.",
        }
    ]
    assert prompt.version == "cot-distill-v1"


def test_realign_prompt_grounds_the_teacher_in_the_reference():
    prompt = Prompt.load("configs/prompts/cot_realign.yaml")
    row = stage_row(TranslatedRow, "x", problem="2+3?", solution="2+3=5", answer="5")
    system, user = cot_messages(prompt, row)
    assert (
        system["role"] == "system" and "2+3=5" in user["content"] and "Reference answer: 5" in user["content"]
    )
