"""How a paper numbers its questions, read from the paper itself.

Papers number questions in many house styles: `1.` `1．` `1、` `1,` `1，` `1)` `(1)` `（1）` `第1题`
`Problem 1` `#1`. Sub-questions use a style too (`(1)(2)` inside `1.`), and a solution may number its steps.
Each style's numbers at the starts of lines are read in order, and the style whose numbers run 1, 2, 3, ...
the furthest (a gap of up to MAX_SKIP numbers allowed, for a lost line) is the paper's question style;
`(1)` is a question number only in a paper that numbers nothing else further.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

MAX_SKIP = 2  # numbers a run may skip (a question whose number line was lost) and go on


class NumberStyle(StrEnum):
    DOT = "dot"  # 1.  1．  1、
    COMMA = "comma"  # 1,  1，
    CLOSE_PAREN = "close_paren"  # 1)  1）
    PARENS = "parens"  # (1)  （1）
    TI = "ti"  # 第1题
    PROBLEM = "problem"  # Problem 1, Question 1, Exercise 1
    HASH = "hash"  # #1


# the number of each style, as the start of a line may hold it (after full-width forms are made ASCII)
NUMBERS = {
    NumberStyle.DOT: r"(\d{1,2})\s*[.．、](?![\d.．])",
    NumberStyle.COMMA: r"(\d{1,2})\s*[,，](?!\s*\d)",
    NumberStyle.CLOSE_PAREN: r"(\d{1,2})\s*[)）]",
    NumberStyle.PARENS: r"[(（]\s*(\d{1,2})\s*[)）]",
    NumberStyle.TI: r"第\s*(\d{1,2})\s*题\s*[.．:：、]?",
    NumberStyle.PROBLEM: r"(?:Problem|Question|Exercise)\s*(\d{1,2})\s*[.:：)]?",
    NumberStyle.HASH: r"#\s*(\d{1,2})\s*[.:：)]?",
}
_AT_START = {style: re.compile(rf"^\s*{pattern}") for style, pattern in NUMBERS.items()}
_ENTRY = {style: re.compile(rf"(?<![\d.．]){pattern}") for style, pattern in NUMBERS.items()}
_APART = re.compile(r"\(\?!(?:\[\\d\.．\]|\\s\*\\d)\)")  # "not followed by a digit" of DOT and COMMA
_TOUCHING_ENTRY = {
    style: re.compile(rf"(?<![\d.．]){_APART.sub('', pattern)}") for style, pattern in NUMBERS.items()
}


def start_pattern(style: NumberStyle) -> re.Pattern[str]:
    """A question's start in a paper of `style`: group 1 holds an explicit `Problem N`'s number (always
    recognized), group 2 the style's number."""
    explicit = NUMBERS[NumberStyle.PROBLEM]
    own = NUMBERS[style] if style is not NumberStyle.PROBLEM else r"(?!)(\d)"
    return re.compile(rf"^\s*(?:{explicit}|{own})\s*")


def run_length(numbers: Iterable[int]) -> int:
    """How far the numbers, in order, run 1, 2, 3, ... (a skip of up to MAX_SKIP counts as a lost line)."""
    expected, count = 1, 0
    for number in numbers:
        if expected <= number <= expected + (MAX_SKIP if count else 0):
            count += 1
            expected = number + 1
    return count


def detect_style(lines: Iterable[str]) -> NumberStyle:
    """The question style of a paper given as its lines (full-width forms already ASCII or not)."""
    numbers: dict[NumberStyle, list[int]] = {style: [] for style in NumberStyle}
    for line in lines:
        for style, pattern in _AT_START.items():
            match = pattern.match(line)
            if match:
                numbers[style].append(int(match.group(1)))
    runs = {style: run_length(found) for style, found in numbers.items()}
    return max(NumberStyle, key=lambda style: runs[style])  # ties: the first style listed


def numbered_entries(line: str, style: NumberStyle, max_chars: int) -> dict[int, str]:
    """A line of numbered entries in the paper's style, "1. B  2. C  3. $\\frac{1}{2}$" -> {1: "B", ...}:
    numbers that run on from the start of the line (by one, or skipping up to MAX_SKIP: an entry left
    out), each followed by at most `max_chars` of text. {} unless there are at least two. The next
    number may touch its entry ("11.3\\sqrt{2}") only when no clean one follows."""
    strict, loose = _ENTRY[style], _TOUCHING_ENTRY[style]
    first = strict.match(line.lstrip())
    if first is None:
        return {}
    offset = len(line) - len(line.lstrip())
    marks = [(int(first.group(1)), offset + first.start(), offset + first.end())]
    while True:
        number, _, end = marks[-1]
        found = (  # the next number; touching its entry; or one a few further on (an entry left out)
            next((m for m in strict.finditer(line, end) if int(m.group(1)) == number + 1), None)
            or next((m for m in loose.finditer(line, end) if int(m.group(1)) == number + 1), None)
            or next(
                (
                    m
                    for m in strict.finditer(line, end)
                    if number + 1 < int(m.group(1)) <= number + 1 + MAX_SKIP
                ),
                None,
            )
        )
        if found is None:
            break
        marks.append((int(found.group(1)), found.start(), found.end()))
    if len(marks) < 2:
        return {}
    entries = {}
    for (number, _, end), (_, start, _) in zip(marks, [*marks[1:], (0, len(line), 0)], strict=True):
        text = line[end:start].strip(" \t,;，；")
        if not text or len(text) > max_chars:
            return {}
        entries[number] = text
    return entries
