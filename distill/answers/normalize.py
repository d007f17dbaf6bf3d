"""Answer extraction, normalization and verification (pure logic, no Dagster).

``extract_answer`` finds the final answer in a solution text (exam analyses and teacher outputs),
``normalize_answer`` turns it into canonical LaTeX that math-verify parses, ``answer_parses`` says
whether it does, and ``verify_answer`` compares a reference with a prediction, without a time bound:
``distill.answers.bounded`` runs them on untrusted input. math-verify's own timeouts use
``signal.alarm`` and fail off the main thread, so they are disabled here (``parsing_timeout=None`` /
``timeout_seconds=None``). Normalization itself is regular expressions over at most ``MAX_ANSWER_CHARS``
characters.
"""

from __future__ import annotations

import re

from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify
from sympy import Basic, MatrixBase

from distill.core.kinds import QuestionType

CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE})

_LETTERS = "A-H"
_LETTER_RUN = rf"[{_LETTERS}](?:\s*[,，、和与及]?\s*[{_LETTERS}])*"
_LETTER_WRAP_OPEN = r"\$?\s*(?:\\(?:text|mathrm|mathbf|textbf)\s*\{)?\s*[（(]?\s*"

# Extraction rules of ``extract_answer`` in priority order; each regex's last match wins, group 1 is
# the answer. "boxed" (handled by ``last_boxed``) comes first, "final_sentence" is the weak fallback.
ANSWER_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "choice",
        re.compile(rf"(?<![可任不挑])选(?:择)?\s*[:：]?\s*{_LETTER_WRAP_OPEN}({_LETTER_RUN})(?![A-Za-z])"),
    ),
    ("answer_is_zh", re.compile(r"(?:答案(?:应)?[为是]|故填|应填)\s*[:：]?\s*([^\n]+)")),
    ("answer_is_en", re.compile(r"(?i)\bthe\s+(?:final\s+|correct\s+)?answer\s+is\s*[:：]?\s*([^\n]+)")),
    ("answer_label", re.compile(r"(?im)^\s*(?:答案|答|final\s+answer|answer)\s*[:：]\s*([^\n]+)")),
)
_NOT_CHOICE = frozenset({QuestionType.FILL, QuestionType.COMPUTATION, QuestionType.PROOF})
RULE_BOXED = "boxed"
RULE_FINAL_SENTENCE = "final_sentence"
RULE_OPTION_VALUE = "option_value"
RULE_GIVEN = "given"
RULE_NONE = "none"

_WRAPPED_CJK_RE = re.compile(r"(?<=[\u4e00-\u9fff])\n(?=[\u4e00-\u9fff])")
_TRAILING = ".。．,，;；:： "  # punctuation stripped from the end of an answer
_BOX_RE = re.compile(r"\\(?:boxed|fbox)\s*\{")
_MATH_RE = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)
_STATED_NUMBER_RE = re.compile(r"(?:为|是|等于|=)\s*(-?\d+(?:\.\d+)?)(?![\d#])")
_SENTENCE_END_RE = re.compile(r"。|[.;；]\s+(?=[A-Z\u4e00-\u9fff])|[,，]\s*(?=[\u4e00-\u9fff])")

# Full-width forms (U+FF01..U+FF5E) to ASCII, plus ideographic space and a few CJK punctuation marks.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {
    0x3000: " ",
    ord("。"): ".",
    ord("、"): ",",
    ord("【"): "[",
    ord("】"): "]",
}
_SYMBOLS = {
    "≤": r"\le ",
    "≥": r"\ge ",
    "≠": r"\ne ",
    "∞": r"\infty ",
    "π": r"\pi ",
    "°": r"^{\circ}",
    "×": r"\times ",
    "−": "-",
    "∪": r"\cup ",
    "∩": r"\cap ",
    "∈": r"\in ",
}
# a radical sign as text ("3√2", "√(x+1)", "√{3}"): what it covers, as a text layer or OCR gives it
_RADICAL_RE = re.compile(r"√\s*(?:\{([^{}]+)\}|\(([^()]+)\)|(\d+(?:\.\d+)?|[A-Za-z]))")
_SPACING_RE = re.compile(r"(?<!\\)\\[,;:! ]|\\q?quad\b|~")
_OR_RE = re.compile(r"\\(?:text|mbox|textrm)\s*\{\s*(?:或者|或|和|且|or|and)\s*\}|或者|或")
_TEXT_GROUP_RE = re.compile(r"\\(?:text|mbox|textrm)\s*\{([^{}]*)\}")
# Trailing units: "\\mathrm{~m}" (Mathpix style, the "~" tells a unit from a variable) or "cm", "kg", ...
_UNIT_RE = re.compile(
    r"\s*(?:\\mathrm\s*\{\s*~\s*(?:cm|mm|km|dm|m|kg|g|s|h|min)\s*\}|(?<=[\d}\s])(?:cm|mm|km|dm|kg|min))"
    r"(?:\s*\^\s*\{?[23]\}?)?\s*$"
)
_WHOLE_TEXT_RE = re.compile(r"\\(?:text|textbf|textrm|mathrm|mbox)\s*\{([^{}]*)\}")
_CJK_WORD_RE = re.compile(r"[\u4e00-\u9fff]")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_CIRCLED_RE = re.compile(f"[{_CIRCLED}]")
_PART_LABEL_RE = re.compile(r"(?:^|(?<=[\s;,$)]))(?:\(\s*(?:\d|[IV]{1,3}|[iv]{1,3})\s*\)\s*\.?\s*)+")
MAX_ANSWER_CHARS = 1000  # longer is not a final answer (and normalizing it would waste time)
_CJK_TAIL_RE = re.compile(r"(.*?[\d}])\s*[\u4e00-\u9fff]{1,4}")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}

_MV_CONFIG = (LatexExtractionConfig(), ExprExtractionConfig())


def last_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed{...}`` / ``\\fbox{...}`` (nested braces handled), or None."""
    starts = [m.end() for m in _BOX_RE.finditer(text)]
    for start in reversed(starts):
        depth = 1
        for i in range(start, len(text)):
            if text[i] == "{" and text[i - 1] != "\\":
                depth += 1
            elif text[i] == "}" and text[i - 1] != "\\":
                depth -= 1
                if depth == 0:
                    return text[start:i].strip()
    return None


def _clip(answer: str) -> str:
    """Cut an answer taken from the rest of a line at the end of its sentence (outside math)."""
    masked = _MATH_RE.sub(lambda m: "#" * len(m.group(0)), answer)
    m = _SENTENCE_END_RE.search(masked)
    if m:
        answer = answer[: m.start()]
    return answer.strip().rstrip(_TRAILING).strip()


def _formula_value(formula: str) -> str:
    """The value a formula states: the end of a chain ``a=b=c``, or ``b`` in ``name=b``; an equation
    such as ``x^2+y^2=2`` (an operator on the left) is kept whole."""
    last = re.split(r"\\Rightarrow|\\therefore|\\because|\\q?quad|;", formula)
    piece = next((p.strip() for p in reversed(last) if p.strip()), "")
    parts = re.split(r"(?<![<>!\\])=(?!=)", piece)
    if len(parts) == 2:
        lhs = parts[0]
        while re.search(r"\{[^{}]*\}", lhs):
            lhs = re.sub(r"\{[^{}]*\}", "", lhs)
        if re.search(r"[+-]", lhs.strip().lstrip("-")):
            return piece
    return parts[-1].strip()


def _final_sentence(solution: str) -> str:
    """The value stated last in the last paragraph of a solution: a formula's value or a number
    after 为/是/等于 ('' when none)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", solution) if p.strip()]
    if not paragraphs:
        return ""
    tail = paragraphs[-1]
    candidates = [
        (m.start(), _formula_value(next(g for g in m.groups() if g is not None)))
        for m in _MATH_RE.finditer(tail)
    ]
    masked = _MATH_RE.sub(lambda m: "#" * len(m.group(0)), tail)
    candidates += [(m.start(), m.group(1)) for m in _STATED_NUMBER_RE.finditer(masked)]
    if not candidates:
        return ""
    return max(candidates)[1].strip().rstrip(_TRAILING).strip()


def extract_answer(
    solution: str, answer_raw: str = "", qtype: str = "", options: list[str] | None = None
) -> tuple[str, str]:
    """Return ``(answer_raw, rule)``; a given ``answer_raw`` wins, ``("", "none")`` when nothing is found.

    Rules, first that matches: ``\\boxed{}``, "故选A" / "选 $D$", "故答案为：…", "the answer is …",
    an "答案：" / "Answer:" line, and (not for proofs or choice questions) the last formula's right side;
    for a choice question without a letter, the option whose text equals that formula ("option_value").
    """
    if answer_raw.strip():
        return answer_raw.strip(), RULE_GIVEN
    boxed = last_boxed(solution)
    if boxed:
        return boxed, RULE_BOXED
    solution = _WRAPPED_CJK_RE.sub("", solution)  # "故答\n案为" from a line wrapped at the page width
    for name, regex in ANSWER_RULES:
        if name == "choice" and qtype in _NOT_CHOICE:
            continue  # "故选 D" closing the analysis of a fill-in question is a slip of the source
        matches = list(regex.finditer(solution))
        if not matches:
            continue
        found = matches[-1].group(1)
        if name == "choice":
            return re.sub(rf"[^{_LETTERS}]", "", found), name
        found = _clip(found)
        if found:
            return found, name
    if qtype == QuestionType.PROOF:
        return "", RULE_NONE
    final = _final_sentence(solution)
    if final and qtype not in CHOICE_TYPES:
        return final, RULE_FINAL_SENTENCE
    value = normalize_answer(final) if final else ""
    matching = [
        chr(65 + i) for i, option in enumerate(options or []) if value and normalize_answer(option) == value
    ]
    if len(matching) == 1:
        return matching[0], RULE_OPTION_VALUE
    return "", RULE_NONE


def _strip_delimiters(s: str) -> str:
    while True:
        s = s.strip().rstrip(_TRAILING).strip()
        for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
            if s.startswith(left) and s.endswith(right) and len(s) >= len(left) + len(right):
                s = s[len(left) : len(s) - len(right)]
                break
        else:
            return s


def _chinese_number(s: str) -> int | None:
    """Value of a simple Chinese numeral below 100 (三, 十二, 二十三), else None."""
    if not s or any(c not in _CN_DIGITS and c != "十" for c in s) or s.count("十") > 1:
        return None
    if "十" not in s:
        return _CN_DIGITS[s] if len(s) == 1 else None
    tens, _, ones = s.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def choice_letters(raw: str, qtype: str = "") -> str:
    """Sorted uppercase letters when ``raw`` is only choice letters ("A", "A、C", "(B)"), else ''."""
    s = _TEXT_GROUP_RE.sub(r"\1", raw.translate(_FULLWIDTH))
    s = re.sub(r"\\(?:mathrm|mathbf|textbf)\s*\{([^{}]*)\}", r"\1", s)
    s = re.sub(r"[\s$(),;.:\[\]{}]|和|与|及|and", "", s)
    pattern = f"[{_LETTERS}{_LETTERS.lower()}]+" if qtype in CHOICE_TYPES else f"[{_LETTERS}]+"
    if not re.fullmatch(pattern, s):
        return ""
    return "".join(sorted(set(s.upper())))


def _text_answer(s: str) -> str | None:
    """``\\text{...}`` for an answer in words ("第一象限", "east", "b > a > c", a statement such as
    "\\neg p 和 q 都是真命题"), None for math (anything with a digit, or symbols without CJK words)."""
    inner = _WHOLE_TEXT_RE.fullmatch(s)
    words = re.sub(r"\s+", " ", inner.group(1) if inner else s).strip().rstrip(_TRAILING)
    if not words or re.search(r"\d", words):
        return None
    if _CJK_WORD_RE.search(words):
        return "\\text{" + words.replace("$", "") + "}"
    if re.search(r"\\|[$^_{}+*/=()\[\]|]", words):
        return None
    if re.fullmatch(r"[A-Za-z](?:\s*[<>]\s*[A-Za-z]){2,}", words):  # an order of letters
        return "\\text{" + re.sub(r"\s+", "", words) + "}"
    wordy = inner or " " in words or len(words) >= 4  # "ab" or "xyz" may be a product of variables
    if wordy and re.fullmatch(r"[A-Za-z][A-Za-z ,.'-]*", words):
        return "\\text{" + words + "}"
    return None


def normalize_answer(raw: str, qtype: str = "") -> str:
    """Canonical LaTeX for an answer: delimiters, units, full-width forms and choice letters cleaned;
    answers in words become ``\\text{...}``; '' for an answer longer than ``MAX_ANSWER_CHARS``."""
    if len(raw) > MAX_ANSWER_CHARS:
        return ""
    s = raw.strip().translate(_FULLWIDTH).replace("\\$", "")  # "\\$18.90": a price
    boxed = last_boxed(s)
    if boxed is not None:
        s = boxed
    s = _strip_delimiters(s)
    letters = choice_letters(s, qtype)
    if letters:
        return letters
    lead = re.match(rf"\(?([{_LETTERS}])(?:\)|\s*[.:])\s", s + " ")
    if lead and (qtype in CHOICE_TYPES or re.match(rf"[{_LETTERS}]\.\s+\S", s)):
        return lead.group(1)  # "B. $[0,2]$", "C. {x|-3<x<4}": the letter is the answer
    if _PART_LABEL_RE.match(s) and len(_PART_LABEL_RE.findall(s)) >= 2:
        parts = [normalize_answer(part) for part in _PART_LABEL_RE.split(s)]
        return ", ".join(p for p in parts if p)  # "(1) -1/2; (2) ln 2": the parts in order
    value = _chinese_number(s)
    if value is not None:
        return str(value)
    text = _text_answer(s)
    if text:
        return text
    spans = re.findall(r"\$([^$]+)\$", s)
    if len(spans) == 1 and re.fullmatch(r"[A-Za-z\s:.,]+", s.replace(f"${spans[0]}$", "")):
        s = spans[0]  # "$145$ solution:", "$5$ cm": the formula is the answer
    for sym, latex in _SYMBOLS.items():
        s = s.replace(sym, latex)
    s = _RADICAL_RE.sub(lambda m: f"\\sqrt{{{next(g for g in m.groups() if g is not None)}}}", s)
    s = _CIRCLED_RE.sub(lambda m: f"\\textcircled{{{_CIRCLED.index(m.group(0)) + 1}}}", s)
    circled = re.findall(r"\\textcircled\s*\{(\d+)\}", s)
    if circled and not re.sub(r"\\textcircled\s*\{\d+\}|[\s,$]", "", s):
        return "\\{" + ",".join(sorted(set(circled), key=int)) + "\\}"  # ①③④: the statements chosen
    s = s.replace("$", "")
    s = re.sub(r"\\[dt]frac\b", r"\\frac", s).replace("\\displaystyle", "")
    s = _OR_RE.sub(",", s)
    s = s.replace(";", ",")
    s = _TEXT_GROUP_RE.sub(lambda m: m.group(0) if re.search(r"\d", m.group(1)) else "", s)
    if re.search(r"\d", s):
        s = _UNIT_RE.sub("", s)
    s = _SPACING_RE.sub(" ", s)
    s = re.sub(r"\\mathrm\s*\{\s*([A-Za-z])\s*\}", r"\1", s)  # math-verify fails on \frac{\mathrm{N}}{2}
    s = re.sub(r"(?<![\d.])(\d+)\.\s+(\d+)(?![\d.])", r"\1.\2", s)  # "0. 98" from a wrapped line
    if re.search(r"\d", s):
        tail = _CJK_TAIL_RE.fullmatch(s.strip())
        if tail:
            s = tail.group(1)
    s = re.sub(r"\s+", " ", s).strip().rstrip(_TRAILING).strip()
    s = re.sub(r"(?:\s*(?:\\cdot|\\times|[+*/=,]))+$", "", s).strip()  # a dangling operator
    value = _chinese_number(s)
    return str(value) if value is not None else s


def _parse(normalized: str) -> list:
    return parse(f"${normalized}$", extraction_config=_MV_CONFIG, parsing_timeout=None)


def answer_parses(answer: str) -> bool:
    """Whether a normalized answer is usable as a reference: choice letters, or LaTeX that math-verify
    parses into a sympy object. Runs without a time bound: use ``parse_many`` for untrusted input."""
    if not answer:
        return False
    if choice_letters(answer):
        return True
    return any(isinstance(x, Basic | MatrixBase) for x in _parse(answer))


def verify_answer(gold: str, pred: str) -> bool | None:
    """True/False when ``pred`` matches / misses ``gold``; None when ``gold`` cannot be parsed.

    Both sides go through ``normalize_answer``. Choice letters are compared as letter sets; anything
    else with math-verify (``verify(gold, pred)``, not symmetric). An empty or unparseable ``pred`` is
    False. Runs without a time bound: use ``verify_many`` for untrusted input.
    """
    g, p = normalize_answer(gold), normalize_answer(pred)
    if not g:
        return None
    gold_letters = choice_letters(g)
    if gold_letters:  # a choice question: "(b) 5" or "B. $5$" count as "B"
        return gold_letters == choice_letters(
            normalize_answer(pred, QuestionType.MULTI_CHOICE), QuestionType.MULTI_CHOICE
        )
    if not answer_parses(g):
        return None
    gold_parsed = _parse(g)
    if not p:
        return False
    pred_parsed = _parse(p)
    if not pred_parsed:
        return False
    return bool(verify(gold_parsed, pred_parsed, timeout_seconds=None))
