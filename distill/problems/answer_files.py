"""Answer keys published as files of their own, paired with their exams.

A collection folder often holds `exam.pdf` beside `exam答案.pdf` (or `*解析*`, `*key*`, `*solutions*`,
`*answers*`). A file whose name says it is a key is paired with the exam whose name is most like its own
once the key words are taken out (the only exam of the folder, when there is one); the exam and its key
are then split as one document, the key's pages after the exam's under a key header, so that the
splitter's own answer-key handling matches entries back by number (`1. B 2. C`, or entries that repeat
the question with its answer and solution).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

KEY_WORDS = re.compile(
    r"参考答案|答案|解析|详解|评分标准|(?<![a-z])(?:answer\s*key|answers?|keys?|solutions?)(?![a-z])", re.I
)
KEY_HEADER = "参考答案"  # the line put before a key file's first page: the splitter enters its key mode
PAGE_OFFSET = 1000  # a key's pages are numbered after its exam's: page k of the key is 1000 + k
MIN_LIKENESS = 0.5  # names less alike than this are not paired (unless the folder has one exam)


@dataclass(frozen=True)
class Pairing:
    exams: dict[str, str]  # exam file -> its key file ("" when none)
    lone_keys: list[str]  # key files with no exam to pair with


def is_key_file(name: str) -> bool:
    return KEY_WORDS.search(PurePosixPath(name).stem) is not None


def _bare(name: str) -> str:
    """The name less its folder, suffix, key words and punctuation: what an exam and its key share."""
    stem = KEY_WORDS.sub("", PurePosixPath(name).stem)
    return re.sub(r"[\s_\-—–.,，、()（）\[\]【】]+", "", stem).lower()


def pair_files(names: list[str]) -> Pairing:
    """Each exam with its key file, by name (files in different folders are never paired)."""
    keys = sorted(n for n in names if is_key_file(n))
    exams = {n: "" for n in sorted(names) if n not in keys}
    lone = []
    for key in keys:
        folder = str(PurePosixPath(key).parent)
        candidates = [e for e in exams if str(PurePosixPath(e).parent) == folder and not exams[e]]
        likeness = {e: difflib.SequenceMatcher(None, _bare(e), _bare(key)).ratio() for e in candidates}
        best = max(candidates, key=lambda e: likeness[e], default=None)
        if best is not None and (likeness[best] >= MIN_LIKENESS or len(candidates) == 1):
            exams[best] = key
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
