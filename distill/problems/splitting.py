"""Rule-based splitting of one exam document's page texts into problem/solution pairs (no Dagster).

``split_document`` joins the pages of one document (dropping page headers and footers), then scans it
line by line: section headers ("一、选择题", "Part A"), question starts ("1．", "12.", "Problem 3."),
options ("A．…", "(A) …", several per line allowed), answer markers ("【答案】"), solution starts
("【解析】", "解：", "Solution."), and an answer-key block at the end ("Answers: 1. B 2. C", "参考答案",
"1-5 DCBAC"), whose entries are matched back to the problems by number, and an answer section that
repeats the paper with 【第N题】 markers.

Scans of real exams lose and scramble things; the rules repair what the numbering proves: a question
start run into the previous line ("… A.1 7. 记水的…") is split off, and when a number is missing
while the problem before it shows a second problem's options or 【答案】, the lost problem is cut out
there (flag ``number_inferred``). Watermark fragments repeated across pages are dropped with the
headers and footers.

Offsets (``char_span``) refer to the joined, cleaned document text; pages are 1-based as given.
"""

from __future__ import annotations

import bisect
import difflib
import enum
import re
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from distill.answers.normalize import CHOICE_TYPES, choice_letters, extract_answer
from distill.core.kinds import QuestionType
from distill.core.scripts import detect_language
from distill.problems.numbering import NumberStyle, detect_style, numbered_entries, start_pattern

RULE_ANSWER_MARK = "答案标记"
RULE_ANSWER_KEY = "answer_key"

# Same-length ASCII view of full-width digits and letters, used for matching only (offsets stay valid).
_ASCII_VIEW = {
    c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}

# Page headers/footers: "第 1 页 共 7 页" anywhere on a short line; "- 3 -", "3", "3/7", "Page 3" at page edges.
_PAGE_MARK_RE = re.compile(r"\d+\s*页\s*[,，/]?\s*[（(]?\s*共\s*\d+\s*页|(?i:page)\s*\d+\s*(?:of|/)\s*\d+")
_EDGE_MARK_RE = re.compile(r"[-–—]?\s*\d{1,3}\s*[-–—]?|\d{1,3}\s*/\s*\d{1,3}|第\s*\d+\s*页|(?i:page)\s*\d+")
_EDGE_LINES = 2
_PART_HEADER_RE = re.compile(r"第\s*[一二三四五六]\s*部分\s*[（(][^（()）\n]{0,24}[)）]")

_CN_SECTION_RE = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*([^\s:：,，。(（]{0,12}?题)")
_VOLUME_RE = re.compile(
    r"^\s*第\s*[ⅠⅡⅢI1-3一二三]{1,3}\s*卷\s*(?:[(（]([^()（）\n]{0,16})[)）])?\s*$"
)  # 第Ⅰ卷（选择题）
_INLINE_ITEM_RE = re.compile(r"(?<![\d.．])\d{1,2}\s*[.．、)）](?!\d)")
_EN_SECTION_RE = re.compile(r"^\s*(?:Part|Section)\s+(?:[A-Z]|[IVX]+|\d+)\b(?!\.\d)")
_PREAMBLE_RE = re.compile(r"^\s*(?:注意事项|考生须知|(?:General\s+)?Instructions|Directions)\b")
_KEY_HEADER_RE = re.compile(
    r"^\s*(?:参考答案(?:[与及](?:解析|详解))?|答案[与及](?:解析|详解)|Answer\s+Key|Answers|Solutions)"
    r"\s*(?:[:：]\s*(.*)|$)"
)
REPEAT_PREFIX, REPEAT_LIKENESS = 30, 0.7  # characters of a key entry compared with its question's stem
_Q_START_RE = start_pattern(NumberStyle.DOT)  # the common style, for telling structure from headers
_SCORE_RE = re.compile(
    r"[（(]\s*(?:本(?:小)?题)?(?:共|满分)?\s*\d+(?:\.\d+)?\s*分\s*[)）]|[(\[]\s*\d+\s*(?:points?|pts?|marks?)\s*[)\]]",
    re.I,
)
_BRACKET_MARK_RE = re.compile(r"【([^】\n]{1,8})】")
_ANSWER_MARKS = ("答案",)
_SOLUTION_MARKS = ("解析", "详解", "分析", "解答", "解")
_REMARK_MARKS = ("点睛", "点评", "名师点睛", "考点", "专题", "评注", "小结", "知识点", "考查", "导语")
_ANSWER_LABEL_RE = re.compile(r"^\s*(?:答案|Answer)\s*[:：]\s*")
_SOLUTION_LABEL_RE = re.compile(r"^\s*(?:解析|详解|解答|解|Solution(?:\s*\d+)?)\s*[:：.．]\s*")
_PROOF_LABEL_RE = re.compile(r"^\s*(?:证明|Proof)\s*[:：.．]")
_OPT_PAREN_RE = re.compile(r"(?<![A-Za-z\\])[(（]\s*([A-H])\s*[)）]")
_OPT_DOT_RE = re.compile(r"(?<![A-Za-z0-9\\_^{(（])([A-H])\s*(?:[.．:：]|、(?!\s*[A-Z])|[)）])(?![.．])")
_KEY_LINE_RE = re.compile(
    r"(?:\s*(?:\d{1,2}\s*[-–—~～]\s*\d{1,2}\s*[.．:：]?\s*[A-H]+|\d{1,2}\s*[.．、:：)]\s*[^\s【]{1,20})[\s,;，；]*)+"
)
_KEY_ENTRY_RE = re.compile(
    r"(\d{1,2})\s*[-–—~～]\s*(\d{1,2})\s*[.．:：]?\s*([A-H]+)|(\d{1,2})\s*[.．、:：)]\s*([^\s【]{1,20}?)[,;，；]*(?=\s|$)"
)
_MATH_SPAN_RE = re.compile(r"\$\$.*?\$\$|\$.*?\$")
_PROOF_RE = re.compile(r"证明|求证|\bprove\b|\bshow\s+that\b", re.I)
_ASKS_VALUE_RE = re.compile(
    r"求(?!证)|计算|写出|是否|\b(?:find|compute|determine|evaluate|what|how\s+many|how\s+much)\b", re.I
)
_QUESTION_CUE_RE = re.compile(
    r"[（(]\s*[)）]|_{2,}|[?？]|已知|设|若|如图|下列|求|\b(?:Let|Find|Compute|What|How|If|Suppose)\b"
)
_QUESTION_MARK_RE = re.compile(r"第\s*(\d{1,2})\s*题|(\d{1,2})\s*题\s*答案")  # 【第3题】, 【21题答案】
_MIDLINE_START_RE = re.compile(r"(?<=[\s.．。，,;；)）])(\d{1,2})\s*[.．](?!\d)\s*(?=[\u4e00-\u9fff])")
_CONCLUSION_RE = re.compile(r"故选|故答案|答案[选为是]|所以选|故本题|\bthe\s+answer\s+is\b", re.I)
_BLANK_END_RE = re.compile(r"(?:[（(]\s*[)）]|[?？_▲])\s*[.．。]?\s*$")
_BLANK_RE = re.compile(r"_{2,}|(?:\\_){2,}|\\underline\s*\{")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_MARK_BREAKER_RE = re.compile(r"[A-Za-z，。；：、,.;:!?！？()（）=]")
# Question numbers may skip (a question lost to OCR or printed as an image): by up to _MAX_GAP, or up to
# _MAX_GAP_MARKED when the line carries a score mark or says "Problem N".
NUMBERS_SKIPPED = "numbers_skipped"  # the flag of a problem whose number is not the one after the last
_MAX_GAP = 3
_MAX_GAP_MARKED = 10
_KEY_ENTRY_CHARS = 60  # an answer-key line "N. <answer>" is at most this long
_WORKED_PROSE = 15  # a 【答案】 with this many words outside formulas (or several lines) is a worked solution


@dataclass
class SplitProblem:
    """One problem of a document; ``answer_rule`` names where ``answer_raw`` came from ("答案标记",
    "answer_key", or an ``extract_answer`` rule), ``raw_text`` is the document text of ``char_span``."""

    number: str
    section: str
    type: str  # single_choice | multi_choice | fill | computation | proof | unknown
    language: str  # "zh" | "en"
    problem: str
    options: list[str]
    solution: str
    answer_raw: str
    answer_rule: str
    page_start: int
    page_end: int
    raw_text: str
    char_span: tuple[int, int]
    flags: list[str] = field(default_factory=list)  # repairs and doubts: number_inferred, empty_stem, ...


@dataclass
class DocumentSplit:
    """The problems of one document, the cleaned text their spans refer to, each page's span of that
    text, answer-key entries that matched no problem (number -> answer), and the lines that went to no
    problem and are no structure either (title, headers, key, markers): (offset, line)."""

    problems: list[SplitProblem]
    text: str
    page_spans: list[tuple[int, int, int]]  # (page, start, end)
    unmatched_key: dict[int, str]
    uncovered: list[tuple[int, str]]
    number_style: NumberStyle = NumberStyle.DOT  # how the paper numbers its questions (numbering.py)


@dataclass
class _Draft:
    number: int
    section: str
    section_type: str
    start: int
    end: int
    problem: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    solution: list[str] = field(default_factory=list)
    part: str = "problem"  # problem | options | answer | solution | remark
    step_list: int = 0  # last "N." step number seen inside the solution (a numbered list, not questions)
    flags: list[str] = field(default_factory=list)
    lines: list[tuple[int, str]] = field(default_factory=list)  # (offset, line) fed to this draft
    restarts: list[int] = field(default_factory=list)  # offsets where another problem seems to begin

    def add(self, text: str) -> None:
        if self.part == "options":
            if text.strip():
                self.options[-1] = f"{self.options[-1]}\n{text}".strip()
        elif self.part != "remark":
            getattr(self, self.part).append(text)


def _mark_key(token: str) -> str:
    """The CJK characters of a token that may belong to a watermark ("@高考直通车试题库"), else ''."""
    if _MARK_BREAKER_RE.search(token):
        return ""  # sentence punctuation or Latin letters: a piece of the text, not of a watermark
    return "".join(_CJK_RE.findall(token))


def _watermark_tokens(split: list[tuple[int, list[str]]]) -> set[str]:
    """Watermark phrases: space-separated runs of 4+ CJK characters (digits and symbols around them
    ignored) on at least 40% of the pages (and three), mostly not at the start of a line (unlike
    repeated phrases of the text such as "故答案为")."""
    pages: Counter = Counter()
    inner: Counter = Counter()
    total: Counter = Counter()
    for _, lines in split:
        seen = set()
        for line in lines:
            for i, token in enumerate(line.split()):
                key = _mark_key(token)
                if len(key) >= 4:
                    seen.add(key)
                    total[key] += 1
                    inner[key] += i > 0
        pages.update(seen)
    least = max(3, 0.4 * len(split))
    return {k for k, n in pages.items() if n >= least and inner[k] * 2 >= total[k]}


def _is_watermark(token: str, marks: set[str]) -> bool:
    """A watermark token, or an OCR fragment of one (most of it a 3+ character piece of a mark)."""
    key = _mark_key(token)
    if len(key) < 3 or len(key) < 0.6 * len(token):
        return False
    if key in marks:
        return True
    longest = max(
        difflib.SequenceMatcher(None, key, m, autojunk=False).find_longest_match().size for m in marks
    )
    return longest >= 3 and longest >= 0.6 * len(key)


def clean_pages(pages: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    """Each page's lines without page headers/footers (also edge lines repeated on most pages), part
    headers and watermark tokens."""
    split = [(no, text.splitlines()) for no, text in pages]

    def edges(lines: list[str]) -> set[int]:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        return set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])

    def signature(line: str) -> str:
        """Digits-blind form of a line that may be a running header; '' for lines with problem structure."""
        s = line.strip().translate(_ASCII_VIEW)
        if len(s) < 6 or "【" in s or _Q_START_RE.match(s) or _option_run(s, "A"):
            return ""
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", s))

    repeated = Counter(sig for _, lines in split for sig in {signature(lines[i]) for i in edges(lines)})
    repeated.pop("", None)
    threshold = max(2, 0.5 * len(pages))
    marks = _watermark_tokens(split)
    cleaned = []
    for no, lines in split:
        edge = edges(lines)
        kept = []
        for i, line in enumerate(lines):
            s = line.strip().translate(_ASCII_VIEW)
            if len(s) <= 40 and _PAGE_MARK_RE.search(s):
                continue
            if i in edge and (_EDGE_MARK_RE.fullmatch(s) or repeated.get(signature(line), 0) >= threshold):
                continue
            line = _PART_HEADER_RE.sub(
                "", line
            )  # "第二部分（非选择题 共110分）", also when OCR ran it into a line
            if not line.strip():
                continue
            if marks and any(_is_watermark(t, marks) for t in line.split()):
                line = " ".join(t for t in line.split() if not _is_watermark(t, marks))
                if not line:
                    continue
            kept.append(line.rstrip())
        cleaned.append((no, kept))
    return cleaned


def _mask_math(line: str) -> str:
    return _MATH_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)


def _option_run(line: str, expected: str, strict: bool = False) -> list[tuple[int, int]]:
    """(marker start, text start) of consecutive option markers in ``line``: a run that starts the line
    with the ``expected`` letter (or "A"), or a run from "A" after some stem text, of at least three
    markers (two when the stem ends with a blank: "（ ）", "?", "___"). ``strict``: only a run of at
    least two from "A" at the start of the line."""
    view = line.translate(_ASCII_VIEW)
    cands = sorted(
        [(m.start(), m.end(), m.group(1)) for m in _OPT_PAREN_RE.finditer(view)]
        + [(m.start(), m.end(), m.group(1)) for m in _OPT_DOT_RE.finditer(_mask_math(view))]
    )
    for k, (start, _, letter) in enumerate(cands):
        at_line_start = not view[:start].strip()
        if strict and not (at_line_start and letter == "A"):
            return []
        if not ((at_line_start and letter in (expected, "A")) or letter == "A"):
            continue
        run = [cands[k]]
        for cand in cands[k + 1 :]:
            if cand[0] >= run[-1][1] and cand[2] == chr(ord(run[-1][2]) + 1):
                run.append(cand)
        if strict:
            return [(s, e) for s, e, _ in run] if len(run) >= 2 else []
        least = 2 if _BLANK_END_RE.search(view[:start]) else 3
        if at_line_start or len(run) >= least:
            return [(s, e) for s, e, _ in run]
    return []


def _classify_mark(name: str) -> str:
    if _QUESTION_MARK_RE.fullmatch(name):
        return "question"
    if name in _ANSWER_MARKS:
        return "answer"
    if name in _SOLUTION_MARKS or re.fullmatch(r"小问\s*\d+\s*详解", name):
        return "solution"
    if name in _REMARK_MARKS:
        return "remark"
    return ""


def _section_type(header: str) -> str:
    if "非选择" in header:  # 第Ⅱ卷（非选择题）: fill-in and worked questions, told apart one by one
        return ""
    if re.search(r"多选|多项选择|有多项符合|多个选项", header):
        return QuestionType.MULTI_CHOICE
    if re.search(r"选择|单选|multiple[\s-]*choice", header, re.I):
        return QuestionType.SINGLE_CHOICE
    if re.search(r"填空|short[\s-]*answer|fill", header, re.I):
        return QuestionType.FILL
    if re.search(r"证明|proof", header, re.I):
        return QuestionType.PROOF
    if re.search(r"解答|计算|简答|free[\s-]*response|long[\s-]*answer", header, re.I):
        return QuestionType.COMPUTATION
    return ""


def _front_signature(view: str) -> str:
    squashed = re.sub(r"\s+", "", view)
    return squashed if len(squashed) >= 6 else ""


class _Mode(enum.Enum):
    """What ``_Scanner`` is reading. An answer-key header can come while the instructions or the answer
    section are read: the ``*_KEY`` modes are that key, with the mode it opened in kept as ``context``
    (closing the key returns there)."""

    PAPER = "paper"  # the problems (and anything before the first one)
    INSTRUCTIONS = "instructions"  # a block before the first problem: its numbered items are no problems
    ANSWERS = "answers"  # an answer section that repeats the paper with 【第N题】 markers
    KEY = "key"  # an answer key: "N. answer" entries, or solutions that reopen problems by number
    INSTRUCTIONS_KEY = "instructions_key"
    ANSWERS_KEY = "answers_key"

    @property
    def context(self) -> _Mode:
        """The mode without its answer key."""
        return next((mode for mode, keyed in _KEYED.items() if keyed is self), self)

    @property
    def in_key(self) -> bool:
        return self is not self.context

    @property
    def answering(self) -> bool:
        """In an answer key or the answer section: the lines answer problems stated before."""
        return self.in_key or self is _Mode.ANSWERS

    def with_key(self) -> _Mode:
        """This mode with an answer key opened in it."""
        return _KEYED.get(self, self)


_KEYED = {
    _Mode.PAPER: _Mode.KEY,
    _Mode.INSTRUCTIONS: _Mode.INSTRUCTIONS_KEY,
    _Mode.ANSWERS: _Mode.ANSWERS_KEY,
}


class _Scanner:
    """Line-by-line state machine over the joined document. ``forced`` maps line offsets to the numbers
    of problems whose number line was lost (found by a first pass, see ``_lost_numbers``)."""

    def __init__(self, forced: dict[int, int] | None = None, style: NumberStyle = NumberStyle.DOT) -> None:
        self.forced = forced or {}
        self.style = style  # the paper's numbering style
        self.q_start = start_pattern(style)  # a question's start in this style
        self.drafts: list[_Draft] = []
        self.current: _Draft | None = None
        self.section = ""
        self.section_type = ""
        self.last_number = 0
        self.restart_ok = True  # number 1 may (re)start the numbering: document start, after a header
        self.mode = _Mode.PAPER
        self.preamble_numbers = 0  # numbered lines seen in the instructions
        self.key: dict[int, str] = {}
        self.pending: deque[_Draft] = deque()  # 【第3题】【第4题】【答案】…【答案】… pair in order
        self.front: set[str] = set()  # lines before the first problem (title, instructions)
        self.uncovered: list[tuple[int, str]] = []  # lines that went to no problem and no structure

    def close(self) -> None:
        self.current = None

    def _enter(self, context: _Mode) -> None:
        """Enter the instructions or the answer section; an open answer key stays open in it."""
        self.mode = context.with_key() if self.mode.in_key else context

    def _draft(self, number: int) -> _Draft | None:
        return next((d for d in reversed(self.drafts) if d.number == number), None)

    def feed(self, offset: int, line: str) -> None:
        view = line.translate(_ASCII_VIEW)
        if offset in self.forced:
            self._start(self.forced[offset], offset, line, ["number_inferred"])
            self._content(line)
            return
        cn_section, en_section = _CN_SECTION_RE.match(view), _EN_SECTION_RE.match(view)
        en_section = en_section or _VOLUME_RE.match(view)
        if cn_section or en_section:
            self.close()
            if self.mode.context is _Mode.ANSWERS:
                return
            self.section = (
                f"{cn_section.group(1)}、{cn_section.group(2)}" if cn_section else view.strip()[:60]
            )
            # the title decides ("解答题" whose note mentions 证明 is not a proof section), the note may
            # still say that several options are right ("选择题：……有多项符合题目要求")
            self.section_type = _section_type(cn_section.group(2) if cn_section else view)
            if (
                self.section_type == QuestionType.SINGLE_CHOICE
                and _section_type(view) == QuestionType.MULTI_CHOICE
            ):
                self.section_type = QuestionType.MULTI_CHOICE
            self.restart_ok = True
            self.mode = _Mode.PAPER.with_key() if self.mode.in_key else _Mode.PAPER  # a key's sections
            return
        key_header = _KEY_HEADER_RE.match(view)
        if key_header:
            self.close()
            self.mode = self.mode.with_key()
            if key_header.group(1):
                self._key_line(key_header.group(1))
            return
        if _PREAMBLE_RE.match(view) and not self.drafts:
            self._enter(_Mode.INSTRUCTIONS)
        if self.mode.context is _Mode.INSTRUCTIONS:  # "注意事项：1. … 2. …": items inside the lines count
            self.preamble_numbers += sum(m.start() > 0 for m in _INLINE_ITEM_RE.finditer(view.strip()))
            if _PREAMBLE_RE.match(view):
                return
        signature = _front_signature(view)
        if not self.drafts and signature and not self.q_start.match(view):  # the first question is no title
            self.front.add(signature)
        elif signature in self.front:  # the title block again: an answer booklet follows the paper
            self.close()
            return
        if self.mode.in_key and self._key_entries(line):
            return
        if self.mode.in_key and _KEY_LINE_RE.fullmatch(view):
            self._key_line(view)
            return
        cur = self.current
        if (
            cur is not None
            and not self.mode.answering
            and cur.part in ("problem", "options")
            and not self.q_start.match(view)  # "Problem 2. 函数": the line starts a question itself
        ):
            inner = self._inner_start(line)
            if inner:  # "… A.1 7. 记水的…": the OCR ran the next question into this line
                self.feed(offset, line[:inner])
                self._question_start(offset + inner, line[inner:], ["mid_line_start"])
                return
        if self.mode.context is not _Mode.ANSWERS and self._question_start(offset, line):
            return
        if self.current is None and not _QUESTION_MARK_RE.search(view):
            if line.strip() and self.mode.context is not _Mode.INSTRUCTIONS:
                self.uncovered.append((offset, line))
            return
        if self.current is not None:
            self.current.lines.append((offset, line))
            if not self.mode.answering and line.strip():
                self.current.end = offset + len(line.rstrip())
        self._content(line)

    def _key_entries(self, line: str) -> bool:
        """A key's line of entries in the paper's numbering style ("1， D 2， B", "10. $x^{2}$ 11. 3"),
        each for a problem of the paper (any number in a key without its paper)."""
        entries = numbered_entries(line.translate(_ASCII_VIEW), self.style, _KEY_ENTRY_CHARS)
        known = {d.number for d in self.drafts}
        if not entries or _QUESTION_CUE_RE.search(line) or (known and not set(entries) <= known):
            return False
        self.close()
        self.key.update(entries)
        return True

    def _key_line(self, text: str) -> None:
        for m in _KEY_ENTRY_RE.finditer(text):
            if m.group(1):
                first, last, letters = int(m.group(1)), int(m.group(2)), m.group(3)
                if last - first + 1 == len(letters):
                    self.key.update({first + i: letter for i, letter in enumerate(letters)})
            else:
                self.key[int(m.group(4))] = m.group(5)

    def _start(self, number: int, offset: int, line: str, flags: list[str]) -> None:
        self.current = _Draft(number, self.section, self.section_type, offset, offset + len(line.rstrip()))
        self.current.flags += flags
        self.current.lines.append((offset, line))
        self.drafts.append(self.current)
        self.last_number, self.restart_ok = number, False

    def _question_start(self, offset: int, line: str, flags: list[str] | None = None) -> bool:
        """Start (or, in the answer key, reopen) a problem at this line when the number fits."""
        view = line.translate(_ASCII_VIEW)
        m = self.q_start.match(view) or (_Q_START_RE.match(view) if self.mode.in_key else None)
        if not m:  # an answer key numbers its entries its own way ("1. A" under "Problem 1")
            return False
        number = int(m.group(1) or m.group(2))
        explicit, scored = m.group(1) is not None, bool(_SCORE_RE.search(line))
        rest = line[m.end() :]
        if self.mode.in_key:
            target = self._draft(number)
            if target is None or not _repeats(
                rest, _join(target.problem)
            ):  # numbers ambiguous: the stem decides
                target = next((d for d in self.drafts if _repeats(rest, _join(d.problem))), target)
            entry = (
                len(rest.strip()) <= _KEY_ENTRY_CHARS
                and "【" not in rest
                and not _SOLUTION_LABEL_RE.match(rest)
                and not (target is not None and _repeats(rest, _join(target.problem)))
                and not (target is not None and _QUESTION_CUE_RE.search(rest))  # the question, read otherwise
            )
            orphan = not self.drafts and not _QUESTION_CUE_RE.search(rest)  # an answer, not a question
            if entry and (target is not None or orphan):
                self.key[number] = rest.strip()  # "3. $\{x|-2\leq x < 1\}$": one entry per line
                self.close()
                return True
            if target is None and self.drafts:
                return False
            if target is None:  # a "Solutions" title over the problems themselves, not an answer key
                self.mode = self.mode.context
                return self._question_start(offset, line, flags)
            self.current, target.part = target, "solution"
            target.lines.append((offset, line))
            if not _repeats(rest, _join(target.problem)):  # the question again is no part of its solution
                self._content(rest, stem=False)
            return True
        if self.mode is _Mode.INSTRUCTIONS:
            self.preamble_numbers += 1
            if number != 1 or self.preamble_numbers == 1:
                return True  # an instruction item: swallowed
            self.mode = _Mode.PAPER
        cur = self.current
        if cur is not None and cur.part == "solution" and number == cur.step_list + 1:
            # the next step of a numbered list in the solution ("1. ... 2. ..."), unless the line is
            # marked as a question; when the number also fits the next question, a question cue decides
            ambiguous = number == self.last_number + 1 and _QUESTION_CUE_RE.search(rest)
            if not (explicit or scored or ambiguous):
                cur.step_list = number
                return False
        gap = _MAX_GAP_MARKED if explicit or scored else _MAX_GAP
        fits = (self.restart_ok and number == 1) or self.last_number < number <= self.last_number + gap
        if not (fits or (self.last_number == 0 and number > 0)):
            return False
        self._start(number, offset, line, flags or [])
        inner = self._inner_start(rest)
        if inner is None:
            self._content(rest, stem=True)
        else:
            self._content(rest[:inner], stem=True)
            self._question_start(offset + len(line) - len(rest) + inner, rest[inner:], ["mid_line_start"])
        return True

    def _inner_start(self, text: str) -> int | None:
        """Where the next question starts inside ``text`` (the OCR ran it into this line), if anywhere."""
        view = _mask_math(text.translate(_ASCII_VIEW))
        return next(
            (m.start() for m in _MIDLINE_START_RE.finditer(view) if int(m.group(1)) == self.last_number + 1),
            None,
        )

    def _restart(self) -> None:
        """Note that another problem seems to begin at the current line (its stem may start up to three
        lines earlier, after the conclusion of this problem's solution)."""
        cur = self.current
        if cur is None or self.mode.answering or len(cur.lines) < 2:
            return
        start = cur.lines[-1][0]
        for offset, prev in reversed(cur.lines[-4:-1]):
            if prev is cur.lines[0][1] or not prev.strip() or _CONCLUSION_RE.search(prev):
                break
            mark = _BRACKET_MARK_RE.search(prev)
            if mark and _classify_mark(mark.group(1)) != "remark":
                break
            start = offset
        if start > cur.lines[0][0]:
            cur.restarts.append(start)

    def _content(self, line: str, stem: bool = False) -> None:
        """Route one line of a problem's body, splitting it at 【…】 markers first. ``stem``: the rest of
        the question-start line, which is problem text even when it starts like a label ("证明：…")."""
        if not line.strip():
            if self.current is not None:
                self.current.add("")  # keeps paragraph breaks
            return
        pos = 0
        for m in _BRACKET_MARK_RE.finditer(line):
            kind = _classify_mark(m.group(1))
            if not kind:
                continue
            self._body(line[pos : m.start()], stem=stem and pos == 0)
            pos = m.end()
            if kind == "question":
                target = self._draft(
                    int(next(g for g in _QUESTION_MARK_RE.fullmatch(m.group(1)).groups() if g))
                )
                if target is not None:
                    self._enter(_Mode.ANSWERS)
                    self.pending.append(target)
                continue
            if kind == "answer" and self.pending:
                self.current = self.pending.popleft()
            cur = self.current
            if cur is None:
                continue
            if kind == "answer" and "".join(cur.answer).strip() and cur.part in ("solution", "remark"):
                self._restart()  # a second 【答案】: the next problem lost its number line
            if kind == "solution" and "".join(cur.solution).strip():
                cur.solution.append(m.group(0))  # a further 【详解】 after 【分析】 stays visible
            cur.part = kind
        self._body(line[pos:], stem=stem and pos == 0)
        if self.pending:  # "【第5题】" alone on its line: what follows belongs to problem 5
            self.current = self.pending.popleft()
            self.current.part = "solution"
            self.pending.clear()

    def _body(self, text: str, stem: bool) -> None:
        cur = self.current
        if cur is None or not text.strip():
            return
        if cur.part in ("problem", "options") and not stem:
            answer_label = _ANSWER_LABEL_RE.match(text)
            if answer_label:
                cur.part, text = "answer", text[answer_label.end() :]
        # "【答案】解：…" is a worked solution given as the answer: it stays in the answer block
        opens_answer = cur.part == "answer" and not "".join(cur.answer).strip()
        if cur.part in ("problem", "options", "answer") and not stem and not opens_answer:
            label = _SOLUTION_LABEL_RE.match(text)
            if label or _PROOF_LABEL_RE.match(text):
                cur.part = "solution"
                text = text[label.end() :] if label else text
                if not text.strip():
                    return
        if cur.part == "solution":
            step = self.q_start.match(text.translate(_ASCII_VIEW))
            if step and step.group(2) and int(step.group(2)) <= self.last_number:
                cur.step_list = int(step.group(2))
        if cur.part in ("answer", "solution") and not stem and _option_run(text, "A", strict=True):
            self._restart()  # options again after the solution: the next problem lost its number line
        if cur.part in ("problem", "options"):
            expected = chr(ord("A") + len(cur.options)) if cur.part == "options" else "A"
            run = _option_run(text, expected)
            if run:
                head = text[: run[0][0]].strip()
                if head:
                    cur.add(head)
                elif len(cur.options) >= 2 and text.translate(_ASCII_VIEW).lstrip(" (（")[:1] == "A":
                    self._restart()  # a second option list: its stem was lost
                bounds = [*run, (len(text), len(text))]
                for (_, begin), (end, _) in zip(bounds, bounds[1:], strict=False):
                    cur.options.append(text[begin:end].strip())
                cur.part = "options"
                return
        cur.add(text)


def _repeats(text: str, problem: str) -> bool:
    """Whether a key's entry repeats its question's stem (a key with questions, answers and solutions)
    rather than giving an answer."""
    head = re.sub(r"\s+", "", text)[:REPEAT_PREFIX]
    stem = re.sub(r"\s+", "", problem)[: len(head)]
    return (
        len(head) >= 6
        and difflib.SequenceMatcher(None, head, stem, autojunk=False).ratio() >= REPEAT_LIKENESS
    )


def _join(lines: list[str]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def proof_like(problem: str) -> bool:
    """The problem asks for a proof and for no value."""
    return bool(_PROOF_RE.search(problem)) and not _ASKS_VALUE_RE.search(problem)


def question_type(problem: str, has_options: bool, answer: str, section_type: str = "") -> QuestionType:
    """The section's type when it names one, else what the problem and its answer show (a proof has no
    single final answer)."""
    if has_options or section_type in CHOICE_TYPES:
        multi = (
            section_type == QuestionType.MULTI_CHOICE
            or len(choice_letters(answer, QuestionType.MULTI_CHOICE)) > 1
        )
        return QuestionType.MULTI_CHOICE if multi else QuestionType.SINGLE_CHOICE
    if proof_like(problem) and not answer:  # decided here once; the dataset trusts the type
        return QuestionType.PROOF
    if section_type == QuestionType.FILL:
        return QuestionType.FILL
    if section_type:
        return QuestionType(section_type)
    if not problem:
        return QuestionType.UNKNOWN
    return QuestionType.FILL if _BLANK_RE.search(problem) else QuestionType.COMPUTATION


def _finish(
    d: _Draft, key: dict[int, str], text: str, page_of: Callable[[int], int], language: str
) -> SplitProblem | None:
    problem = re.sub(r"[ \t]{2,}", " ", _SCORE_RE.sub("", _join(d.problem))).strip()
    solution, answer = _join(d.solution), _join(d.answer)
    worked = solution  # where a missing answer is looked for
    prose = len(_CJK_RE.findall(_mask_math(answer))) + len(re.findall(r"[A-Za-z]{3,}", _mask_math(answer)))
    if "\n" in answer or prose >= _WORKED_PROSE or _SOLUTION_LABEL_RE.match(answer):
        solution, worked, answer = _join([answer, solution]), answer, ""
    if not (problem or d.options or solution or answer):
        return None
    rule = RULE_ANSWER_MARK if answer else ""
    if not answer and d.number in key:
        answer, rule = key[d.number], RULE_ANSWER_KEY
    if not answer:
        hint = (
            QuestionType.SINGLE_CHOICE
            if d.options
            else (QuestionType.PROOF if proof_like(problem) else d.section_type)
        )
        answer, rule = extract_answer(worked, "", hint, d.options)
    qtype = question_type(problem, bool(d.options), answer, d.section_type)
    flags = list(d.flags) + ([] if problem else ["empty_stem"])
    return SplitProblem(
        number=str(d.number),
        section=d.section,
        type=qtype,
        language=language,
        problem=problem,
        options=d.options,
        solution=solution,
        answer_raw=answer,
        answer_rule=rule,
        page_start=page_of(d.start),
        page_end=page_of(max(d.start, d.end - 1)),
        raw_text=text[d.start : d.end],
        char_span=(d.start, d.end),
        flags=flags,
    )


def _lost_numbers(drafts: list[_Draft]) -> dict[int, int]:
    """Line offset -> number, for problems whose number line was lost: where the numbering skips
    (n, then n+2) and problem n shows where another one began (see ``_Scanner._restart``)."""
    forced = {}
    for d, following in zip(drafts, drafts[1:], strict=False):
        missing = following.number - d.number - 1
        for k, offset in enumerate(sorted(set(d.restarts))[: max(0, missing)]):
            forced[offset] = d.number + 1 + k
    return forced


def split_pages(pages: list[tuple[int, str]]) -> DocumentSplit:
    """Split one document, given as ``(page number, page text)`` in order, into problems."""
    page_spans: list[tuple[int, int, int]] = []
    lines: list[tuple[int, str]] = []
    offset = 0
    for no, page_lines in clean_pages(pages):
        start = offset
        for line in page_lines:
            lines.append((offset, line))
            offset += len(line) + 1
        page_spans.append((no, start, max(start, offset - 1)))  # without the newline after the page
    text = "\n".join(line for _, line in lines)
    if not text.strip():
        return DocumentSplit([], text, page_spans, {}, [])
    page_starts = [start for _, start, _ in page_spans]

    def page_of(pos: int) -> int:
        return page_spans[bisect.bisect_right(page_starts, pos) - 1][0]

    style = detect_style(line.translate(_ASCII_VIEW) for _, line in lines)

    def scan(forced: dict[int, int]) -> _Scanner:
        scanner = _Scanner(forced, style)
        for off, line in lines:
            scanner.feed(off, line)
        return scanner

    scanner = scan({})
    forced = _lost_numbers(scanner.drafts)
    if forced:
        scanner = scan(forced)
    language = detect_language(text)
    found = (_finish(d, scanner.key, text, page_of, language) for d in scanner.drafts)
    problems = [p for p in found if p is not None]
    for before, after in zip(problems, problems[1:], strict=False):
        if before.number.isdigit() and after.number.isdigit() and int(after.number) > int(before.number) + 1:
            after.flags.append(NUMBERS_SKIPPED)  # a question before it may be lost
    numbers = {d.number for d in scanner.drafts}
    unmatched = {n: a for n, a in scanner.key.items() if n not in numbers}
    return DocumentSplit(problems, text, page_spans, unmatched, scanner.uncovered, style)


def split_document(pages: list[tuple[int, str]]) -> list[SplitProblem]:
    """The problems of ``split_pages`` ([] if none)."""
    return split_pages(pages).problems
