"""The three shapes of an R1 reply: reasoning in its own field, inline <think>, pre-filled <think>."""

import pytest

from distill.llm.reasoning import split_reasoning


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
