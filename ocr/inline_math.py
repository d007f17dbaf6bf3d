"""Inline math from positioned text: superscripts, subscripts and stacked fractions become LaTeX.

Works on pieces of text with a box, a font size and a baseline, whatever produced them (text-layer spans,
OCR of vector-drawn formulas): `x` + a raised, smaller `2` gives `x^{2}`; a lowered, smaller `n` after
`a` gives `a_{n}`; pieces stacked above and below a fraction rule give `\\frac{num}{den}`; on scans,
left-aligned lines stacked after an "=" give `\\begin{cases} ... \\end{cases}`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from ocr.marks import Mark, decorate

Box = tuple[float, float, float, float]

SMALLER = 0.9  # a script is set at most this fraction of the base size
RAISED = 0.2  # a superscript's baseline is this many base sizes above the row's baseline
LOWERED = 0.1  # a subscript's baseline is this many base sizes below it
OPTION_LABEL = re.compile(r"\s*(\(?[A-Ha-h1-9][.．)）]|[（(][1-9ivx]+[)）])")
MAX_FRACTION_PART = 40  # characters of a numerator or denominator; longer text is not a fraction
MAX_CASES = 4  # lines of a piecewise definition
OVERLAP = 0.5  # of the smaller part's height: how far a fraction's parts' boxes may overlap (the bar in both)
NEIGHBOUR_OVERLAP = 0.3  # of a stacked fraction's height: how far a neighbouring box may reach over it
CASE_LINE = re.compile(r".[,，;；].")  # a case: a value, a separator, its condition
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni", strict=True))
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₙₓ", "0123456789+-=()nx", strict=True))
CJK_DASH = re.compile(r"(?<=[\u4e00-\u9fff])[—–](?=[\u4e00-\u9fff])")  # 上一点 read as 上—点
LINE_NAME = re.compile(r"(线\s?)[1I|](?![0-9A-Za-z_])")  # 直线l, 切线l: an l the engine read as 1, I or |
SCRIPT_MARKUP = re.compile(r"[\^_]\{|\}")  # what `x^{2}` adds to the `x2` it was read as
SCRIPT_RUN = re.compile(f"[{''.join(SUPERSCRIPTS)}]+|[{''.join(SUBSCRIPTS)}]+")
ON_BASELINE = re.compile(r"[0-9A-Za-eh-ik-orsu-xzαδεθικλνοπστυωΑ-Ω]")  # no descender: bottoms on the baseline
DELIMITERS = re.compile(r"\s*[()\[\]{}|‖⟨⟩]\s*")  # a bracket alone is never a script: a sized one sits low
BAR_LOOK_ALIKES = {"l", "I", "1", "丨", "|"}  # what a recognizer reads for a vertical bar
HAIRLINE = 0.15  # of its height: a glyph this thin is a vertical bar (0.7 pt drawn, 1 pt in ink)
PARTS_GAP = 0.8  # of the smaller part's height: at most this far apart are a fraction's parts (a bar and
# its clearance between two tightly boxed digits is about 0.7)
SIZED = 1.3  # a bracket this many times the size of the text beside it is a sized delimiter
CAP_HEIGHT = 0.75  # of the font size: how far above the baseline the glyphs of a span reach
SUB_DROP, SUB_RISE = 0.2, 0.15  # a subscript's bottom and top are this much (of its base's height) lower
ABOVE = 0.25  # body sizes: how far over the baseline a superscript's foot lies, at least
SMALL_SCRIPT = 0.82  # of a full-size glyph's height: a script is set smaller
CAP_SHARE, X_SHARE = 0.68, 0.68  # a capital's height of the body size; an x-height letter's of a capital's
BAR_READS = "一—"  # what a recognizer reads for a fraction bar in a part's box (never math)
CASELESS = "CKOPSUVWXZ"  # capitals shaped as their small letters: only the size tells them apart
_TALL = re.compile(r"[0-9A-Z]")
_X_HEIGHT = re.compile(r"[acemnorsuvwxzαεικνοπστυω]")


@dataclass
class Piece:
    """Text with geometry, in page points. `level` None: decided by geometry; 0: base text, never a script."""

    text: str
    box: Box
    size: float
    baseline: float
    superscript: bool = False  # the PDF itself marks it superscript
    level: int | None = None
    chars: tuple[tuple[str, float, float], ...] = ()  # (char, x0, x1) when known: lets the piece be split


def row_text(pieces: list[Piece]) -> str:
    """Text of one row of pieces (any order), scripts written as ^{...} and _{...}."""
    pieces = sorted(pieces, key=lambda p: p.box[0])
    base_size, base_line = _base(pieces)
    out: list[str] = []
    level, previous = 0, None
    for piece in pieces:
        new_level = _level(piece, base_size, base_line)
        text = piece.text if new_level == 0 else piece.text.strip()
        if new_level == 0 and previous is not None and _spaced(previous, piece, out):
            text = " " + text
        if new_level != level:
            if level != 0:
                out.append("}")
            if new_level != 0:
                out.append("^{" if new_level > 0 else "_{")
            level = new_level
        out.append(text)
        previous = piece
    if level != 0:
        out.append("}")
    return "".join(out).strip()


def merge_fractions(pieces: list[Piece], rules: list[Box]) -> list[Piece]:
    """Pieces with every numerator/denominator pair stacked around one of the `rules` (thin horizontal
    rectangles) replaced by one `\\frac{num}{den}` piece."""
    pieces = list(pieces)
    for rule in sorted(rules, key=lambda r: r[2] - r[0]):  # inner (narrower) fractions first
        middle = (rule[1] + rule[3]) / 2
        above = [
            p
            for p in pieces
            if _over_rule(p, rule) and p.baseline <= middle and p.box[3] <= middle + 0.5 * p.size
        ]
        below = [
            p
            for p in pieces
            if _over_rule(p, rule)
            and max(p.box[1], p.baseline - CAP_HEIGHT * p.size) >= middle - 0.3 * p.size
            and p.baseline > middle
        ]  # a font's box may reach far above its glyphs (STIX): the cap height from the baseline tells too
        above, below = _unsized(above), _unsized(below)
        reach = max((p.size for p in above), default=0.0)  # a numerator's exponent sits higher than its size
        above = [p for p in above if p.baseline >= middle - 1.3 * reach]
        below = [p for p in below if p.box[1] <= middle + 0.8 * p.size]
        if not above or not below:
            continue
        num, den = row_text(above), row_text(below)
        if len(num) > MAX_FRACTION_PART or len(den) > MAX_FRACTION_PART:
            continue
        parts = above + below
        box = _fraction_box(rule, parts)
        size = max(p.size for p in parts)
        fraction = Piece(rf"\frac{{{num}}}{{{den}}}", box, size, middle + 0.3 * size, level=0)
        pieces = [p for p in pieces if not any(p is q for q in parts)] + [fraction]
    return pieces


def settle_delimiters(pieces: list[Piece]) -> list[Piece]:
    """Sized brackets standing alone (`\\left(`, `\\right|`: their font box reaches rows above and below)
    given the box, size and baseline of their nearest neighbour beside them (the nearest in height as
    well), so that they join that row."""
    out = []
    for piece in pieces:
        if not DELIMITERS.fullmatch(piece.text):
            out.append(piece)
            continue
        beside = [
            p
            for p in pieces
            if not DELIMITERS.fullmatch(p.text) and p.box[1] < piece.box[3] and piece.box[1] < p.box[3]
        ]
        near = min(beside, key=lambda p, d=piece: _gap(p, d) + abs(_middle(p) - _middle(d)), default=None)
        if near is None or _gap(near, piece) > near.size or not _sized(piece, near.size):
            out.append(piece)
            continue
        box = (piece.box[0], near.box[1], piece.box[2], near.box[3])
        out.append(Piece(piece.text, box, near.size, near.baseline, level=0, chars=piece.chars))
    return out


def _middle(piece: Piece) -> float:
    return (piece.box[1] + piece.box[3]) / 2


def _gap(a: Piece, b: Piece) -> float:
    return max(a.box[0] - b.box[2], b.box[0] - a.box[2], 0.0)


def split_around(pieces: list[Piece], boxes: list[Box]) -> list[Piece]:
    """Pieces cut where one of `boxes` sits inside them on the same row (a formula drawn in a gap of a
    span), so that what fills the gap lands between the two halves."""
    out = []
    for piece in pieces:
        cuts = sorted(
            box
            for box in boxes
            if piece.box[0] < box[0]
            and box[2] < piece.box[2]
            and box[1] < piece.box[3]
            and piece.box[1] < box[3]
        )
        if not cuts or not piece.chars:
            out.append(piece)
            continue
        part: list[tuple[str, float, float]] = []
        for char in piece.chars:
            if part and any(_mid(part[-1]) <= (box[0] + box[2]) / 2 < _mid(char) for box in cuts):
                out.append(piece_part(piece, part))
                part = []
            part.append(char)
        out.append(piece_part(piece, part))
    return out


def _mid(char: tuple[str, float, float]) -> float:
    return (char[1] + char[2]) / 2


def piece_part(piece: Piece, chars: list[tuple[str, float, float]]) -> Piece:
    box = (chars[0][1], piece.box[1], chars[-1][2], piece.box[3])
    text = "".join(c for c, _, _ in chars)
    return Piece(text, box, piece.size, piece.baseline, piece.superscript, piece.level, tuple(chars))


def stack_on_bars(pieces: list[Piece], bars: Sequence[Box]) -> list[Piece]:
    """Pieces of a scan around the fraction bars seen on its page (ocr/uncovered.fraction_bars): the
    nearest pieces right over a bar and right under it, within its width, become `\\frac{over}{under}`.
    Several pieces side by side on one side are one part, left to right; a fraction made here is no part
    of another (the options stacked one under the other would nest)."""
    pieces, fractions = list(pieces), []
    for bar in sorted(bars, key=lambda b: b[2] - b[0]):
        middle = (bar[1] + bar[3]) / 2
        over = _nearest([p for p in pieces if _over_rule(p, bar) and _middle_y(p) < middle], bar[1], -1)
        under = _nearest([p for p in pieces if _over_rule(p, bar) and _middle_y(p) > middle], bar[3], 1)
        if not over or not under:
            continue
        parts = over + under
        box = _fraction_box(bar, parts)
        num, den = (
            " ".join(_without_bar(p, bar) for p in sorted(side, key=lambda p: p.box[0]))
            for side in (over, under)
        )
        fractions.append(Piece(rf"\frac{{{num}}}{{{den}}}", box, max(p.size for p in parts), box[3], level=0))
        pieces = [p for p in pieces if not any(p is q for q in parts)]
    return pieces + fractions


def _fraction_box(bar: Box, parts: list[Piece]) -> Box:
    return (
        min(bar[0], *(p.box[0] for p in parts)),
        min(p.box[1] for p in parts),
        max(bar[2], *(p.box[2] for p in parts)),
        max(p.box[3] for p in parts),
    )


def _without_bar(piece: Piece, bar: Box) -> str:
    """A part's text, less the bar where its box reaches over it and the recognizer read it (`π一`)."""
    text = piece.text.strip()
    if piece.box[1] < bar[1] < piece.box[3]:
        text = text.strip(BAR_READS).strip() or text
    return text


def _middle_y(piece: Piece) -> float:
    return (piece.box[1] + piece.box[3]) / 2


def _nearest(pieces: list[Piece], edge: float, side: int) -> list[Piece]:
    """The pieces of the row nearest a bar's `edge` on its `side` (-1 over, 1 under), at most PARTS_GAP
    of their height from it and reaching over it by at most OVERLAP (a bracket beside the fraction
    reaches over and under it; it is no part)."""
    gaps = [((p.box[1] - edge) if side > 0 else (edge - p.box[3]), p) for p in pieces]
    near = [
        (gap, p)
        for gap, p in gaps
        if -OVERLAP * (p.box[3] - p.box[1]) <= gap <= PARTS_GAP * (p.box[3] - p.box[1])
        and DELIMITERS.fullmatch(p.text.strip()) is None
    ]
    if not near:
        return []
    closest = min(gap for gap, _ in near)
    return [p for gap, p in near if gap - closest <= 0.5 * (p.box[3] - p.box[1])]


def stack_fractions(pieces: list[Piece]) -> list[Piece]:
    """Without drawn rules (OCR of a scan): a short piece right above another, both centred on the middle
    of a neighbouring piece of the row, become `\\frac{upper}{lower}`. A detector's boxes are loose, so
    the neighbour may overlap the fraction a little (NEIGHBOUR_OVERLAP of the parts' height)."""
    pieces = list(pieces)
    used: set[int] = set()
    fractions = []
    for a, upper in enumerate(pieces):
        for b, lower in enumerate(pieces):
            if a in used or b in used or a == b or not _stacked(upper, lower):
                continue
            junction = (upper.box[3] + lower.box[1]) / 2
            height = min(upper.box[3] - upper.box[1], lower.box[3] - lower.box[1])
            left, right = min(upper.box[0], lower.box[0]), max(upper.box[2], lower.box[2])
            if not any(
                abs((p.box[1] + p.box[3]) / 2 - junction) <= 0.35 * height
                and (
                    -NEIGHBOUR_OVERLAP * height <= left - p.box[2] <= 2 * height
                    or -NEIGHBOUR_OVERLAP * height <= p.box[0] - right <= 2 * height
                )
                for k, p in enumerate(pieces)
                if k not in (a, b)
            ):
                continue
            box = (left, upper.box[1], right, lower.box[3])
            text = rf"\frac{{{upper.text.strip()}}}{{{lower.text.strip()}}}"
            fractions.append(Piece(text, box, upper.size, lower.box[3], level=0))
            used |= {a, b}
    return [p for k, p in enumerate(pieces) if k not in used] + fractions


def small_if_small(text: str, height: float, body: float) -> str:
    """A letter read alone whose case only its size tells (`z` read `Z`, a fraction's numerator): small when
    its glyph is nearer an x-height than a capital's height of the body size."""
    if len(text) == 1 and text in CASELESS and height < (1 + X_SHARE) / 2 * CAP_SHARE * body:
        return text.lower()
    return text


def unicode_scripts(text: str) -> str:
    """Unicode super- and subscript characters (OCR engines give `x²`, `a₁`) as `x^{2}`, `a_{1}`."""

    def latex(match: re.Match) -> str:
        run = match.group(0)
        if run[0] in SUPERSCRIPTS:
            return "^{" + "".join(SUPERSCRIPTS[c] for c in run) + "}"
        return "_{" + "".join(SUBSCRIPTS[c] for c in run) + "}"

    return SCRIPT_RUN.sub(latex, text)


def line_names(text: str) -> str:
    """A line named `l` after 直线/切线 (`直线l与椭圆交于A，B`) put back where a recognizer read the `l` as
    `1`, `I` or `|`, which no exam writes there."""
    return LINE_NAME.sub(r"\1l", text)


def dash_ones(text: str) -> str:
    """The character 一 (one) put back where a recognizer read it as a dash between two CJK characters;
    a Chinese dash is written double (——), and a dash in a formula stands next to no CJK character."""
    return CJK_DASH.sub("一", text)


def glyph_subscripts(text: str, glyphs: Sequence[Box], accents: Mapping[Box, Mark] | None = None) -> str:
    """`text` read from one line of vector glyphs (boxes left to right), subscripts marked: a letter or digit
    without descender set lower than the one before it, bottom and top (`a1` drawn as a₁ gives `a_{1}`).
    Only when the text's characters pair one to one with the glyphs (an ellipsis may be one glyph);
    otherwise `text` unchanged. A letter whose glyph shows an accent (`accents`, by the glyph's box) is
    written under it (`\\vec{a}`)."""
    tokens = re.findall(r"\.\.\.|…|\s+|\S", text)
    shown = [i for i, token in enumerate(tokens) if not token.isspace()]
    if len(shown) != len(glyphs):
        return text
    lowered: set[int] = set()
    base: Box | None = None
    for i, glyph in zip(shown, glyphs, strict=True):
        if not ON_BASELINE.fullmatch(tokens[i]):
            continue
        if base is not None:
            height = base[3] - base[1]
            if glyph[3] - base[3] > SUB_DROP * height and glyph[1] - base[1] > SUB_RISE * height:
                lowered.add(i)
                continue
        base = glyph
    boxes = dict(zip(shown, glyphs, strict=True))
    _bars(tokens, boxes)
    _accent(tokens, boxes, accents)
    return _marked(tokens, shown, dict.fromkeys(lowered, -1))


def _bars(tokens: list[str], boxes: Mapping[int, Box]) -> None:
    """The vertical bars a recognizer read as a letter or digit (`|c|` read `lcl`) put back by their
    glyph's shape, in place."""
    for i, box in boxes.items():
        if tokens[i] in BAR_LOOK_ALIKES and box[2] - box[0] <= HAIRLINE * (box[3] - box[1]):
            tokens[i] = "|"


def _accent(tokens: list[str], boxes: Mapping[int, Box], accents: Mapping[Box, Mark] | None) -> None:
    """The tokens whose glyphs show an accent written under it, in place."""
    marked = {i: accents[tuple(box)] for i, box in boxes.items() if accents and tuple(box) in accents}
    tokens[:] = decorate(tokens, marked)


def baseline_scripts(
    text: str,
    glyphs: Sequence[Box],
    baseline: float,
    body: float,
    accents: Mapping[Box, Mark] | None = None,
) -> str | None:
    """`text` read from one row of glyphs (boxes left to right) whose baseline is known (the text row the
    row sits in), scripts marked by each character's ink against what a full-size one would show: a
    letter or digit set small with its foot well above the baseline is a superscript (`x^{2}`), one set
    small and low (its foot on or under the baseline, its top under a full-size one's) a subscript
    (`a_{n}`); a sign between two script characters joins them (`a_{n+1}`). Full size is measured on the
    row's own digits and capitals (or the body size); a letter under an accent (`accents`, by the glyph's
    box) is written under it. None when the characters do not pair one to one with the glyphs."""
    for pattern in (r"\.\.\.|…|\s+|\S", r"\s+|\S"):  # an ellipsis is one glyph in a font, three dots in ink
        tokens = re.findall(pattern, text)
        shown = [i for i, token in enumerate(tokens) if not token.isspace()]
        if len(shown) == len(glyphs) and shown:
            break
    else:
        return None
    boxes = dict(zip(shown, sorted(glyphs, key=lambda g: g[0]), strict=True))
    full = [  # a glyph's box holds the accent over it: its height is no letter's
        b[3] - b[1]
        for i, b in boxes.items()
        if _TALL.fullmatch(tokens[i])
        and abs(b[3] - baseline) < 0.1 * body
        and tuple(b) not in (accents or {})
    ]
    cap = max(full) if full else CAP_SHARE * body
    level: dict[int, int] = {}
    for i in shown[1:]:
        token, (_, top, _, foot) = tokens[i], boxes[i]
        if not token.isalnum() and token not in "′'":
            continue
        expected = X_SHARE * cap if _X_HEIGHT.fullmatch(token) else cap
        small = foot - top < SMALL_SCRIPT * expected
        if baseline - foot > ABOVE * body and (small or token in "′'"):
            level[i] = 1
        elif (
            small
            and ON_BASELINE.fullmatch(token)
            and foot - baseline > -0.05 * body
            and top - (baseline - expected) > 0.2 * expected
        ):
            level[i] = -1
    _bars(tokens, boxes)
    _accent(tokens, boxes, accents)
    return _marked(tokens, shown, level)


def _marked(tokens: list[str], shown: list[int], level: dict[int, int]) -> str:
    """The tokens with their scripts written out (`level` of a token index: 1 superscript, -1 subscript):
    a sign between two characters of one script joins it (the + of `a_{n+1}`), and the spaces inside a
    script go (`a_{n + 1}` is `a_{n+1}`)."""
    for before, i, after in zip(shown, shown[1:], shown[2:], strict=False):
        if level.get(before) and level.get(before) == level.get(after) and not tokens[i].isalnum():
            level[i] = level[before]
    for before, after in zip(shown, shown[1:], strict=False):
        if level.get(before) and level.get(before) == level.get(after):
            level.update(dict.fromkeys(range(before + 1, after), level[before]))
    out: list[str] = []
    current = 0
    for i, token in enumerate(tokens):
        new = level.get(i, 0)
        if new and token.isspace():
            continue
        if new != current:
            if current:
                out.append("}")
            if new:
                out.append("^{" if new > 0 else "_{")
            current = new
        out.append(
            unicodedata.normalize("NFKC", token) if new else token
        )  # `x³` raised: `x^{3}`, not `x^{³}`
    if current:
        out.append("}")
    return "".join(out)


def stack_cases(pieces: list[Piece]) -> list[Piece]:
    """Without drawn braces (OCR of a scan): two to MAX_CASES left-aligned lines, each "value, condition",
    stacked right after a piece ending in "=" and centred on it, become one `\\begin{cases}` piece placed in
    that piece's row (a piecewise definition printed with a large brace)."""
    pieces = list(pieces)
    for left in [p for p in pieces if p.text.rstrip().endswith("=")]:
        height = left.box[3] - left.box[1]
        centre = (left.box[1] + left.box[3]) / 2
        near = [
            p
            for p in pieces
            if p is not left
            and left.box[2] - 0.5 * height <= p.box[0] <= left.box[2] + 3 * height
            and abs((p.box[1] + p.box[3]) / 2 - centre) <= 0.5 * MAX_CASES * height
        ]
        if not near:
            continue
        x0 = min(p.box[0] for p in near)
        stack = sorted((p for p in near if p.box[0] - x0 <= height), key=lambda p: p.box[1])
        if not 2 <= len(stack) <= MAX_CASES or not all(CASE_LINE.search(p.text) for p in stack):
            continue
        gaps = [b.box[1] - a.box[3] for a, b in zip(stack, stack[1:], strict=False)]
        middle = (stack[0].box[1] + stack[-1].box[3]) / 2
        if (
            not all(-0.5 * height <= gap <= 0.8 * height for gap in gaps)
            or abs(middle - centre) > 0.5 * height
        ):
            continue
        box = (x0, stack[0].box[1], max(p.box[2] for p in stack), stack[-1].box[3])
        text = r"\begin{cases} " + r" \\ ".join(p.text.strip() for p in stack) + r" \end{cases}"
        pieces = [p for p in pieces if not any(p is q for q in stack)]
        pieces.append(Piece(text, box, left.size, left.baseline, level=0))
    return pieces


def _stacked(upper: Piece, lower: Piece) -> bool:
    """Whether `upper` sits right above `lower`, the narrower within the wider, both formula-like."""
    height = min(upper.box[3] - upper.box[1], lower.box[3] - lower.box[1])
    gap = lower.box[1] - upper.box[3]
    overlap = min(upper.box[2], lower.box[2]) - max(upper.box[0], lower.box[0])
    narrower = min(upper.box[2] - upper.box[0], lower.box[2] - lower.box[0])
    formula_like = _formula_like(upper.text.strip()) and _formula_like(lower.text.strip())
    return formula_like and -OVERLAP * height <= gap <= PARTS_GAP * height and overlap >= 0.6 * narrower


def _formula_like(text: str) -> bool:
    """Short, no CJK, not an option or item label nor a bracket alone (the brackets of two options, one
    over the other) nor a fraction read around its bar (two options' fractions one over the other): text
    that may be a numerator or denominator."""
    return (
        0 < len(SCRIPT_MARKUP.sub("", text)) <= MAX_FRACTION_PART // 4
        and not text.startswith("\\frac")
        and DELIMITERS.fullmatch(text) is None
        and not any("\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef" for char in text)
        and OPTION_LABEL.match(text) is None
    )


def _over_rule(piece: Piece, rule: Box) -> bool:
    """Whether the piece lies within the horizontal extent of the rule (a little slack each side), and not
    wholly beside it (the comma after a fraction)."""
    slack = 0.3 * piece.size
    within = piece.box[0] >= rule[0] - slack and piece.box[2] <= rule[2] + slack
    return within and piece.box[0] < rule[2] and piece.box[2] > rule[0] and piece.text.strip() != ""


def _sized(piece: Piece, size: float) -> bool:
    """Whether the piece is a bracket alone set larger than text of `size` (`\\left(`, `\\right|`)."""
    return DELIMITERS.fullmatch(piece.text) is not None and piece.size > SIZED * size


def _unsized(pieces: list[Piece]) -> list[Piece]:
    """The pieces less sized brackets: they reach over and under a fraction's rule beside them."""
    text = [p.size for p in pieces if not DELIMITERS.fullmatch(p.text)]
    return [p for p in pieces if not (text and _sized(p, median(text)))]


def _base(pieces: list[Piece]) -> tuple[float, float]:
    """Font size carrying most characters, and the median baseline of the pieces at that size."""
    weights: Counter[float] = Counter()
    for piece in pieces:
        weights[round(piece.size, 1)] += len(piece.text.strip()) or 1
    size = max(weights, key=lambda s: (weights[s], s))
    return size, median(p.baseline for p in pieces if abs(round(p.size, 1) - size) < 0.5)


def _level(piece: Piece, base_size: float, base_line: float) -> int:
    if piece.level is not None:
        return piece.level
    if piece.size >= SMALLER * base_size or DELIMITERS.fullmatch(piece.text):
        return 0
    if piece.superscript or piece.baseline < base_line - RAISED * base_size:
        return 1
    if piece.baseline > base_line + LOWERED * base_size:
        return -1
    return 0


def _spaced(previous: Piece, piece: Piece, out: list[str]) -> bool:
    """Whether a gap separates two neighbouring pieces that carry no space of their own at that point."""
    if (out and out[-1][-1:].isspace()) or piece.text[:1].isspace():
        return False
    return piece.box[0] - previous.box[2] > 0.25 * min(piece.size, previous.size)
