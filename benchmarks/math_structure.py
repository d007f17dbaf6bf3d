"""Math structure of a text, so that a benchmark can fail where the math is wrong (pure logic).

A question's math is more than its characters: ``x^{3}`` read as ``x3`` is another problem, and so is
``0.1^{2}`` read as ``0.12``. This module reads the truth's LaTeX and the extracted text the same way
and counts, with their content:

- ``sup`` / ``sub``: superscripts and subscripts (``x^{2}`` gives ``("sup", "2")``; ``a_{n+1}`` gives
  ``("sub", "n+1")``);
- ``frac``: fractions, numerator and denominator (``\\frac{1}{2}`` gives ``("frac", "1/2")``);
- ``root``: square roots and n-th roots (``\\sqrt{3}``, ``√3``);
- ``over``: overlines and bars, vector arrows, hats and arcs, each kept apart (``\\bar{x}`` is ``‾:x``,
  ``\\overrightarrow{AB}`` is ``→:AB``, ``\\hat{y}`` is ``ˆ:y``: a mean is not a vector nor an estimate).

Notation that means the same is read the same (``x^3`` and ``x^{3}``, ``x³``, ``\\dfrac`` and ``\\frac``,
``\\vec{a}`` and ``\\overrightarrow{a}``); nothing that differs in meaning is equated: ``x3`` has no
superscript, and ``a/b`` is not a stacked fraction. ``script_text`` keeps the scripts in a text reduced
for a character error rate, so that the CER counts a flattened exponent as an error.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz.distance import Levenshtein

from benchmarks.latex_symbols import SYMBOLS


class Kind(StrEnum):
    SUP = "sup"
    SUB = "sub"
    FRAC = "frac"
    ROOT = "root"
    OVER = "over"


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₙₘₖₓₐₑᵢⱼ", "0123456789+-=()nmkxaeij")
_SUP_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ]+")
_SUB_RUN = re.compile("[₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₙₘₖₓₐₑᵢⱼ]+")
# accents over a symbol, by meaning: the spellings of each are read as its first; the mark stands in the text
_ACCENTS = {
    "overline": ("‾", ("bar",)),
    "overrightarrow": ("→", ("vec",)),
    "widehat": ("ˆ", ("hat",)),
    "overleftrightarrow": ("↔", ()),
}
_FUNCTION = re.compile(r"\\(arcsin|arccos|arctan|sin|cos|tan|cot|sec|csc|ln|log|lg|exp|min|max|lim)\b")
_SYMBOLS = {**SYMBOLS, r"\circ": "∘"}  # outside a script, \circ composes (f \circ g): no degree
END = "\x00"  # marks the end of a command name where a space was
_DROP = re.compile(r"\\(?:left|right|displaystyle|mathrm|mathbf|mathit|text|operatorname|boldsymbol)\b")


def canonical(text: str) -> str:
    """Scripts, fractions, roots and overlines in one LaTeX spelling; spaces and sizing commands gone."""
    text = unicodedata.normalize("NFC", text).replace("\u2212", "-")
    # a degree is a sign, not a script: 45^{\circ}, 45^{∘} and 45° are one; a ∘ elsewhere composes
    text = re.sub(r"\^\s*(?:\{\s*(?:\\circ|∘|°)\s*\}|\\circ\b|∘|°)", "°", text)
    text = re.sub(r"\\[A-Za-z]+", lambda m: _SYMBOLS.get(m.group(0), m.group(0)), text)
    text = _FUNCTION.sub(r"\1", text)  # \sin x is sin x
    text = re.sub(r"\^\s*(?:\{\s*(?:\\prime|′|')\s*\}|\\prime|′)|′", "'", text)  # A^{\prime} is A'
    text = _SUP_RUN.sub(lambda m: "^{" + m.group(0).translate(_SUPERSCRIPTS) + "}", text)
    text = _SUB_RUN.sub(lambda m: "_{" + m.group(0).translate(_SUBSCRIPTS) + "}", text)
    text = re.sub(r"\\[dt]frac\b", r"\\frac", text)
    for name, (_, spellings) in _ACCENTS.items():
        if spellings:
            text = re.sub(r"\\(?:" + "|".join(spellings) + r")\b", "\\\\" + name, text)
    text = text.replace("\u0304", "").replace("\u20d7", "")  # a combining bar or arrow: no accent to trust
    text = _DROP.sub("", text)
    text = re.sub(r"√\s*(\{[^{}]*\}|\([^()]*\)|[0-9A-Za-z.]+)", _unicode_root, text)
    # spaces go, but the one that ends a command stays as END: `\in A` is not `\inA`
    text = re.sub(r"(\\[A-Za-z]+)\s+(?=[A-Za-z0-9])", "\\1" + END, text)
    text = re.sub(r"\s+", "", text)
    # a one-token script or argument gets its braces: x^3 -> x^{3}, \sqrt3 -> \sqrt{3}
    text = re.sub(r"([\^_])(?!\{)(\\[A-Za-z]+|[0-9]|[A-Za-z])", r"\1{\2}", text)
    braced = r"(\\(?:sqrt|" + "|".join(_ACCENTS) + "))"
    text = re.sub(braced + END + "(.)", r"\1{\2}", text)
    return re.sub(braced + r"(?![\[{A-Za-z" + END + "])(.)", r"\1{\2}", text)


def _unicode_root(match: re.Match) -> str:
    body = match.group(1)
    if body[0] in "{(":
        body = body[1:-1]
    return "\\sqrt{" + body + "}"


def _group(text: str, start: int) -> tuple[str, int]:
    """The braced group opening at ``text[start]`` (``{``) and the index after it ("" when unbalanced)."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i], i + 1
    return "", len(text)


def structures(text: str) -> Counter[tuple[Kind, str]]:
    """Every script, fraction, root and overline of ``text``, with its content, nested ones too."""
    found: Counter[tuple[Kind, str]] = Counter()
    _collect(canonical(text), found)
    return found


def _collect(text: str, found: Counter) -> None:
    i = 0
    while i < len(text):
        if text[i] in "^_" and text.startswith("{", i + 1):
            kind = Kind.SUP if text[i] == "^" else Kind.SUB
            body, i = _group(text, i + 1)
            found[(kind, body.replace(END, ""))] += 1
            _collect(body, found)
            continue
        if text.startswith("\\frac{", i):
            numerator, after = _group(text, i + 5)
            denominator, i = _group(text, after) if text.startswith("{", after) else ("", after)
            found[(Kind.FRAC, f"{numerator}/{denominator}".replace(END, ""))] += 1
            _collect(numerator, found)
            _collect(denominator, found)
            continue
        if text.startswith("\\sqrt", i):
            j = i + 5
            index = ""
            if text.startswith("[", j):
                close = text.find("]", j)
                index, j = text[j + 1 : close], close + 1
            if text.startswith("{", j):
                body, i = _group(text, j)
                found[(Kind.ROOT, (f"{index}:{body}" if index else body).replace(END, ""))] += 1
                _collect(body, found)
                continue
        accent = next((name for name in _ACCENTS if text.startswith(f"\\{name}{{", i)), None)
        if accent:
            body, i = _group(text, i + len(accent) + 1)
            found[(Kind.OVER, f"{_ACCENTS[accent][0]}:{body.replace(END, '')}")] += 1
            _collect(body, found)
            continue
        i += 1


@dataclass
class Tally:
    """Matched structures against the truth's and the extraction's, per kind."""

    truth: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    matched: Counter = field(default_factory=Counter)

    def add(self, truth_text: str, extracted_text: str) -> None:
        """One aligned pair (a question of the truth and the problem extracted for it)."""
        truth, found = structures(truth_text), structures(extracted_text)
        for (kind, _), n in truth.items():
            self.truth[kind] += n
        for (kind, _), n in found.items():
            self.found[kind] += n
        for (kind, _), n in (truth & found).items():
            self.matched[kind] += n

    def recall(self, *kinds: Kind) -> float | None:
        total = sum(self.truth[k] for k in kinds)
        return sum(self.matched[k] for k in kinds) / total if total else None

    def precision(self, *kinds: Kind) -> float | None:
        total = sum(self.found[k] for k in kinds)
        return sum(self.matched[k] for k in kinds) / total if total else None

    def merge(self, other: Tally) -> None:
        self.truth += other.truth
        self.found += other.found
        self.matched += other.matched

    def lines(self) -> list[str]:
        """One line per kind and one for scripts (sup + sub): recall and precision with their counts."""
        rows = [("scripts", (Kind.SUP, Kind.SUB))] + [(k.value, (k,)) for k in Kind]
        out = []
        for name, kinds in rows:
            truth, found = sum(self.truth[k] for k in kinds), sum(self.found[k] for k in kinds)
            matched = sum(self.matched[k] for k in kinds)
            recall, precision = self.recall(*kinds), self.precision(*kinds)
            out.append(
                f"{name:8s} recall {_pct(recall)} ({matched}/{truth})  precision {_pct(precision)} ({matched}/{found})"
            )
        return out


def _pct(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


_SCRIPT_KEEP = re.compile(
    r"[0-9A-Za-z\u4e00-\u9fff+\-=<>≤≥≠∈∉∩∪⊆⊂√‾ˆ↔π∞·×⊥∥∠°∘≈±△⇒→αβγθλμσωΩφ()\[\]⦃⦄|/,.!%^_{}]"
)
_COMMANDS = {**_SYMBOLS, r"\{": "⦃", r"\}": "⦄"}  # set braces: no structure braces, no parentheses
# glyph variants of one symbol, as math fonts set them (⩽ for \leqslant, ∣ for \mid, ϕ for \phi)
_VARIANTS = str.maketrans({"⩽": "≤", "⩾": "≥", "⟂": "⊥", "∣": "|", "⋅": "·", "ϕ": "φ", "ϵ": "ε", "ℝ": "R"})
_STRUCTURE_BRACE = re.compile(r"(?:[\^_}\]]|\\[A-Za-z]+)$")


def _set_braces(text: str) -> str:
    """Braces that open no script, fraction, root or accent (a set written with bare braces, as an
    extraction or a truth may) read as the truth's escaped set braces are: ⦃ and ⦄ (a set is no interval)."""
    out, opened = [], []
    for i, char in enumerate(text):
        if char == "{":
            literal = _STRUCTURE_BRACE.search(text[max(i - 20, 0) : i].replace(END, "")) is None
            opened.append(literal)
            out.append("⦃" if literal else char)
        elif char == "}" and opened:
            out.append("⦄" if opened.pop() else char)
        else:
            out.append(char)
    return "".join(out)


def script_text(text: str) -> str:
    """``text`` reduced for a script-aware CER: as the old normalization (symbols to Unicode, markup
    gone), but scripts, fractions, roots and overlines stay as ``^{}``, ``_{}``, ``\\frac``'s ``{}{}``,
    ``√{}`` and ``‾{}``, so ``x3`` for ``x^{3}`` costs three characters."""
    text = unicodedata.normalize("NFKC", canonical(text.replace("\u2212", "-"))).translate(_VARIANTS)
    text = _set_braces(text).replace("\\frac", "").replace("\\sqrt", "√")
    for name, (mark, _) in _ACCENTS.items():
        text = text.replace("\\" + name, mark)
    text = re.sub(r"\\[A-Za-z]+|\\[{}]", lambda m: _COMMANDS.get(m.group(0), ""), text)
    return "".join(_SCRIPT_KEEP.findall(text.replace(END, "")))


@dataclass
class Fidelity:
    """The structure tally and the script-aware CER of aligned (truth question, extracted problem) pairs."""

    tally: Tally = field(default_factory=Tally)
    distance: int = 0
    length: int = 0

    def add(self, truth_text: str, extracted_text: str) -> None:
        self.tally.add(truth_text, extracted_text)
        truth, found = script_text(truth_text), script_text(extracted_text)
        self.distance += Levenshtein.distance(truth, found)
        self.length += len(truth)

    def cer(self) -> float | None:
        return self.distance / self.length if self.length else None

    def merge(self, other: Fidelity) -> None:
        self.tally.merge(other.tally)
        self.distance += other.distance
        self.length += other.length

    def summary(self) -> str:
        """One line: script recall/precision (superscripts and subscripts apart too), fraction, root and
        overline recall, and the script-aware CER."""
        t = self.tally
        scripts = (Kind.SUP, Kind.SUB)
        apart = ", ".join(
            f"{kind.value} {_pct(t.recall(kind))}/{_pct(t.precision(kind))}" for kind in scripts
        )
        return (
            f"scripts recall {_pct(t.recall(*scripts))} precision {_pct(t.precision(*scripts))} ({apart})"
            f"  fractions recall {_pct(t.recall(Kind.FRAC))}  roots {_pct(t.recall(Kind.ROOT))}"
            f"  overlines {_pct(t.recall(Kind.OVER))}  script-aware CER {_pct(self.cer())}"
        )
