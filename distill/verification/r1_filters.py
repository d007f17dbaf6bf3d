"""DeepSeek-R1's filters on its own samples: mixed languages, code blocks, runaway repetition (pure logic).

A flag marks the sample with its reason; the dataset decides what to drop. Samples are meant to be in
English (problems are translated first), so letters of another script outside formulas mean the
teacher drifted into another language.
"""

from __future__ import annotations

import re

from distill.core.scripts import other_script_chars

FLAGS = ("mixed_language", "code_block", "repetition")

_CODE_FENCE = re.compile(r"^\s*(```|~~~)", re.M)
_WORD = re.compile(r"\S+")


def mixed_language(text: str, min_chars: int = 2) -> bool:
    return other_script_chars(text) >= min_chars


def has_code_block(text: str) -> bool:
    return bool(_CODE_FENCE.search(text))


def looping_tail(text: str, max_period: int = 200, min_span: int = 200, min_repeats: int = 4) -> bool:
    """The text ends in one unit repeated over and over (the usual shape of a runaway generation)."""
    text = text.rstrip()
    for period in range(1, max_period + 1):
        repeats = max(min_repeats, -(-min_span // period))
        if len(text) >= repeats * period and text.endswith(text[-period:] * repeats):
            return True
    return False


def low_diversity(text: str, n: int = 10, min_words: int = 200, min_distinct: float = 0.5) -> bool:
    """Most word n-grams occur more than once: paragraphs restated again and again."""
    words = _WORD.findall(text)
    if len(words) < min_words:
        return False
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return len(set(grams)) / len(grams) < min_distinct


def r1_flags(reasoning: str, final: str) -> list[str]:
    """The reasons (in ``FLAGS`` order) why R1's filters would reject this sample; empty when none."""
    text = f"{reasoning}\n{final}"
    checks = {
        "mixed_language": mixed_language(text),
        "code_block": has_code_block(text),
        "repetition": looping_tail(reasoning) or looping_tail(final) or low_diversity(text),
    }
    return [flag for flag in FLAGS if checks[flag]]
