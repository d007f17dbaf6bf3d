"""Did a translation keep the mathematics? (pure logic)

A translation must keep every number, every formula and the option letter unchanged; only the prose
may change. ``math_changes`` compares the two texts (after NFKC, so full-width digits and letters
count as their ASCII forms) and describes each kind of difference; the translation is then flagged, not
silently accepted.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from distill.core.scripts import MATH

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_TEXT_IN_MATH = re.compile(
    r"\\(?:text|mathrm|textbf|mbox)\s*\{[^{}]*\}"
)  # words inside formulas may be translated
_OPTION_LETTER = re.compile(r"^\s*[(（]?([A-H])\s*[).．、:：)]")


_DELIMITERS = re.compile(r"^(?:\$\$|\$|\\\(|\\\[)|(?:\$\$|\$|\\\)|\\\])$")


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _formulas(text: str) -> Counter:
    """Formulas without delimiters, spaces and ``\\text{...}`` (words there may be translated)."""
    return Counter(
        re.sub(r"\s+", "", _TEXT_IN_MATH.sub("", _DELIMITERS.sub("", m.group(0))))
        for m in MATH.finditer(text)
    )


def _option_letter(text: str) -> str | None:
    match = _OPTION_LETTER.match(text)
    return match.group(1) if match else None


def _difference(before: Counter, after: Counter) -> str | None:
    lost, added = before - after, after - before
    parts = [
        f"{word} {' '.join(sorted(c.elements()))}" for word, c in (("lost", lost), ("added", added)) if c
    ]
    return "; ".join(parts) or None


def math_changes(original: str, translated: str) -> dict[str, str]:
    """What the translation changed, by kind (``numbers``, ``formulas``, ``option_letter``); empty: nothing."""
    before, after = _normal(original), _normal(translated)
    changes = {
        "numbers": _difference(Counter(_NUMBER.findall(before)), Counter(_NUMBER.findall(after))),
        "formulas": _difference(_formulas(before), _formulas(after)),
    }
    letter = _option_letter(before)
    if letter and _option_letter(after) != letter:
        changes["option_letter"] = f"{letter} -> {_option_letter(after) or 'none'}"
    return {kind: detail for kind, detail in changes.items() if detail}
