"""The ink of each character of a recognized line: its marks on the page, not the recognizer's guess.

rapidocr places each character by the recognizer's time steps, and the places drift by up to a character
(on the gaokao scans a subscript's box often holds the next bracket). The page says where the glyphs are:
the line's connected pieces of print, stacked pieces joined (the dot of an `i`, the bars of `=`), are its
glyphs. The characters, in order, are matched to the glyphs, in order, by the least total distance between
a character's box and its glyphs (`align`): a character takes one glyph or a few side by side (a CJK
character's parts), a glyph the text does not name (a speck, a character the recognizer dropped) is passed
over, and a character with no glyph keeps none. Order is kept, and the boxes are moved by the drift a first
alignment finds before the second, so a drift that moves every box the same way cannot move a glyph to the
wrong character. Print is told from paper by the line's own grey levels (a light scan prints in grey), and
a flat stroke wider than a character (a fraction's bar, a vector's arrow) is a rule, not a glyph; a
fraction's bar no wider than the one digit under it stacks with the digit, and the glyph keeps what it is
without the bar (`unbarred`), for a character the recognizer read from the bar. A glyph under an accent
(an arrow, a bar: ocr/marks.py, read with what lies over the line) carries it.

Two characters whose ink touches (a subscript run into its letter by the blur of a 144 dpi scan, `A₂` or
`aₙ` one blot; two CJK characters whose strokes meet) are one glyph; when the recognizer read both, the
glyph may be shared by the two (`align` with the line's print), and it is cut at its thinnest column near
where their boxes meet, each part keeping the main ink of its own columns. A subscript the recognizer
dropped inside its letter's glyph (`A₁` read `A`) hangs below the line on its right: `hanging_script`
finds where, for ocr/scripts.py to read it on its own.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ocr.inline_math import Box
from ocr.marks import Mark, marks_over
from ocr.watermark import FAINT, PRINT

MIN_AREA = 3  # pixels: a smaller piece of print is a speck
STACKED = 0.5  # of the narrower piece's width: pieces one above the other overlapping this much are one
BROKEN = 0.05  # of the line's height: a gap this small between pieces one above the other is a break
INSIDE = 0.7  # of the smaller piece's width and height: a piece this much inside another is part of it
PART = 0.2  # of the larger box: a piece inside another and at least this large is part of it
RULE = 1.3  # character widths: a flat stroke wider than this is a rule
FLAT = 0.25  # of its width: a stroke no taller than this is flat
MAX_PARTS = 4  # glyphs side by side that one character may take (the parts of a CJK character)
PASS_OVER = 0.5  # cost of a glyph no character takes, in character widths
NO_GLYPH = 1.5  # cost of a character that takes no glyph, in character widths
SPLIT = 0.8  # cost of each further glyph a character takes, in character widths (a Latin one is one glyph)
SPLIT_CJK = 0.1  # the same for a CJK character, which is often made of pieces side by side
SHARE = 0.6  # cost of a glyph two characters share (their ink touches), in character widths
SHARED = 0.8  # of its height: a glyph two characters share is at least this wide
CUT = 0.25  # of a shared glyph's width: how far from where the two boxes meet it may be cut
THIN = 0.6  # of its fullest column: the column a shared glyph is cut at holds at most this much ink
SPECK = 0.25  # of the largest piece of a cut glyph's part: a smaller piece is a speck the cut left there
CUT_PART = 0.2  # of a shared glyph's width: each part is at least this wide
HANG_FROM = 0.4  # of a glyph's width: ink under the line that starts left of this is the letter's own
_CJK = re.compile(r"[\u3400-\u9fff]")  # CJK characters (a full-width sign, `，`, is one piece like its own)
BAND = 3.0  # character widths: a glyph farther than this from a character's box is not its own


@dataclass
class Glyph:
    """A glyph's box in page pixels, how many pieces of print it is made of, and the accent over it."""

    x0: int
    y0: int
    x1: int
    y1: int
    pieces: int = 1
    mark: Mark | None = None
    cut: bool = False  # cut from a glyph it shares with the character beside it
    unbarred: Glyph | None = None  # the glyph less a flat stroke stacked clear over or under it (a bar)

    @property
    def middle(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def flat(self) -> bool:
        """Whether it is a flat stroke: a bar, not a character that stands."""
        return self.y1 - self.y0 + 1 <= FLAT * (self.x1 - self.x0 + 1)

    def join(self, other: Glyph) -> Glyph:
        return Glyph(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
            self.pieces + other.pieces,
            self.mark or other.mark,
        )


@dataclass
class Strip:
    """A line's print as a mask (1 = ink) and where the mask sits on the page."""

    mask: np.ndarray
    left: int
    top: int


def print_strip(gray: np.ndarray, line: Box, top: int, bottom: int) -> Strip:
    """The print of a line (`line` its box), read between rows `top` and `bottom`."""
    left, right = max(int(line[0]) - 2, 0), min(int(np.ceil(line[2])) + 2, gray.shape[1])
    strip = gray[top:bottom, left:right]
    if strip.size == 0:
        return Strip(np.zeros((0, 0), np.uint8), left, top)
    return Strip((strip <= _print_level(strip)).astype(np.uint8), left, top)


@dataclass
class LineGlyphs:
    """A line's glyphs, left to right, and its rules (flat strokes wider than RULE characters: a
    fraction's bar under its numerator, a vector's arrow over its letters), which are no glyphs."""

    glyphs: list[Glyph]
    rules: list[Glyph]


def line_glyphs(strip: Strip, width: float) -> LineGlyphs:
    """The glyphs and rules of a line's print (`width` the width of a character)."""
    if strip.mask.size == 0:
        return LineGlyphs([], [])
    left, top = strip.left, strip.top
    count, _, stats, _ = cv2.connectedComponentsWithStats(strip.mask, connectivity=8)
    pieces, rules = [], []
    for x, y, w, h, area in stats[1:count]:
        if area < MIN_AREA:
            continue
        piece = Glyph(left + int(x), top + int(y), left + int(x + w - 1), top + int(y + h - 1))
        (rules if w > RULE * width and piece.flat else pieces).append(piece)
    glyphs: list[Glyph] = []
    stacks: list[list[Glyph]] = []  # the pieces of each glyph
    for piece in sorted(pieces, key=lambda g: g.x0):
        for k in range(len(glyphs) - 1, max(len(glyphs) - 3, -1), -1):
            if _stacked(glyphs[k], piece, strip.mask.shape[0]):
                glyphs[k] = glyphs[k].join(piece)
                stacks[k].append(piece)
                break
        else:
            glyphs.append(piece)
            stacks.append([piece])
    for glyph, stack in zip(glyphs, stacks, strict=True):
        glyph.unbarred = _unbarred(stack, strip.mask.shape[0])
    return LineGlyphs(sorted(glyphs, key=lambda g: g.x0), rules)


def _unbarred(stack: list[Glyph], line_height: int) -> Glyph | None:
    """What a glyph's stacked pieces are less a flat stroke clear of them all (BROKEN) and at least STACKED
    as wide as the side of it with the most print, when that side is no flat stroke itself (the bars of
    `=`): that side (a fraction's bar over one digit stacks with the digit, and a recognizer may read it
    as a `1` of its own). None where no piece is such a bar."""
    for bar in stack:
        rest = [p for p in stack if p is not bar]
        over = [p for p in rest if p.y1 < bar.y0 - BROKEN * line_height]
        under = [p for p in rest if p.y0 > bar.y1 + BROKEN * line_height]
        if not bar.flat or not rest or len(over) + len(under) < len(rest):
            continue
        side = max((over, under), key=lambda part: sum(_area(p) for p in part))
        glyph = functools.reduce(Glyph.join, side)
        if not glyph.flat and bar.x1 - bar.x0 + 1 >= STACKED * (glyph.x1 - glyph.x0 + 1):
            return glyph
    return None


def put_marks(glyphs: Sequence[Glyph], around: Strip) -> None:
    """The accents over glyphs (ocr/marks.py) put on them, read in `around`: the line's print with what
    lies over it (a fraction's bar over a denominator has its numerator there, an accent nothing). The
    marks' bases are placed in page pixels, as the glyphs are."""
    boxes = [(g.x0, g.y0, g.x1 + 1, g.y1 + 1) for g in glyphs]  # pixel edges, as the marks are placed
    placed: dict[int, Mark] = {}  # one mark over several glyphs stays one
    for k, mark in marks_over(around.mask, boxes, (around.left, around.top)).items():
        if id(mark) not in placed:
            placed[id(mark)] = mark.moved(around.left, around.top)
        glyphs[k].mark = placed[id(mark)]


def _area(glyph: Glyph) -> int:
    return (glyph.x1 - glyph.x0 + 1) * (glyph.y1 - glyph.y0 + 1)


def _print_level(strip: np.ndarray) -> float:
    """The grey level at or under which the strip's pixels are print: Otsu's split of the strip (a light scan
    prints in grey, and a fixed level breaks its strokes into specks), never as light as a watermark and
    never darker than PRINT."""
    otsu, _ = cv2.threshold(strip, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(min(max(otsu, PRINT), FAINT - 10))


def _stacked(a: Glyph, b: Glyph, line_height: int) -> bool:
    """Whether two pieces are one glyph: one above the other, overlapping horizontally by STACKED of the
    narrower (the dot of an `i`, the bars of `=`), or at all when the gap between them is a broken stroke;
    or one inside the other's box (a `9` whose loop came apart in the scan)."""
    overlap = min(a.x1, b.x1) - max(a.x0, b.x0) + 1
    narrower = min(a.x1 - a.x0, b.x1 - b.x0) + 1
    gap = max(b.y0 - a.y1, a.y0 - b.y1) - 1
    if gap < 0:  # side by side, unless one lies inside the other (the loop of a `9` come apart) and is not
        # a glyph of its own under a sign that spans it (the `x` of `√x` is small beside the radical)
        shorter = min(a.y1 - a.y0, b.y1 - b.y0) + 1
        smaller, larger = sorted((_area(a), _area(b)))
        return overlap >= INSIDE * narrower and -gap >= INSIDE * shorter and smaller >= PART * larger
    return overlap >= STACKED * narrower or (overlap > 0 and gap <= BROKEN * line_height)


def align(
    text: str, chars: Sequence[Box], glyphs: Sequence[Glyph], strip: Strip | None = None
) -> list[Glyph | None]:
    """For each character of `text` (its box in `chars`), the glyphs matched to it joined into one (None:
    no glyph). Aligned twice: the second time with the boxes moved by the median drift the first found.
    With the line's print (`strip`), two characters may share one glyph, cut between them."""
    if not chars:
        return []
    middles = [(c[0] + c[2]) / 2 for c in chars]
    width = float(np.median([max(c[2] - c[0], 1.0) for c in chars]))
    widths = [c[2] - c[0] for c in chars]
    meets = [(a[2] + b[0]) / 2 for a, b in itertools.pairwise(chars)]  # where the recognizer put them
    cuts: dict[tuple[int, int], tuple[Glyph, Glyph] | None] = {}  # the same in both alignments
    matched = _align(text, middles, widths, width, glyphs, strip, meets, cuts)
    drift = [
        g.middle - x
        for g, x in zip(matched, middles, strict=True)
        if g is not None and g.pieces == 1 and not g.cut  # a cut glyph's middle is not its own
    ]
    if not drift:
        return matched
    shift = float(np.median(drift))
    return _align(text, [x + shift for x in middles], widths, width, glyphs, strip, meets, cuts)


def _align(
    text: str,
    middles: list[float],
    widths: list[float],
    width: float,
    glyphs: Sequence[Glyph],
    strip: Strip | None,
    meets: Sequence[float],
    cuts: dict[tuple[int, int], tuple[Glyph, Glyph] | None],
) -> list[Glyph | None]:
    """One alignment by dynamic programming; `cuts` keeps the cut of glyph j between characters i and
    i + 1 (by (i, j)), which the boxes' drift does not change."""
    n, m = len(middles), len(glyphs)
    split = [SPLIT_CJK if _CJK.match(char) else SPLIT for char in text]
    inf = float("inf")
    cost = np.full((n + 1, m + 1), inf)
    back: dict[tuple[int, int], tuple[int, int]] = {}
    cost[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i, j]
            if here == inf:
                continue
            if j < m and (i == n or glyphs[j].middle < middles[i] + BAND * width):
                _relax(cost, back, (i, j), (i, j + 1), here + PASS_OVER)
            if i < n:
                _relax(cost, back, (i, j), (i + 1, j), here + NO_GLYPH)
                for k in range(1, min(MAX_PARTS, m - j) + 1):
                    run = glyphs[j : j + k]
                    middle = (run[0].x0 + run[-1].x1) / 2
                    if abs(middle - middles[i]) > BAND * width:
                        if middle > middles[i]:
                            break
                        continue
                    wider = max(run[-1].x1 - run[0].x0 + 1 - widths[i], 0) if k > 1 else 0  # than its box
                    step = (abs(middle - middles[i]) + wider) / width + split[i] * (k - 1)
                    _relax(cost, back, (i, j), (i + 1, j + k), here + step)
                if (
                    strip is not None
                    and i + 1 < n
                    and j < m
                    and abs(glyphs[j].middle - (middles[i] + middles[i + 1]) / 2) <= width
                    and _may_share(glyphs[j], widths[i : i + 2])
                ):
                    if (i, j) not in cuts:
                        cuts[(i, j)] = _cut(glyphs[j], meets[i], strip)
                    if cuts[(i, j)]:
                        middle = (middles[i] + middles[i + 1]) / 2
                        step = abs(glyphs[j].middle - middle) / width + SHARE
                        _relax(cost, back, (i, j), (i + 2, j + 1), here + step)
    out: list[Glyph | None] = [None] * n
    state = (n, m)
    while state != (0, 0):
        before = back[state]
        if state[0] - before[0] == 2:  # two characters share one glyph, cut where their boxes meet
            out[before[0]], out[before[0] + 1] = cuts[before]
        elif before[0] < state[0] and before[1] < state[1]:
            run = glyphs[before[1] : state[1]]
            joined = run[0]
            for glyph in run[1:]:
                joined = joined.join(glyph)
            out[before[0]] = joined
        state = before
    return out


def _may_share(glyph: Glyph, widths: Sequence[float]) -> bool:
    """Whether a glyph is wide enough to be two characters' ink: wider than either box, and at least SHARED
    of its own height (a denominator's `b` joined to its bar, beside a raised `²` read `b{2`, is no `b{`)."""
    wide = glyph.x1 - glyph.x0 + 1
    return wide > max(widths) and wide >= SHARED * (glyph.y1 - glyph.y0 + 1)


def _cut(glyph: Glyph, meet: float, strip: Strip) -> tuple[Glyph, Glyph] | None:
    """A glyph two characters share, cut at its thinnest column within CUT of its width from `meet` (at
    most THIN of its fullest; each part CUT_PART wide at least); None where no column there is so thin.
    Each part is the main ink of its own columns, what the cut leaves of the other character's strokes
    there (`x₀`: the tip of the x's arm over the 0) left out as specks."""
    ink = _ink(glyph, strip)
    columns = ink.sum(axis=0)
    reach, least = CUT * len(columns), max(int(np.ceil(CUT_PART * len(columns))), 1)
    at = meet - glyph.x0
    lo, hi = max(int(at - reach), least), min(int(np.ceil(at + reach)), len(columns) - least)
    if hi <= lo:
        return None
    cut = lo + int(np.argmin(columns[lo:hi]))  # the right part starts at column `cut`
    if columns[cut] > THIN * columns.max():
        return None
    parts = []
    for a, b in ((0, cut), (cut, len(columns))):
        rows = _main_rows(ink[:, a:b])
        x0, x1 = glyph.x0 + a, glyph.x0 + b - 1
        mark = glyph.mark if glyph.mark and _under(glyph.mark, x0, x1) else None
        parts.append(Glyph(x0, glyph.y0 + rows[0], x1, glyph.y0 + rows[1], 1, mark, cut=True))
    return parts[0], parts[1]


def cut_apart(left: Glyph | None, right: Glyph | None) -> bool:
    """Whether two characters' glyphs are the two parts of one glyph they shared (`_cut` between them)."""
    return bool(left and right and left.cut and right.cut and right.x0 == left.x1 + 1)


def hanging_script(glyph: Glyph, strip: Strip, below: float, height: float) -> Glyph | None:
    """Where a subscript run into a letter's glyph lies (`A₁`, `λ₁` one blot on a 96 dpi scan, the `1`
    beside the letter's leg): from the first column with ink under row `below` (the line's foot) to the
    glyph's right edge, the `height` rows above the glyph's foot. None where no ink hangs under the line,
    or it starts in the glyph's left part (HANG_FROM: the letter's own tail)."""
    ink = _ink(glyph, strip)
    first_below = int(np.floor(below)) + 1 - glyph.y0
    if not 0 <= first_below < ink.shape[0]:
        return None
    hanging = np.flatnonzero(ink[first_below:].any(axis=0))
    if hanging.size == 0 or hanging[0] < HANG_FROM * ink.shape[1]:
        return None
    return Glyph(glyph.x0 + int(hanging[0]), int(round(glyph.y1 - height)), glyph.x1, glyph.y1)


def _ink(glyph: Glyph, strip: Strip) -> np.ndarray:
    """The print of the line inside a glyph's box."""
    top, left = glyph.y0 - strip.top, glyph.x0 - strip.left
    return strip.mask[top : glyph.y1 - strip.top + 1, left : glyph.x1 - strip.left + 1]


def _main_rows(part: np.ndarray) -> tuple[int, int]:
    """The rows of a part's pieces of print that are not specks beside its largest (SPECK of its area)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(part.astype(np.uint8), connectivity=8)
    if count < 2:
        return 0, part.shape[0] - 1
    largest = stats[1:, cv2.CC_STAT_AREA].max()
    kept = [s for s in stats[1:count] if s[cv2.CC_STAT_AREA] >= SPECK * largest]
    return min(int(s[1]) for s in kept), max(int(s[1] + s[3] - 1) for s in kept)


def _under(mark: Mark, x0: int, x1: int) -> bool:
    """Whether the columns x0..x1 lie half under the mark's own print (its box's right edge is exclusive)."""
    return 2 * (min(mark.box[2] - 1, x1) - max(mark.box[0], x0) + 1) >= x1 - x0 + 1


def _relax(
    cost: np.ndarray, back: dict, source: tuple[int, int], target: tuple[int, int], value: float
) -> None:
    if value < cost[target]:
        cost[target] = value
        back[target] = source
