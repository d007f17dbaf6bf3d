"""The same items typeset in the house styles exams come in, to measure the split on layouts, not on papers.

A layout is a numbering style (``1.`` ``1、`` ``1，`` ``(1)`` ``第1题`` ``Problem 1`` ``#1`` ...), an option
style (``A.`` ``(A)`` ``A)`` ``A、`` ``A:`` ...), an option arrangement (one a line, all four on one row,
two rows of two in columns), section headers (``一、选择题``, ``第Ⅰ卷（选择题）``, ``Part I``, ``Section A``),
an instruction block with its own numbered lines (or none), and where the answers are: in the paper
after each question (``【答案】`` ``【解析】``), or in a key file of their own beside the paper, either a short
list (``1. B 2. C``) or entries that repeat each question with its answer and solution. Each style of each
dimension appears in some layout (``LAYOUTS`` rotates through them), so the figures per style are read
off the layouts that use it. The papers are set in the ``text`` form (``typeset.Form.TEXT``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from benchmarks.exact_truth.items import MATH, Item
from benchmarks.exact_truth.typeset import INDENT, LEFT, RIGHT, Form, Paper, Unit


class Arrangement(StrEnum):
    LINES = "lines"  # one option a line
    ROW = "row"  # the four options on one row
    COLUMNS = "columns"  # two rows of two options, in columns


class KeyStyle(StrEnum):
    INLINE = "inline"  # 【答案】 / Answer: after each question, in the paper
    SHORT = "short"  # a key file of its own: 1. B 2. C ...
    FULL = "full"  # a key file of its own repeating each question with its answer and solution


@dataclass(frozen=True)
class Layout:
    language: str
    number: str  # "{n}." ...
    option: str  # "{L}." ...
    arrangement: Arrangement
    key: KeyStyle
    sections: tuple[str, str]  # the choice section's header and the others'
    preamble: bool  # an instruction block with numbered lines before the questions
    key_name: str  # the key file's name, "{name}" the paper's

    @property
    def name(self) -> str:
        return "|".join(
            (self.number.format(n=1), self.option.format(L="A"), self.arrangement, self.key, self.sections[0])
        )

    def dimensions(self) -> dict[str, str]:
        """The style of each dimension, for the figures per style."""
        return {
            "numbering": self.number.format(n=1),
            "options": self.option.format(L="A"),
            "arrangement": str(self.arrangement),
            "key": str(self.key),
            "section": self.sections[0],
            "preamble": "yes" if self.preamble else "no",
        }


NUMBERS = {
    "zh": ("{n}.", "{n}．", "{n}、", "{n}，", "{n},", "{n})", "({n})", "（{n}）", "第{n}题"),
    "en": ("{n}.", "{n})", "({n})", "Problem {n}.", "#{n}", "Question {n}:"),
}
OPTIONS = ("{L}.", "({L})", "{L})", "{L}、", "（{L}）", "{L}:", "{L}．")
SECTIONS = {
    "zh": (
        ("一、选择题", "二、填空题"),
        ("一.选择题", "二.填空题"),
        ("第Ⅰ卷（选择题）", "第Ⅱ卷（非选择题）"),
    ),
    "en": (("Part I. Multiple choice", "Part II. Short answer"), ("Section A", "Section B")),
}
KEY_NAMES = {"zh": ("{name}答案", "{name}参考答案及解析"), "en": ("{name}_answers", "{name} solutions")}
PREAMBLE = {
    "zh": "注意事项：1. 答卷前，考生务必将自己的姓名、准考证号填写在答题卡上。"
    "2. 回答选择题时，选出每小题答案后，用铅笔把答题卡上对应题目的答案标号涂黑。3. 考试结束后，将本试卷交回。",
    "en": "Directions: 1. Write your name on the answer sheet. 2. Calculators are not allowed. "
    "3. Each question has one correct answer.",
}
ANSWER_LABEL = {
    "zh": ("【答案】", "【解析】由题意，答案为 {a}。"),
    "en": ("Answer: ", "Solution: the answer is {a}."),
}
KEY_ROW = 4  # entries a row of a short key
KEY_TITLE = {"zh": "参考答案", "en": "Answer key"}


def layouts(language: str, count: int) -> list[Layout]:
    """`count` layouts of a language, rotating through every style of each dimension."""
    out = []
    for i in range(count):
        number = NUMBERS[language][i % len(NUMBERS[language])]
        key = tuple(KeyStyle)[(i // 3 + i) % 3]
        sections = SECTIONS[language][i % len(SECTIONS[language])]
        names = KEY_NAMES[language]
        out.append(
            Layout(
                language,
                number,
                OPTIONS[(3 * i + 1) % len(OPTIONS)] if i else OPTIONS[0],
                tuple(Arrangement)[i % 3],
                key,
                sections,
                preamble=i % 2 == 1,
                key_name=names[i % len(names)],
            )
        )
    return out


LAYOUTS = layouts("zh", 12) + layouts("en", 8)


def answer_math(answer: str) -> str:
    """An item's answer as the paper sets it: a formula in $...$ unless it is a choice or plain words."""
    answer = answer.strip()
    if MATH.search(answer) or re.fullmatch(r"[A-H]+|[\w\s\u4e00-\u9fff]+", answer):
        return answer
    return f"${answer}$"


def _options(out: Paper, item: Item, layout: Layout) -> None:
    labelled = [layout.option.format(L=chr(65 + i)) + " " + o for i, o in enumerate(item.options)]
    per_row = {Arrangement.LINES: 1, Arrangement.ROW: 4, Arrangement.COLUMNS: 2}[layout.arrangement]
    cell = (RIGHT - LEFT - INDENT) / per_row
    rows = [labelled[i : i + per_row] for i in range(0, len(labelled), per_row)]
    if any(unit_width(out, text) > cell - 6 for text in labelled):  # too wide for its column
        rows = [[text] for text in labelled]
    for row in rows:
        if len(row) == 1:
            out.paragraph(row[0], indent=INDENT)
            continue
        units: list[Unit] = []
        for k, text in enumerate(row):
            cells = out.units(text)
            units += cells
            if k < len(row) - 1:  # pad to the next column
                units.append(Unit(text=" ", width=cell - sum(u.width for u in cells)))
        out.set_line(units, LEFT + INDENT)


def unit_width(out: Paper, text: str) -> float:
    return sum(u.width for u in out.units(text))


def _answer_lines(out: Paper, item: Item, language: str) -> None:
    answer = answer_math(item.answer)
    label, solution = ANSWER_LABEL[language]
    out.paragraph(f"{label}{answer}", indent=INDENT)
    out.paragraph(solution.format(a=answer), indent=INDENT)


def _sections(items: list[Item], layout: Layout):
    choice = [item for item in items if item.options]
    other = [item for item in items if not item.options]
    number = 0
    for header, group in zip(layout.sections, (choice, other), strict=True):
        if group:
            yield header, [(number := number + 1, item) for item in group]


def layout_paper(items: list[Item], layout: Layout) -> tuple[bytes, bytes | None]:
    """The paper of `items` in `layout` (choice questions first, numbered from 1), and its key file's
    PDF (None when the answers are in the paper)."""
    out = Paper(layout.language, Form.TEXT)
    out.paragraph("数学试卷" if layout.language == "zh" else "Mathematics paper", size=14)
    out.space(8)
    if layout.preamble:
        out.paragraph(PREAMBLE[layout.language])
        out.space(6)
    for header, numbered in _sections(items, layout):
        out.paragraph(header)
        out.space(4)
        for number, item in numbered:
            out.paragraph(f"{layout.number.format(n=number)} {item.question}", hang=INDENT)
            _options(out, item, layout)
            if layout.key is KeyStyle.INLINE:
                _answer_lines(out, item, layout.language)
            out.space(6)
    paper = out.save()
    if layout.key is KeyStyle.INLINE:
        return paper, None
    key = Paper(layout.language, Form.TEXT)
    key.paragraph(KEY_TITLE[layout.language], size=14)
    key.space(8)
    for header, numbered in _sections(items, layout):
        key.paragraph(header)
        if layout.key is KeyStyle.SHORT:
            entries = [f"{layout.number.format(n=n)} {answer_math(item.answer)}" for n, item in numbered]
            for start in range(0, len(entries), KEY_ROW):  # rows of a few entries, as keys are set
                key.paragraph("    ".join(entries[start : start + KEY_ROW]))
            continue
        for number, item in numbered:
            key.paragraph(f"{layout.number.format(n=number)} {item.question}", hang=INDENT)
            _options(key, item, layout)
            _answer_lines(key, item, layout.language)
            key.space(4)
    return paper, key.save()
