"""Rule-based splitting of one exam document's page texts into problem/solution pairs (no Dagster).

``split_document`` joins the pages of one document (dropping page headers and footers), then scans it
line by line: section headers ("一、选择题", "Part A"), question starts ("1．", "12.", "Problem 3."),
options ("A．…", "(A) …", several per line allowed), answer markers ("【答案】"), solution starts
("【解析】", "解：", "Solution."), and an answer-key block at the end ("Answers: 1. B 2. C", "参考答案",
"1-5 DCBAC"), whose entries are matched back to the problems by number.

Offsets (``char_span``) refer to the joined, cleaned document text; pages are 1-based as given.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from distill.answers import CHOICE_TYPES, choice_letters, extract_answer

RULE_ANSWER_MARK = "答案标记"
RULE_ANSWER_KEY = "answer_key"

# Same-length ASCII view of full-width digits and letters, used for matching only (offsets stay valid).
_ASCII_VIEW = {
    c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}

# Page headers/footers: "第 1 页 共 7 页" anywhere on a short line; "- 3 -", "3", "3/7", "Page 3" at page edges.
_PAGE_MARK_RE = re.compile(
    r"第\s*\d+\s*页\s*[,，]?\s*[（(]?\s*共\s*\d+\s*页|(?i:page)\s*\d+\s*(?:of|/)\s*\d+"
)
_EDGE_MARK_RE = re.compile(r"[-–—]?\s*\d{1,3}\s*[-–—]?|\d{1,3}\s*/\s*\d{1,3}|第\s*\d+\s*页|(?i:page)\s*\d+")
_EDGE_LINES = 2

_CN_SECTION_RE = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*([^\s:：,，。(（]{0,12}题)")
_EN_SECTION_RE = re.compile(r"^\s*(?:Part|Section)\s+(?:[A-Z]|[IVX]+|\d+)\b(?!\.\d)")
_PREAMBLE_RE = re.compile(r"^\s*(?:注意事项|考生须知|(?:General\s+)?Instructions|Directions)\b")
_KEY_HEADER_RE = re.compile(
    r"^\s*(?:参考答案(?:[与及](?:解析|详解))?|答案[与及](?:解析|详解)|Answer\s+Key|Answers|Solutions)"
    r"\s*(?:[:：]\s*(.*)|$)"
)
_Q_START_RE = re.compile(
    r"^\s*(?:(?:Problem|Question|Exercise)\s*(\d{1,2})\s*[.:：)]?|(\d{1,2})\s*[.．、](?![\d.．]))\s*"
)
_SCORE_RE = re.compile(
    r"[（(]\s*(?:本(?:小)?题)?(?:共|满分)?\s*\d+\s*分\s*[)）]|[(\[]\s*\d+\s*(?:points?|pts?|marks?)\s*[)\]]",
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
_OPT_DOT_RE = re.compile(r"(?<![A-Za-z0-9\\_^{])([A-H])\s*(?:[.．:：]|、(?!\s*[A-Z]))(?![.．])")
_KEY_LINE_RE = re.compile(
    r"(?:\s*(?:\d{1,2}\s*[-–—~～]\s*\d{1,2}\s*[.．:：]?\s*[A-H]+|\d{1,2}\s*[.．、:：)]\s*[^\s【]{1,20})[\s,;，；]*)+"
)
_KEY_ENTRY_RE = re.compile(
    r"(\d{1,2})\s*[-–—~～]\s*(\d{1,2})\s*[.．:：]?\s*([A-H]+)|(\d{1,2})\s*[.．、:：)]\s*([^\s【]{1,20}?)[,;，；]*(?=\s|$)"
)
_MATH_SPAN_RE = re.compile(r"\$\$.*?\$\$|\$.*?\$")
_PROOF_RE = re.compile(r"证明|求证|\bprove\b|\bshow\s+that\b", re.I)
_ASKS_VALUE_RE = re.compile(
    r"求(?!证)|计算|\b(?:find|compute|determine|evaluate|what|how\s+many|how\s+much)\b", re.I
)
_QUESTION_CUE_RE = re.compile(
    r"[（(]\s*[)）]|_{2,}|[?？]|已知|设|若|如图|下列|求|\b(?:Let|Find|Compute|What|How|If|Suppose)\b"
)
_BLANK_RE = re.compile(r"_{2,}|(?:\\_){2,}|\\underline\s*\{")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# Question numbers may skip (a question lost to OCR or printed as an image): by up to _MAX_GAP, or up to
# _MAX_GAP_MARKED when the line carries a score mark or says "Problem N".
_MAX_GAP = 3
_MAX_GAP_MARKED = 10
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

    def add(self, text: str) -> None:
        if self.part == "options":
            if text.strip():
                self.options[-1] = f"{self.options[-1]}\n{text}".strip()
        elif self.part != "remark":
            getattr(self, self.part).append(text)


def detect_language(text: str) -> str:
    """Return "zh" when CJK characters are at least 30% of CJK characters plus English words, else "en"."""
    plain = re.sub(r"\$[^$]*\$|\\[A-Za-z]+", " ", text)
    cjk = len(_CJK_RE.findall(plain))
    words = len(re.findall(r"[A-Za-z]{2,}", plain))
    return "zh" if cjk and cjk >= 0.3 * (cjk + words) else "en"


def _clean_pages(pages: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    """Each page's lines without page headers/footers (also edge lines repeated on most pages)."""
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
            kept.append(line.rstrip())
        cleaned.append((no, kept))
    return cleaned


def _mask_math(line: str) -> str:
    return _MATH_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)


def _option_run(line: str, expected: str) -> list[tuple[int, int]]:
    """(marker start, text start) of consecutive option markers in ``line``: a run that starts the line
    with the ``expected`` letter (or "A"), or a run of at least three from "A" after some stem text."""
    view = line.translate(_ASCII_VIEW)
    cands = sorted(
        [(m.start(), m.end(), m.group(1)) for m in _OPT_PAREN_RE.finditer(view)]
        + [(m.start(), m.end(), m.group(1)) for m in _OPT_DOT_RE.finditer(_mask_math(view))]
    )
    for k, (start, _, letter) in enumerate(cands):
        at_line_start = not view[:start].strip()
        if not ((at_line_start and letter in (expected, "A")) or letter == "A"):
            continue
        run = [cands[k]]
        for cand in cands[k + 1 :]:
            if cand[0] >= run[-1][1] and cand[2] == chr(ord(run[-1][2]) + 1):
                run.append(cand)
        if at_line_start or len(run) >= 3:
            return [(s, e) for s, e, _ in run]
    return []


def _classify_mark(name: str) -> str:
    if name in _ANSWER_MARKS:
        return "answer"
    if name in _SOLUTION_MARKS or re.fullmatch(r"小问\s*\d+\s*详解", name):
        return "solution"
    if name in _REMARK_MARKS:
        return "remark"
    return ""


def _section_type(header: str) -> str:
    if re.search(r"多选|多项选择|有多项符合|多个选项", header):
        return "multi_choice"
    if re.search(r"选择|单选|multiple[\s-]*choice", header, re.I):
        return "single_choice"
    if re.search(r"填空|short[\s-]*answer|fill", header, re.I):
        return "fill"
    if re.search(r"证明|proof", header, re.I):
        return "proof"
    if re.search(r"解答|计算|简答|free[\s-]*response|long[\s-]*answer", header, re.I):
        return "computation"
    return ""


class _Scanner:
    """Line-by-line state machine over the joined document."""

    def __init__(self) -> None:
        self.drafts: list[_Draft] = []
        self.current: _Draft | None = None
        self.section = ""
        self.section_type = ""
        self.last_number = 0
        self.restart_ok = True  # number 1 may (re)start the numbering: document start, after a header
        self.preamble = False
        self.preamble_numbers = 0
        self.key_mode = False
        self.key: dict[int, str] = {}

    def close(self) -> None:
        self.current = None

    def feed(self, offset: int, line: str) -> None:
        view = line.translate(_ASCII_VIEW)
        cn_section, en_section = _CN_SECTION_RE.match(view), _EN_SECTION_RE.match(view)
        if cn_section or en_section:
            self.close()
            self.section = (
                f"{cn_section.group(1)}、{cn_section.group(2)}" if cn_section else view.strip()[:60]
            )
            # the title decides ("解答题" whose note mentions 证明 is not a proof section), the note may
            # still say that several options are right ("选择题：……有多项符合题目要求")
            self.section_type = _section_type(cn_section.group(2) if cn_section else view)
            if self.section_type == "single_choice" and _section_type(view) == "multi_choice":
                self.section_type = "multi_choice"
            self.restart_ok, self.preamble, self.key_mode = True, False, False
            return
        key_header = _KEY_HEADER_RE.match(view)
        if key_header and self.drafts:
            self.close()
            self.key_mode = True
            if key_header.group(1):
                self._key_line(key_header.group(1))
            return
        if _PREAMBLE_RE.match(view) and not self.drafts:
            self.preamble = True
            return
        if self.key_mode and _KEY_LINE_RE.fullmatch(view):
            self._key_line(view)
            return
        start = _Q_START_RE.match(view)
        if start and self._question_start(offset, line, start):
            return
        if self.current is None:
            return
        if not self.key_mode and line.strip():
            self.current.end = offset + len(line.rstrip())
        self._content(line)

    def _key_line(self, text: str) -> None:
        for m in _KEY_ENTRY_RE.finditer(text):
            if m.group(1):
                first, last, letters = int(m.group(1)), int(m.group(2)), m.group(3)
                if last - first + 1 == len(letters):
                    self.key.update({first + i: letter for i, letter in enumerate(letters)})
            else:
                self.key[int(m.group(4))] = m.group(5)

    def _question_start(self, offset: int, line: str, m: re.Match[str]) -> bool:
        """Start (or, in the answer key, reopen) a problem at this line when the number fits."""
        number = int(m.group(1) or m.group(2))
        explicit, scored = m.group(1) is not None, bool(_SCORE_RE.search(line))
        rest = line[m.end() :]
        if self.key_mode:
            target = next((d for d in reversed(self.drafts) if d.number == number), None)
            if target is None:
                return False
            self.current, target.part = target, "solution"
            self._content(rest, stem=False)
            return True
        if self.preamble:
            self.preamble_numbers += 1
            if number != 1 or self.preamble_numbers == 1:
                return True  # an instruction item: swallowed
            self.preamble = False
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
        self.current = _Draft(number, self.section, self.section_type, offset, offset + len(line))
        self.drafts.append(self.current)
        self.last_number, self.restart_ok = number, False
        self._content(rest, stem=True)
        return True

    def _content(self, line: str, stem: bool = False) -> None:
        """Route one line of a problem's body, splitting it at 【…】 markers first. ``stem``: the rest of
        the question-start line, which is problem text even when it starts like a label ("证明：…")."""
        cur = self.current
        assert cur is not None
        if not line.strip():
            cur.add("")  # keeps paragraph breaks
            return
        pos = 0
        for m in _BRACKET_MARK_RE.finditer(line):
            kind = _classify_mark(m.group(1))
            if not kind:
                continue
            self._body(line[pos : m.start()], stem=stem and pos == 0)
            if kind == "solution" and "".join(cur.solution).strip():
                cur.solution.append(m.group(0))  # a further 【详解】 after 【分析】 stays visible
            cur.part = kind
            pos = m.end()
        self._body(line[pos:], stem=stem and pos == 0)

    def _body(self, text: str, stem: bool) -> None:
        cur = self.current
        assert cur is not None
        if not text.strip():
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
            step = _Q_START_RE.match(text.translate(_ASCII_VIEW))
            if step and step.group(2) and int(step.group(2)) <= self.last_number:
                cur.step_list = int(step.group(2))
        if cur.part in ("problem", "options"):
            expected = chr(ord("A") + len(cur.options)) if cur.part == "options" else "A"
            run = _option_run(text, expected)
            if run:
                head = text[: run[0][0]].strip()
                if head:
                    cur.add(head)
                bounds = [*run, (len(text), len(text))]
                for (_, begin), (end, _) in zip(bounds, bounds[1:], strict=False):
                    cur.options.append(text[begin:end].strip())
                cur.part = "options"
                return
        cur.add(text)


def _join(lines: list[str]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


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
    proof_like = bool(_PROOF_RE.search(problem)) and not _ASKS_VALUE_RE.search(problem)
    if not answer:
        hint = "single_choice" if d.options else ("proof" if proof_like else d.section_type)
        answer, rule = extract_answer(worked, "", hint)
    letters = choice_letters(answer, "multi_choice")
    if d.options or d.section_type in CHOICE_TYPES:
        multi = d.section_type == "multi_choice" or len(letters) > 1
        qtype = "multi_choice" if multi else "single_choice"
    elif d.section_type == "fill":
        qtype = "fill"
    elif proof_like and not answer:
        qtype = "proof"
    elif d.section_type:
        qtype = d.section_type
    elif not problem:
        qtype = "unknown"
    else:
        qtype = "fill" if _BLANK_RE.search(problem) else "computation"
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
    )


def split_document(pages: list[tuple[int, str]]) -> list[SplitProblem]:
    """Split one document, given as ``(page number, page text)`` in order, into problems ([] if none)."""
    page_starts: list[int] = []
    page_numbers: list[int] = []
    lines: list[tuple[int, str]] = []
    offset = 0
    for no, page_lines in _clean_pages(pages):
        page_starts.append(offset)
        page_numbers.append(no)
        for line in page_lines:
            lines.append((offset, line))
            offset += len(line) + 1
    text = "\n".join(line for _, line in lines)
    if not text.strip():
        return []

    def page_of(pos: int) -> int:
        return page_numbers[bisect.bisect_right(page_starts, pos) - 1]

    scanner = _Scanner()
    for off, line in lines:
        scanner.feed(off, line)
    language = detect_language(text)
    found = (_finish(d, scanner.key, text, page_of, language) for d in scanner.drafts)
    return [p for p in found if p is not None]
