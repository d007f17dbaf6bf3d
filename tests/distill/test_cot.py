import pytest

from distill.cot import assistant_turn, cot_messages, split_reasoning
from distill.prompts import Prompt
from distill.records import TranslatedRow


@pytest.mark.parametrize(
    ("content", "field", "expected"),
    [
        (
            "The answer is \\boxed{5}.",
            "Let me add 2 and 3.",
            ("Let me add 2 and 3.", "The answer is \\boxed{5}.", "field"),
        ),
        ("<think>\nadd them\n</think>\n\nSo \\boxed{5}", "", ("add them", "So \\boxed{5}", "inline")),
        ("add them\n</think>\nSo \\boxed{5}", "", ("add them", "So \\boxed{5}", "prefilled")),
        ("<think>\nstill thinking", "", ("still thinking", "", "unclosed")),
        ("Step 1: 2+3=5. \\boxed{5}", "", ("", "Step 1: 2+3=5. \\boxed{5}", "none")),
    ],
)
def test_split_reasoning_handles_every_r1_shape(content, field, expected):
    assert split_reasoning(content, field) == expected


def test_cot_messages_use_the_versioned_prompt_and_options():
    prompt = Prompt.load("configs/prompts/cot_distill.yaml")
    row = TranslatedRow(id="x", collection="c", source_file="f.pdf", source_sha256="s", page_start=1, page_end=1,
                        problem="Which is prime?", options=["A. 4", "B. 5"])  # fmt: skip
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
    row = TranslatedRow(id="x", collection="c", source_file="f.pdf", source_sha256="s", page_start=1, page_end=1,
                        problem="2+3?", solution="2+3=5", answer="5")  # fmt: skip
    system, user = cot_messages(prompt, row)
    assert (
        system["role"] == "system" and "2+3=5" in user["content"] and "Reference answer: 5" in user["content"]
    )


def test_assistant_turn_is_r1_shaped():
    assert assistant_turn("r", "f") == "<think>\nr\n</think>\nf"
