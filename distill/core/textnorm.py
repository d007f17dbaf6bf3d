"""Text normalization for matching problems (deduplication and decontamination).

Two problems that differ only in spacing, case, full-width characters or LaTeX spelling
(``\\dfrac`` vs ``\\frac``, ``x^{2}`` vs ``x^2``, ``$`` delimiters) normalize to the same string.
Figure code (``[asy]...[/asy]``) and a leading problem number ("Problem 7.") are not problem text and are
removed.
"""

from __future__ import annotations

import re
import unicodedata

_ASY = re.compile(r"\[asy\].*?\[/asy\]", re.DOTALL | re.IGNORECASE)
_SPACING = r"\\(?:left|right|displaystyle|limits|[,;:! ]|q?quad)(?![a-z])"
_LATEX_NOISE = re.compile(_SPACING + r"|[{}$]")
_WHITESPACE = re.compile(r"\s+")
_SPACING_ONLY = re.compile(_SPACING)
_LATEX_ALIASES = {"\\dfrac": "\\frac", "\\tfrac": "\\frac", "\\dbinom": "\\binom", "\\tbinom": "\\binom",
                  "\\le ": "\\leq ", "\\ge ": "\\geq ", "\\ne ": "\\neq "}  # fmt: skip
_ALIAS = re.compile("|".join(re.escape(a) for a in _LATEX_ALIASES))
_TOKEN = re.compile(r"\\[a-z]+|[a-z]+|\d+(?:\.\d+)?|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_SPACED_DIGITS = re.compile(r"(?<=\d)\s+(?=\d)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# "Problem 7.", "Question 3:", "12.", "(2)", "3)" at the start: numbering, not problem text
_NUMBERING = re.compile(
    r"^\s*(?:(?:problem|question|exercise|example)\s*\d{1,3}\s*[.:)．、]?|[(（]?\d{1,3}\s*[.:)）．、](?!\d))\s*",
    re.I,
)
_OPTION_LINE = re.compile(r"^\s*\(?[A-H][.．、)].*$", re.M)
_INLINE_OPTIONS = re.compile(r"\s\(?A[.．、)]\s*\S.*?\s\(?B[.．、)].*", re.S)


def problem_body(text: str) -> str:
    """The text without figure code and without a leading problem number."""
    return _NUMBERING.sub("", _ASY.sub(" ", text), count=1)


def strip_options(text: str) -> str:
    """The stem of a choice question: option lines ("A. ...") and an inline "A. ... B. ..." tail removed."""
    return _INLINE_OPTIONS.sub("", _OPTION_LINE.sub("", text))


def normalize(text: str) -> str:
    """A compact form for hashing and similarity ratios: no whitespace, braces, ``$`` or spacing macros
    (numbers apart only by spaces stay apart: "2 10" becomes "2_10", not "210")."""
    text = unicodedata.normalize("NFKC", problem_body(text)).lower() + " "
    text = _SPACED_DIGITS.sub(
        "_", _LATEX_NOISE.sub("", _ALIAS.sub(lambda m: _LATEX_ALIASES[m.group(0)], text))
    )
    return _WHITESPACE.sub("", text).rstrip(".。?？!！:：")


def words(text: str) -> list[str]:
    """Word tokens for n-gram overlap: words, numbers, LaTeX commands and single CJK characters;
    punctuation and braces are dropped, so ``x^{2}`` and ``x^2`` give the same tokens."""
    text = unicodedata.normalize("NFKC", problem_body(text)).lower()
    return _TOKEN.findall(
        _SPACING_ONLY.sub(" ", _ALIAS.sub(lambda m: _LATEX_ALIASES[m.group(0)], text + " "))
    )


def numbers(normalized: str) -> list[str]:
    """The numbers of a normalized text, in order: problems that differ in them are different problems."""
    return _NUMBER.findall(normalized)
