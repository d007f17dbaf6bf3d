"""Answer keys published as files of their own, paired with their exams.

A collection folder often holds `exam.pdf` beside `exam答案.pdf` (or `*解析*`, `*key*`, `*solutions*`,
`*answers*`). A file is a key when its name says so, or when its text opens with a key's title (参考答案, Answer
key, ...). A key is paired with the exam whose name is most like its own once the key words are taken
out (the only exam of the folder, when there is one); when no name is alike enough, with the exam whose
text holds the question stems the key repeats, or whose question numbers are the key's numbers (a key
of `1. B 2. C` entries), when exactly one exam of the folder fits. The exam and its key
are then split as one document, the key's pages after the exam's under a key header, so that the
splitter's own answer-key handling matches entries back by number (`1. B 2. C`, or entries that repeat
the question with its answer and solution).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

KEY_WORDS = re.compile(
    r"参考答案|答案|解析|详解|评分标准|(?<![a-z])(?:answer\s*key|answers?|keys?|solutions?)(?![a-z])", re.I
)
KEY_HEADER = "参考答案"  # the line put before a key file's first page: the splitter enters its key mode
PAGE_OFFSET = 1000  # a key's pages are numbered after its exam's: page k of the key is 1000 + k
MIN_LIKENESS = 0.5  # names less alike than this are not paired by name (unless the folder has one exam)
MIN_STEMS = 0.5  # the share of a key's numbered lines whose start the exam's text holds, to pair by stems
STEM_CHARS = 10  # the characters of a numbered line compared
MIN_NUMBERED = 5  # fewer questions than this are too common a numbering to pair a key by
KEY_TITLE = re.compile(
    r"^\s*(?:\S{0,24}?(?:参考答案|答案[与及]解析)(?![\u4e00-\u9fff]{4})"  # not "参考答案写在答题卡上"
    r"|[\w\s-]{0,40}?\b(?:answer\s*key|answers|solutions)(?:\s+(?:to|for)\b.*)?\s*[:：]?\s*$)",
    re.I,
)
NUMBERED = re.compile(
    r"^\s*(?:第\s*|Problem\s*|Question\s*|#\s*|[(（]\s*)?(\d{1,2})\s*[.．、,，)）:：题]?\s*(.*)"
)
MEANINGFUL = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")


@dataclass(frozen=True)
class Pairing:
    exams: dict[str, str]  # exam file -> its key file ("" when none)
    lone_keys: list[str]  # key files with no exam to pair with


def is_key_file(name: str, text: str = "") -> bool:
    """Whether a file is an answer key: by its name, or by a key's title on one of its first lines."""
    head = [line for line in text.splitlines() if line.strip()][:3]
    return KEY_WORDS.search(PurePosixPath(name).stem) is not None or any(KEY_TITLE.match(x) for x in head)


def _squash(text: str) -> str:
    return "".join(MEANINGFUL.findall(text))


def _numbered(text: str) -> list[tuple[int, str]]:
    """(number, the rest of the line) of the lines that start with a number, in any style."""
    found = (NUMBERED.match(line) for line in text.splitlines())
    return [(int(m.group(1)), m.group(2)) for m in found if m]


def content_fit(key_text: str, exam_text: str, exam_numbers: set[int]) -> str:
    """How a key's text fits an exam's: "stems" (most of the key's numbered lines start as lines of the
    exam do), "numbers" (the key numbers exactly the exam's questions), or ""."""
    entries = _numbered(key_text)
    exam = _squash(exam_text)
    stems = [_squash(rest)[:STEM_CHARS] for _, rest in entries]
    stems = [stem for stem in stems if len(stem) == STEM_CHARS]
    if stems and sum(stem in exam for stem in stems) >= MIN_STEMS * len(stems):
        return "stems"
    numbers = {n for n, _ in entries} | {
        int(n) for n in re.findall(r"(?<!\d)(\d{1,2})\s*[.．、,，)）:：]", key_text)
    }
    if len(exam_numbers) >= MIN_NUMBERED and exam_numbers <= numbers <= exam_numbers | {0}:
        return "numbers"
    return ""


def _bare(name: str) -> str:
    """The name less its folder, suffix, key words and punctuation: what an exam and its key share."""
    stem = KEY_WORDS.sub("", PurePosixPath(name).stem)
    return re.sub(r"[\s_\-—–.,，、()（）\[\]【】]+", "", stem).lower()


def pair_files(
    names: list[str],
    texts: dict[str, str] | None = None,
    numbers_of: Callable[[str], set[int]] | None = None,
) -> Pairing:
    """Each exam with its key file, by name, else by content (`texts`: file -> its text; `numbers_of`:
    an exam's question numbers, asked only when names do not decide). Files in different folders are
    never paired."""
    texts = texts or {}
    keys = sorted(n for n in names if is_key_file(n, texts.get(n, "")))
    exams = {n: "" for n in sorted(names) if n not in keys}
    lone = []
    for key in keys:
        folder = str(PurePosixPath(key).parent)
        candidates = [e for e in exams if str(PurePosixPath(e).parent) == folder and not exams[e]]
        likeness = {e: difflib.SequenceMatcher(None, _bare(e), _bare(key)).ratio() for e in candidates}
        best = max(candidates, key=lambda e: likeness[e], default=None)
        if best is not None and (likeness[best] >= MIN_LIKENESS or len(candidates) == 1):
            exams[best] = key
            continue
        fits = {
            e: content_fit(texts.get(key, ""), texts.get(e, ""), numbers_of(e) if numbers_of else set())
            for e in candidates
        }
        by_stems = [e for e, fit in fits.items() if fit == "stems"]
        by_numbers = [e for e, fit in fits.items() if fit == "numbers"]
        chosen = by_stems if by_stems else by_numbers
        if len(chosen) == 1:
            exams[chosen[0]] = key
        else:
            lone.append(key)
    return Pairing(exams, lone)


def joined_pages(exam: list[tuple[int, str]], key: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The pages of an exam and its key as one document: the key's pages numbered PAGE_OFFSET + k, its
    first page under KEY_HEADER."""
    shifted = [(PAGE_OFFSET + page, text) for page, text in key]
    if shifted:
        shifted[0] = (shifted[0][0], f"{KEY_HEADER}\n{shifted[0][1]}")
    return exam + shifted
