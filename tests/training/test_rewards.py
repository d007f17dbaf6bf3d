"""Reward functions: open-r1's own test cases (tests/test_rewards.py of huggingface/open-r1, ported where the
semantics are unchanged, with the deliberate differences marked), both completion shapes, prefilled <think>,
None for rows that cannot be judged, bounded time off the main thread and in dataloader workers."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from training.rewards import (
    FACTORIES,
    REWARDS,
    AccuracyReward,
    CosineScaledReward,
    LengthReward,
    RepetitionPenaltyReward,
    accuracy_reward,
    format_reward,
    get_reward_funcs,
    r1_format_reward,
    reasoning_steps_reward,
    soft_overlong_punishment,
    tag_count_reward,
)


def conv(*texts: str) -> list[list[dict[str, str]]]:
    """open-r1's completion shape: one assistant message per completion."""
    return [[{"role": "assistant", "content": text}] for text in texts]


# --- open-r1's TestRewards -------------------------------------------------------------------------


def test_open_r1_accuracy_correct_wrong_and_multiple():
    assert accuracy_reward(conv(r"\boxed{\frac{63}{400}}"), solution=[r"\frac{63}{400}"]) == [1.0]
    assert accuracy_reward(conv(r"\boxed{\frac{64}{400}}"), solution=[r"\frac{63}{400}"]) == [0.0]
    completions = conv(r"\boxed{\frac{63}{400}}", r"\boxed{\frac{64}{400}}")
    assert accuracy_reward(completions, solution=[r"\frac{63}{400}"] * 2) == [1.0, 0.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>\nSome reasoning\n</think>\n<answer>\nThe answer\n</answer>", 1.0),
        ("<think>Only thinking</think>", 0.0),
        ("<answer>Only answer</answer>", 0.0),
        ("No tags at all", 0.0),
        ("<think>Missing closing</think><answer>Missing closing", 0.0),
        ("<think>Wrong order</answer><answer>Wrong order</think>", 0.0),
        (
            "<think>\nI will count each distinct object in the image:\n1. Purple scooter\n2. Red bicycle\n"
            "3. Green motorcycle\n4. Gray sedan\n5. Yellow school bus\n6. Small green double-decker bus\n"
            "7. Small red car\n8. Small purple car\n9. Small gray dirt bike\n\nThere are 9 distinct objects in "
            "total.\n</think>\n<answer>\n9\n</answer>",
            1.0,
        ),
    ],
)
def test_open_r1_format_reward(text, expected):
    assert format_reward(conv(text)) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Step 1: First step\nStep 2: Second step\nStep 3: Third step", 1.0),
        ("First, we do this.\nSecond, we do that.\nFinally, we conclude.", 1.0),
        ("Step 1: Only step", 1 / 3),
        ("First, we do this.\nFinally, we conclude.", 2 / 3),
        ("Just plain text without any clear steps", 0.0),
    ],
)
def test_open_r1_reasoning_steps(text, expected):
    assert reasoning_steps_reward(conv(text)) == pytest.approx([expected])


@pytest.mark.parametrize(
    ("content", "length", "expected"),
    [
        (r"\boxed{\frac{63}{400}}", 20, 0.943),  # short correct
        (r"\boxed{\frac{63}{400}}", 80, 0.547),  # long correct
        (r"\boxed{\frac{64}{400}}", 20, -0.942),  # short wrong
        (r"\boxed{\frac{64}{400}}", 80, -0.547),  # long wrong
    ],
)
def test_open_r1_cosine_scaled(content, length, expected):
    reward = CosineScaledReward(max_len=100)
    padded = content + " " * (length - len(content))
    assert reward(conv(padded), solution=[r"\frac{63}{400}"]) == [pytest.approx(expected, abs=5e-3)]


SHORT_RIGHT, SHORT_WRONG = r"\boxed{\frac{63}{400}}", r"\boxed{\frac{64}{400}}"
LONG_RIGHT, LONG_WRONG = SHORT_RIGHT + "  " + "x" * 10, SHORT_WRONG + "  " + "x" * 10


def test_open_r1_len_reward_same_and_different_lengths():
    length = LengthReward()
    assert length(conv(SHORT_RIGHT, SHORT_WRONG), solution=[r"\frac{63}{400}"] * 2) == [0.0, 0.0]
    right = length(conv(SHORT_RIGHT, LONG_RIGHT), solution=[r"\frac{63}{400}"] * 2)
    assert right[0] == pytest.approx(0.5) and right[0] > right[1]
    wrong = length(conv(SHORT_WRONG, LONG_WRONG), solution=[r"\frac{63}{400}"] * 2)
    assert wrong[0] <= 0.0 and wrong[1] <= 0.0 and wrong[0] > wrong[1]


def test_open_r1_len_reward_mixed_correctness():
    rewards = LengthReward()(
        conv(SHORT_RIGHT, LONG_RIGHT, SHORT_WRONG, LONG_WRONG), solution=[r"\frac{63}{400}"] * 4
    )
    assert rewards[0] > 0.0
    assert rewards[2] > rewards[1] >= rewards[3]
    assert rewards[2] <= 0.0 and rewards[3] <= 0.0
    assert rewards[0] > rewards[1] and rewards[2] > rewards[3]


def test_len_reward_unparseable_gold_is_none():
    # open-r1 counts these as correct (0.5 for the shorter); the row cannot be judged, so None.
    completions = conv(r"\boxed{answer}", r"\boxed{answer} " + "x" * 10)
    assert LengthReward()(completions, solution=["unparseable_latex"] * 2) == [None, None]


def test_len_reward_normalizes_within_each_prompt():
    # open-r1 takes min/max length over the whole batch, mixing prompts; Kimi 1.5 defines them per prompt.
    completions = conv(r"\boxed{5}", r"\boxed{5} and more words", "x" * 200 + r"\boxed{7}", r"\boxed{7}")
    prompts = ["a", "a", "b", "b"]
    rewards = LengthReward()(completions, prompts=prompts, answer=["5", "5", "7", "7"])
    assert rewards == pytest.approx([0.5, -0.5, -0.5, 0.5])


@pytest.mark.parametrize(
    ("ngram_size", "max_penalty", "text", "expected"),
    [
        (2, -1.0, "this is a test sentence", 0.0),
        (2, -1.0, "this this this this this", -0.75),
        (2, -1.0, "this is a this is a test", -1 / 3),
        (2, -1.0, "", 0.0),
        (3, -2.0, "this is a this is a test", -0.4),
        (3, -1.0, "word", 0.0),
        (3, -1.0, "two words", 0.0),
        (3, -1.0, "three different words", 0.0),
        (3, -1.0, "word word word word", -0.5),
        (3, -1.0, "one two one two", 0.0),
        (3, -0.5, "A B C A B", 0.0),
        (3, -1.0, "A B C A B C", -0.25),
        (3, -1.0, "A B C A B C E F G A B C A B C", -0.3846),
        (3, -1.0, "A B C D E F G H I J K L", 0.0),
    ],
)
def test_open_r1_repetition_penalty(ngram_size, max_penalty, text, expected):
    reward = RepetitionPenaltyReward(ngram_size=ngram_size, max_penalty=max_penalty)
    assert reward(conv(text)) == [pytest.approx(expected, abs=1e-4)]


def test_open_r1_repetition_penalty_multiple_mixed_case_and_positive_penalty():
    reward = RepetitionPenaltyReward(ngram_size=3, max_penalty=-0.5)
    assert reward(conv("this is a test", "test test test test")) == pytest.approx([0.0, -0.25])
    two = RepetitionPenaltyReward(ngram_size=2, max_penalty=-1.0)
    assert two(conv("This is A Test"))[0] == two(conv("this IS a test"))[0]
    with pytest.raises(ValueError, match="max_penalty 1.5 should not be positive"):
        RepetitionPenaltyReward(ngram_size=2, max_penalty=1.5)


def test_repetition_penalty_splits_chinese_into_characters():
    reward = RepetitionPenaltyReward(ngram_size=2, max_penalty=-1.0)
    # open-r1's whitespace split sees each of these as one word and returns 0.0 for both.
    assert reward(["离离原上草，一岁一枯荣"]) == [0.0]  # 11 tokens, 10 distinct bigrams
    assert reward(["好好好好好好"]) == [pytest.approx(-0.8)]  # 5 bigrams, 1 distinct
    assert reward(["x = 1，好好好好"]) == [
        pytest.approx(-1 / 3)
    ]  # x = 1， 好 好 好 好: 6 bigrams, 4 distinct


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>\nSome reasoning\n</think>\n<answer>\nThe answer\n</answer>", 1.0),
        ("<think>\nSome reasoning\n<answer>\nThe answer\n</answer>", 0.75),
        ("<think>\nSome reasoning\n</think>\nThe answer\n</answer>", 0.75),
        ("<think>\nSome reasoning\n</think>\n<answer>\nThe answer", 0.75),
        ("Some reasoning\nThe answer", 0.0),
        # open-r1 gives 0.75: a lone </think> means the chat template pre-filled <think>, which counts here.
        ("Some reasoning\n</think>\n<answer>\nThe answer\n</answer>", 1.0),
    ],
)
def test_open_r1_tag_count(text, expected):
    assert tag_count_reward(conv(text)) == [expected]


@pytest.mark.parametrize(("length", "expected"), [(50, 0.0), (110, -1.0), (90, -0.5)])
def test_open_r1_soft_overlong_punishment(length, expected):
    reward = soft_overlong_punishment(max_completion_len=100, soft_punish_cache=20)
    assert reward(completion_ids=[[0] * length]) == [pytest.approx(expected)]


def test_open_r1_reward_names_map_to_functions():
    names = [
        "accuracy",
        "format",
        "reasoning_steps",
        "cosine",
        "repetition_penalty",
        "length",
        "tag_count",
        "soft_overlong_punishment",
    ]
    funcs = get_reward_funcs(names)
    expected = [
        "accuracy_reward",
        "format_reward",
        "reasoning_steps_reward",
        "cosine_scaled_reward",
        "repetition_penalty_reward",
        "len_reward",
        "tag_count_reward",
        "soft_overlong_punishment_reward",
    ]
    assert [f.__name__ for f in funcs] == expected


# --- beyond open-r1 --------------------------------------------------------------------------------


def test_accuracy_extraction_order_and_gold_column():
    texts = [
        "<think>\n2+3=5\n</think>\nThe answer is \\boxed{5}.",
        "<think>\nfirst \\boxed{4}\n</think>\nno, it is \\boxed{5}",  # the last \boxed{} counts
        "<think>\nr\n</think>\n<answer>5</answer>",  # no \boxed{}: the last <answer>
        "<think>\nr\n</think>\nThe final answer is 5.",  # no tag: an explicit answer statement
        "<think>\nhmm\n</think>\n\\boxed{6}",
        "So 2 + 3 = 5",  # a bare last number is not an answer
    ]
    expected = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    assert accuracy_reward(texts, answer=["5"] * 6) == expected
    assert accuracy_reward(conv(*texts), answer=["5"] * 6, solution=["6"] * 6) == expected  # answer wins
    assert accuracy_reward(["\\boxed{12}"], solution=["We get $\\boxed{12}$."]) == [1.0]
    with pytest.raises(ValueError, match="answer"):
        accuracy_reward(["\\boxed{1}"])


def test_accuracy_unparseable_gold_is_none_and_takes_trl_keywords():
    logged = {}
    rewards = REWARDS["accuracy"](
        prompts=[[{"role": "user", "content": "1+1?"}]] * 3,
        completions=conv("\\boxed{2}", "\\boxed{3}", "\\boxed{2}"),
        completion_ids=[[1, 2], [3], [4]],
        answer=["2", "2", ""],
        solution=["2", "2", ""],
        id=["a", "a", "b"],
        trainer_state=None,
        log_extra=logged.__setitem__,
        log_metric=lambda *args: None,
    )
    assert rewards == [1.0, 0.0, None]  # open-r1: 1.0 for the unparseable gold
    assert logged == {"pred": ["2", "3", "2"]}


def test_accuracy_hung_verification_is_none_and_the_batch_goes_on():
    reward = AccuracyReward(workers=2, timeout_s=1.0)
    assert reward(["\\boxed{9^{9^{9}}}", "\\boxed{2}", "\\boxed{3}"], answer=["1", "2", "2"]) == [
        None,
        1.0,
        0.0,
    ]


def _batch_rewards(_: object = None) -> list[float | None]:
    return accuracy_reward(conv("\\boxed{\\frac{1}{2}}", "\\boxed{0.5}", "\\boxed{2}"), answer=["1/2"] * 3)


class _RewardInWorker(Dataset):
    def __len__(self) -> int:
        return 1

    def __getitem__(self, index: int) -> torch.Tensor:
        return torch.tensor([-1.0 if r is None else r for r in _batch_rewards()])


def test_accuracy_off_the_main_thread_and_in_a_dataloader_worker():
    assert _batch_rewards() == [1.0, 1.0, 0.0]
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(_batch_rewards, range(2))) == [[1.0, 1.0, 0.0]] * 2
    [batch] = list(DataLoader(_RewardInWorker(), batch_size=1, num_workers=1))
    assert batch.tolist() == [[1.0, 1.0, 0.0]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>reasoning</think> <answer>5</answer>", 1.0),
        ("<think>\nreasoning\n</think>\n<answer>5</answer>\n", 1.0),  # a trailing newline is fine
        ("Some reasoning\n</think>\n<answer>5</answer>", 1.0),  # <think> prefilled by the chat template
        ("<think>\nreasoning\n</think>\n<answer>5</answer>\ntrailing text", 0.0),  # open-r1 (MULTILINE): 1.0
        ("<think>\nreasoning\n</think>\nThe answer is 5", 0.0),
    ],
)
def test_format_reward_whole_completion_and_prefilled_think(text, expected):
    assert format_reward([text]) == [expected]
    assert format_reward(conv(text)) == [expected]


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
    assert r1_format_reward(conv(text)) == [expected]


def test_cosine_clamps_past_max_len_and_skips_unparseable_gold():
    reward = CosineScaledReward(max_len=100)
    long_right, much_longer_right = "\\boxed{5}" + " " * 91, "\\boxed{5}" + " " * 191
    # open-r1: cos(2 pi) brings a 200-character correct answer back up to max_value_correct (1.0).
    assert reward([long_right, much_longer_right], answer=["5", "5"]) == pytest.approx([0.5, 0.5])
    assert reward(["\\boxed{5}", "\\boxed{5}" + " " * 500], answer=["5", "4"]) == pytest.approx(
        [0.99, -0.5], abs=0.01
    )
    assert reward(["\\boxed{5}"], answer=[""]) == [None]  # open-r1: 1.0


def test_recipe_specs_build_parametrized_picklable_rewards():
    cosine, accuracy, steps, overlong = get_reward_funcs(
        [
            {"cosine": {"max_len": 50}},
            {"accuracy": {"workers": 1}},
            "reasoning_steps",
            "soft_overlong_punishment",
        ],
        defaults={"soft_overlong_punishment": {"max_completion_len": 64, "soft_punish_cache": 16}},
    )
    assert cosine.max_len == 50 and accuracy.workers == 1 and steps is reasoning_steps_reward
    assert overlong(completion_ids=[[0] * 56]) == [-0.5]
    assert pickle.loads(pickle.dumps(cosine)).max_len == 50
    assert get_reward_funcs(["accuracy"]) == [accuracy_reward]
    assert set(FACTORIES) - set(REWARDS) == {
        "cosine",
        "length",
        "repetition_penalty",
        "soft_overlong_punishment",
    }
    with pytest.raises(KeyError, match="unknown reward"):
        get_reward_funcs(["cosines"])
    with pytest.raises(ValueError, match="takes no parameters"):
        get_reward_funcs([{"tag_count": {"x": 1}}])
    with pytest.raises(TypeError):
        get_reward_funcs([{"cosine": {"max_length": 1}}])
