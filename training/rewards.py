"""GRPO reward functions with TRL's signature ``(completions, **kwargs) -> list[float | None]``.

Semantics follow open-r1 (``src/open_r1/rewards.py``). Completions may be plain strings or conversational
(a list of ``{role, content}`` messages, of which the last one is scored); dataset columns such as
``answer`` and ``solution`` arrive as keyword arguments with one value per completion. The format rewards
count a ``<think>`` that the chat template pre-filled into the prompt as present (:func:`with_prefilled_think`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from distill.answers import last_boxed, verify_many

RewardFunc = Callable[..., list[float | None]]

_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_FORMAT = re.compile(r"^<think>\n?.*?\n?</think>\s*<answer>.*?</answer>$", re.DOTALL)
_R1_FORMAT = re.compile(r"^<think>\n?.*?\n?</think>\s*(?P<final>.*)$", re.DOTALL)
_TAGS = ("<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>")
# open-r1's pattern, kept verbatim: without re.MULTILINE, ``^\d+\.`` only matches at the very start.
_REASONING_STEPS = re.compile(r"(Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,)")


def completion_text(completion: str | Sequence[dict[str, str]]) -> str:
    """The text to score: the string itself, or the content of the last message of a conversation."""
    if isinstance(completion, str):
        return completion
    return completion[-1]["content"] if completion else ""


def with_prefilled_think(text: str) -> str:
    """Restore a ``<think>`` that the chat template put in the prompt (text has a lone ``</think>``)."""
    if not text.startswith("<think>") and "<think>" not in text and text.count("</think>") == 1:
        return "<think>\n" + text
    return text


def extract_prediction(text: str) -> str | None:
    """The last ``\\boxed{}`` of the text, else the content of its last ``<answer>`` tag."""
    boxed = last_boxed(text)
    if boxed is not None:
        return boxed
    tags = _ANSWER_TAG.findall(text)
    return tags[-1].strip() if tags else None


def accuracy_reward(
    completions: Sequence[Any],
    answer: Sequence[str] | None = None,
    solution: Sequence[str] | None = None,
    log_extra: Callable[[str, list], None] | None = None,
    **kwargs: Any,
) -> list[float | None]:
    """1.0 when the predicted answer verifies against the gold answer, else 0.0.

    Gold comes from the ``answer`` column, else ``solution``. When the gold answer cannot be parsed (or
    verification runs past ``verify_many``'s time bound) the reward is ``None``: TRL then leaves the row
    out of this reward's mean and, if every reward is None, out of the group baseline. This deliberately
    differs from open-r1, which returns 1.0 there and so rewards every completion of a broken example.
    """
    golds = answer if answer is not None else solution
    if golds is None:
        raise ValueError("accuracy_reward needs an 'answer' or 'solution' dataset column")
    preds = [extract_prediction(completion_text(c)) for c in completions]
    verdicts = verify_many([(gold, pred or "") for gold, pred in zip(golds, preds, strict=True)])
    if log_extra is not None:
        log_extra("pred", [pred or "" for pred in preds])
    return [None if verdict is None else float(verdict) for verdict in verdicts]


def format_reward(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """1.0 for ``<think>...</think>`` followed by ``<answer>...</answer>`` and nothing else."""
    texts = [with_prefilled_think(completion_text(c)) for c in completions]
    return [1.0 if _FORMAT.match(text) else 0.0 for text in texts]


def r1_format_reward(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """1.0 for one ``<think>...</think>`` block followed by a final text that contains ``\\boxed{}``."""
    rewards = []
    for completion in completions:
        text = with_prefilled_think(completion_text(completion))
        match = _R1_FORMAT.match(text)
        ok = (
            match is not None
            and text.count("<think>") == 1
            and text.count("</think>") == 1
            and last_boxed(match["final"]) is not None
        )
        rewards.append(1.0 if ok else 0.0)
    return rewards


def tag_count_reward(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """0.25 for each of the four tags of :func:`format_reward` that appears exactly once (open-r1)."""
    texts = [with_prefilled_think(completion_text(c)) for c in completions]
    return [0.25 * sum(text.count(tag) == 1 for tag in _TAGS) for text in texts]


def reasoning_steps_reward(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """Graded step-by-step reward: ``min(1, markers / 3)`` with open-r1's step-marker regex."""
    return [min(1.0, len(_REASONING_STEPS.findall(completion_text(c))) / 3) for c in completions]


REWARDS: dict[str, RewardFunc] = {
    "accuracy": accuracy_reward,
    "format": format_reward,
    "r1_format": r1_format_reward,
    "tag_count": tag_count_reward,
    "reasoning_steps": reasoning_steps_reward,
}


def get_reward_funcs(names: Sequence[str]) -> list[RewardFunc]:
    unknown = [name for name in names if name not in REWARDS]
    if unknown:
        raise KeyError(f"unknown reward functions {unknown}; known: {sorted(REWARDS)}")
    return [REWARDS[name] for name in names]
