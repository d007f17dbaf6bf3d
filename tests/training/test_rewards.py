"""Reward functions: open-r1 semantics, both completion shapes, prefilled <think>, None for unparseable gold."""

from __future__ import annotations

import pytest

from training.rewards import (
    REWARDS,
    accuracy_reward,
    format_reward,
    get_reward_funcs,
    r1_format_reward,
    reasoning_steps_reward,
    tag_count_reward,
)


def conversational(*texts: str) -> list[list[dict[str, str]]]:
    return [[{"role": "assistant", "content": text}] for text in texts]


def test_accuracy_boxed_answer_tag_and_missing():
    texts = [
        "<think>\n2+3=5\n</think>\nThe answer is \\boxed{5}.",
        "<think>\nhmm\n</think>\n\\boxed{6}",
        "<think>\nfirst \\boxed{4}\n</think>\nno, it is \\boxed{5}",  # the last \boxed{} counts
        "<think>\nr\n</think>\n<answer>5</answer>",  # no \boxed{}: the <answer> content
        "I do not know.",
    ]
    expected = [1.0, 0.0, 1.0, 1.0, 0.0]
    assert accuracy_reward(texts, answer=["5"] * 5) == expected
    assert accuracy_reward(conversational(*texts), answer=["5"] * 5) == expected


def test_accuracy_gold_from_solution_and_unparseable_gold_is_none():
    assert accuracy_reward(["\\boxed{12}"], solution=["12"]) == [1.0]
    # open-r1 returns 1.0 here; None makes TRL drop the row from the group baseline instead.
    assert accuracy_reward(["\\boxed{12}", "\\boxed{3}"], answer=["", "3"]) == [None, 1.0]
    with pytest.raises(ValueError, match="answer"):
        accuracy_reward(["\\boxed{1}"])


def test_accuracy_accepts_trl_keyword_arguments():
    logged = {}
    rewards = REWARDS["accuracy"](
        prompts=[[{"role": "user", "content": "1+1?"}]] * 2,
        completions=conversational("\\boxed{2}", "\\boxed{3}"),
        completion_ids=[[1, 2], [3]],
        answer=["2", "2"],
        solution=["2", "2"],
        id=["a", "a"],
        trainer_state=None,
        log_extra=logged.__setitem__,
        log_metric=lambda *args: None,
    )
    assert rewards == [1.0, 0.0]
    assert logged == {"pred": ["2", "3"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>\nSome reasoning\n</think>\n<answer>\nThe answer\n</answer>", 1.0),
        ("<think>reasoning</think> <answer>5</answer>", 1.0),
        ("Some reasoning\n</think>\n<answer>5</answer>", 1.0),  # <think> prefilled by the chat template
        ("<think>\nreasoning\n</think>\n<answer>5</answer> trailing text", 0.0),
        ("<think>\nreasoning\n</think>\nThe answer is 5", 0.0),
        ("Just an answer: 5", 0.0),
    ],
)
def test_format_reward(text, expected):
    assert format_reward([text]) == [expected]
    assert format_reward(conversational(text)) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>\nreasoning\n</think>\nThe answer is \\boxed{5}.", 1.0),
        ("<think>r</think>\\boxed{5}", 1.0),
        ("reasoning\n</think>\nThe answer is \\boxed{5}.", 1.0),  # prefilled <think>
        ("<think>\nreasoning\n</think>\nThe answer is 5.", 0.0),  # no \boxed{} in the final text
        ("<think>\n\\boxed{5}\n</think>\nThe answer is 5.", 0.0),  # \boxed{} only inside the reasoning
        ("<think>a</think><think>b</think>\\boxed{5}", 0.0),
        ("The answer is \\boxed{5}.", 0.0),
    ],
)
def test_r1_format_reward(text, expected):
    assert r1_format_reward([text]) == [expected]
    assert r1_format_reward(conversational(text)) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>\nSome reasoning\n</think>\n<answer>\nThe answer\n</answer>", 1.0),
        ("<think>\nreasoning\n</think>\nThe answer is \\boxed{5}.", 0.5),
        ("reasoning\n</think>\nThe answer is \\boxed{5}.", 0.5),  # prefilled <think>
        ("<think>\n<think>\nreasoning\n</think>\n", 0.25),  # a duplicated tag scores nothing
        ("no tags at all", 0.0),
    ],
)
def test_tag_count_reward(text, expected):
    assert tag_count_reward([text]) == [expected]
    assert tag_count_reward(conversational(text)) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Step 1: add.\nStep 2: carry.\nStep 3: done.", 1.0),
        ("First, add. Second, carry. Next, check. Finally, done.", 1.0),
        ("First, add 2 and 3.\nFinally, 5.", 2 / 3),
        ("1. add\n2. carry", 1 / 3),  # open-r1's ^\d+\. has no MULTILINE: only the very start matches
        ("\n- a bullet", 1 / 3),
        ("The answer is 5.", 0.0),
    ],
)
def test_reasoning_steps_reward(text, expected):
    assert reasoning_steps_reward([text]) == pytest.approx([expected])
    assert reasoning_steps_reward(conversational(text)) == pytest.approx([expected])


def test_registry():
    assert get_reward_funcs(["accuracy", "r1_format", "tag_count", "reasoning_steps"]) == [
        accuracy_reward,
        r1_format_reward,
        tag_count_reward,
        reasoning_steps_reward,
    ]
    assert REWARDS["format"] is format_reward
    with pytest.raises(KeyError, match="cosine"):
        get_reward_funcs(["cosine"])
