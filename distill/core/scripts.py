"""Which writing systems a text uses, outside its formulas (pure logic).

The pipeline's working language is English: a problem whose letters are mostly of another script goes
to the translator, and a teacher sample with letters of another script has drifted out of English.
Greek letters count as mathematics, not as a language.
"""

from __future__ import annotations

import re

MATH = re.compile(r"\$\$.*?\$\$|\$.*?\$|\\\(.*?\\\)|\\\[.*?\\\]", re.S)
# CJK, kana, hangul, Cyrillic, Hebrew, Arabic, Devanagari, Thai.
OTHER_SCRIPT = re.compile(
    r"[\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f"
    r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def prose(text: str) -> str:
    """The text with its formulas blanked out."""
    return MATH.sub(" ", text)


def other_script_chars(text: str) -> int:
    return len(OTHER_SCRIPT.findall(prose(text)))


def other_script_share(text: str) -> float:
    """Share of the prose's letters that are not Latin (0 when it has no letters)."""
    plain = prose(text)
    other = len(OTHER_SCRIPT.findall(plain))
    letters = other + len(_LATIN.findall(plain))
    return other / letters if letters else 0.0


_CJK = re.compile(r"[\u4e00-\u9fff]")


def detect_language(text: str) -> str:
    """A problem's or a document's language, decided here only and carried on the row: "zh" when CJK
    characters are at least 30% of CJK characters plus English words (formulas and commands aside),
    else "en". (Translation asks a narrower question per field: ``other_script_share``.)"""
    plain = re.sub(r"\$[^$]*\$|\\[A-Za-z]+", " ", text)
    cjk = len(_CJK.findall(plain))
    words = len(re.findall(r"[A-Za-z]{2,}", plain))
    return "zh" if cjk and cjk >= 0.3 * (cjk + words) else "en"
