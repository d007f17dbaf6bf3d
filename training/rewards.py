"""GRPO reward functions, callable by TRL's ``GRPOTrainer`` (``prompts, completions, completion_ids, **columns``).

Semantics follow open-r1 (``src/open_r1/rewards.py``): same names, defaults and edge cases, except where
open-r1 has known bugs, fixed here and said so in each docstring. Completions may be plain strings or
conversational (a list of ``{role, content}`` messages, of which the last one is scored); dataset columns
such as ``answer`` and ``solution`` arrive as keyword arguments with one value per completion. A reward
returns ``None`` for a row it cannot judge: TRL leaves such rows out of that reward's mean, and out of the
group baseline when every reward is ``None``.

Answers are verified with ``distill.answers.bounded.verify_many``: worker processes with a time bound per item,
usable from any thread and from forked dataloader workers; ``workers`` processes verify a batch in parallel.
The format rewards count a ``<think>`` that the chat template pre-filled into the prompt as present
(:func:`with_prefilled_think`). Parametrized rewards are picklable classes (TRL's async rollout worker
pickles reward functions); recipes name them with their parameters (:func:`get_reward_funcs`).
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from trl.rewards import get_soft_overlong_punishment

from distill.answers.bounded import verify_many
from distill.answers.normalize import extract_answer, last_boxed

RewardFunc = Callable[..., list[float | None]]
RewardSpec = str | Mapping[str, Mapping[str, Any]]

_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_FORMAT = re.compile(r"<think>.*?</think>\s*<answer>.*?</answer>\s*", re.DOTALL)
_R1_FORMAT = re.compile(r"<think>.*?</think>(?P<final>.*)", re.DOTALL)
_TAGS = ("<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>")
# open-r1's pattern, kept verbatim: without re.MULTILINE, ``^\d+\.`` only matches at the very start.
_REASONING_STEPS = re.compile(r"(Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,)")
# CJK ideographs, kana and hangul: scripts written without spaces, split into one token per character.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WEAK_RULES = frozenset({"final_sentence", "none"})  # extract_answer rules too loose for a reward


def completion_text(completion: str | Sequence[Mapping[str, str]]) -> str:
    """The text to score: the string itself, or the content of the last message of a conversation."""
    if isinstance(completion, str):
        return completion
    return completion[-1]["content"] if completion else ""


def with_prefilled_think(text: str) -> str:
    """Restore a ``<think>`` that the chat template put in the prompt (text has a lone ``</think>``)."""
    if "<think>" not in text and text.count("</think>") == 1:
        return "<think>\n" + text
    return text


def extract_prediction(text: str) -> str | None:
    """The answer a completion gives: its last ``\\boxed{}``, else its last ``<answer>`` tag, else an explicit
    "the answer is ..." / "答案为 ..." / "Answer: ..." statement (``distill.answers.normalize.extract_answer``)."""
    boxed = last_boxed(text)
    if boxed is not None:
        return boxed
    tags = _ANSWER_TAG.findall(text)
    if tags:
        return tags[-1].strip()
    answer, rule = extract_answer(text)
    return None if rule in _WEAK_RULES else answer


class _Verified:
    """Base of the rewards that need correctness: the gold answer is the ``answer`` column, else ``solution``
    (which may be a full solution; its last ``\\boxed{}`` is taken). Verdicts are True / False, or None when
    the gold answer cannot be parsed or verification runs past ``timeout_s``."""

    def __init__(self, workers: int = 2, timeout_s: float = 5.0) -> None:
        self.workers = workers
        self.timeout_s = timeout_s

    def correctness(
        self, texts: Sequence[str], answer: Sequence[str] | None, solution: Sequence[str] | None
    ) -> tuple[list[str | None], list[bool | None]]:
        golds = answer if answer is not None else solution
        if golds is None:
            raise ValueError(f"{self.__name__} needs an 'answer' or 'solution' dataset column")
        preds = [extract_prediction(text) for text in texts]
        pairs = [
            ("" if gold is None else str(gold), pred or "") for gold, pred in zip(golds, preds, strict=True)
        ]
        return preds, verify_many(pairs, timeout_s=self.timeout_s, workers=self.workers)


class AccuracyReward(_Verified):
    """1.0 when the completion's answer (:func:`extract_prediction`) verifies against the gold, else 0.0.

    ``None`` when the gold cannot be parsed or verification times out. open-r1 returns 1.0 for an
    unparseable gold, which rewards every completion of a broken example; newer TRL also returns None.
    """

    __name__ = "accuracy_reward"

    def __call__(
        self,
        completions: Sequence[Any],
        answer: Sequence[str] | None = None,
        solution: Sequence[str] | None = None,
        log_extra: Callable[[str, list], None] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        preds, verdicts = self.correctness([completion_text(c) for c in completions], answer, solution)
        if log_extra is not None:
            log_extra("pred", [pred or "" for pred in preds])
        return [None if verdict is None else float(verdict) for verdict in verdicts]


class CosineScaledReward(_Verified):
    """Length-scaled correctness (Demystifying Long CoT, arXiv 2502.03373, Appendix C.1): with
    ``p = min(1, len / max_len)`` (characters, as open-r1), a correct completion gets
    ``min_value_correct + (max_value_correct - min_value_correct) * (1 + cos(pi p)) / 2`` (shorter is better)
    and a wrong one the same between ``max_value_wrong`` and ``min_value_wrong`` (longer is penalized less).

    Fixes two open-r1 bugs: ``p`` is clamped at 1 (cos is periodic, so open-r1 rewards completions longer
    than ``max_len`` more again), and an unparseable gold gives ``None`` (open-r1: 1.0).
    """

    __name__ = "cosine_scaled_reward"

    def __init__(
        self,
        min_value_wrong: float = -1.0,
        max_value_wrong: float = -0.5,
        min_value_correct: float = 0.5,
        max_value_correct: float = 1.0,
        max_len: int = 1000,
        workers: int = 2,
        timeout_s: float = 5.0,
    ) -> None:
        super().__init__(workers, timeout_s)
        self.wrong = (max_value_wrong, min_value_wrong)  # swapped: the short end is the low end
        self.correct = (min_value_correct, max_value_correct)
        self.max_len = max_len

    def __call__(
        self,
        completions: Sequence[Any],
        answer: Sequence[str] | None = None,
        solution: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        texts = [completion_text(c) for c in completions]
        _, verdicts = self.correctness(texts, answer, solution)
        rewards: list[float | None] = []
        for text, verdict in zip(texts, verdicts, strict=True):
            if verdict is None:
                rewards.append(None)
                continue
            low, high = self.correct if verdict else self.wrong
            cosine = math.cos(min(1.0, len(text) / self.max_len) * math.pi)
            rewards.append(low + 0.5 * (high - low) * (1.0 + cosine))
        return rewards


class LengthReward(_Verified):
    """Kimi 1.5 length reward (arXiv 2501.12599): ``lambda = 0.5 - (len - min_len) / (max_len - min_len)``,
    ``lambda`` for a correct completion and ``min(0, lambda)`` for a wrong one; 0.0 when all lengths are equal.

    Lengths are characters, as in open-r1. Fixes of open-r1: ``min_len``/``max_len`` are taken over the
    completions of the same prompt (Kimi's definition; open-r1 mixes every prompt of the batch), the gold
    goes first to ``verify`` (it is not symmetric), and an unparseable gold gives ``None`` instead of
    counting the completion as correct.
    """

    __name__ = "len_reward"

    def __call__(
        self,
        completions: Sequence[Any],
        prompts: Sequence[Any] | None = None,
        answer: Sequence[str] | None = None,
        solution: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        texts = [completion_text(c) for c in completions]
        _, verdicts = self.correctness(texts, answer, solution)
        groups: dict[str, list[int]] = defaultdict(list)
        for i in range(len(texts)):
            prompt = prompts[i] if prompts is not None else ""
            groups[prompt if isinstance(prompt, str) else json.dumps(prompt, sort_keys=True)].append(i)
        rewards: list[float | None] = [None] * len(texts)
        for members in groups.values():
            lengths = [len(texts[i]) for i in members]
            shortest, longest = min(lengths), max(lengths)
            for i, length in zip(members, lengths, strict=True):
                if verdicts[i] is None:
                    continue
                if longest == shortest:
                    rewards[i] = 0.0
                    continue
                value = 0.5 - (length - shortest) / (longest - shortest)
                rewards[i] = value if verdicts[i] else min(0.0, value)
        return rewards


class RepetitionPenaltyReward:
    """N-gram repetition penalty (arXiv 2502.03373, Appendix C.2): ``(1 - unique / total n-grams) * max_penalty``;
    0.0 for an empty completion or one with fewer than ``ngram_size`` words.

    Words are open-r1's (lowercased, split on whitespace), except that CJK characters are one word each:
    Chinese has no spaces, so open-r1's English splitting sees a whole Chinese sentence as one word and
    never penalizes it (its ``language="zh"`` variant needs jieba).
    """

    __name__ = "repetition_penalty_reward"

    def __init__(self, ngram_size: int = 3, max_penalty: float = -1.0) -> None:
        if max_penalty > 0:
            raise ValueError(f"max_penalty {max_penalty} should not be positive")
        self.ngram_size = ngram_size
        self.max_penalty = max_penalty

    def __call__(self, completions: Sequence[Any], **kwargs: Any) -> list[float]:
        rewards = []
        for completion in completions:
            words = _CJK.sub(lambda m: f" {m.group()} ", completion_text(completion).lower()).split()
            if len(words) < self.ngram_size:
                rewards.append(0.0)
                continue
            ngrams = list(zip(*[words[i:] for i in range(self.ngram_size)], strict=False))
            rewards.append((1 - len(set(ngrams)) / len(ngrams)) * self.max_penalty)
        return rewards


def soft_overlong_punishment(max_completion_len: int = 16384, soft_punish_cache: int = 4096) -> RewardFunc:
    """DAPO's soft overlong punishment (arXiv 2503.14476, Eq. 13) over completion tokens: 0 up to
    ``max_completion_len - soft_punish_cache``, then linearly down to -1 at ``max_completion_len``, -1 beyond.
    TRL's implementation (identical to open-r1's), with open-r1's defaults."""
    return get_soft_overlong_punishment(max_completion_len, soft_punish_cache)


def format_reward(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """1.0 when the whole completion is ``<think>...</think>`` then ``<answer>...</answer>`` (whitespace
    between and after allowed). open-r1 matches with ``re.MULTILINE``, so its ``$`` also accepts any text
    after a newline that follows ``</answer>``; here nothing may follow."""
    texts = [with_prefilled_think(completion_text(c)) for c in completions]
    return [1.0 if _FORMAT.fullmatch(text) else 0.0 for text in texts]


def r1_format_reward(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """1.0 for one ``<think>...</think>`` block followed by a final text that contains ``\\boxed{}`` (R1)."""
    rewards = []
    for completion in completions:
        text = with_prefilled_think(completion_text(completion))
        match = _R1_FORMAT.fullmatch(text)
        ok = (
            match is not None
            and text.count("<think>") == 1
            and text.count("</think>") == 1
            and last_boxed(match["final"]) is not None
        )
        rewards.append(1.0 if ok else 0.0)
    return rewards


def tag_count_reward(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """0.25 for each of ``<think>\\n``, ``\\n</think>\\n``, ``\\n<answer>\\n``, ``\\n</answer>`` found exactly once."""
    texts = [with_prefilled_think(completion_text(c)) for c in completions]
    return [0.25 * sum(text.count(tag) == 1 for tag in _TAGS) for text in texts]


def reasoning_steps_reward(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """Graded step-by-step reward: ``min(1, markers / 3)`` with open-r1's step-marker regex."""
    return [min(1.0, len(_REASONING_STEPS.findall(completion_text(c))) / 3) for c in completions]


accuracy_reward = AccuracyReward()

REWARDS: dict[str, RewardFunc] = {
    "accuracy": accuracy_reward,
    "format": format_reward,
    "r1_format": r1_format_reward,
    "tag_count": tag_count_reward,
    "reasoning_steps": reasoning_steps_reward,
}
FACTORIES: dict[str, Callable[..., RewardFunc]] = {
    "accuracy": AccuracyReward,
    "cosine": CosineScaledReward,
    "length": LengthReward,
    "repetition_penalty": RepetitionPenaltyReward,
    "soft_overlong_punishment": soft_overlong_punishment,
}


def get_reward_funcs(
    specs: Sequence[RewardSpec], defaults: Mapping[str, Mapping[str, Any]] | None = None
) -> list[RewardFunc]:
    """Reward functions from recipe entries: a name (``tag_count``) or a one-key mapping of a name to its
    parameters (``{cosine: {max_len: 2048}}``). ``defaults`` fills parameters a spec leaves out."""
    funcs = []
    for spec in specs:
        if isinstance(spec, str):
            name, params = spec, {}
        elif isinstance(spec, Mapping) and len(spec) == 1 and isinstance(next(iter(spec.values())), Mapping):
            [(name, params)] = spec.items()
        else:
            raise ValueError(f"a reward is a name or {{name: {{parameter: value}}}}, got {spec!r}")
        if name not in REWARDS and name not in FACTORIES:
            raise KeyError(f"unknown reward function {name!r}; known: {sorted({*REWARDS, *FACTORIES})}")
        params = {**(defaults or {}).get(name, {}), **params}
        if name in FACTORIES and (params or name not in REWARDS):
            funcs.append(FACTORIES[name](**params))
        elif params:
            raise ValueError(f"reward {name!r} takes no parameters, got {params}")
        else:
            funcs.append(REWARDS[name])
    return funcs
