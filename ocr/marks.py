"""Accents over letters seen in the ink: a vector's arrow (`\\vec{a}`), a bar (`\\bar{x}`, `\\overline{z}`).

A recognizer reads `a⃗` as `a` or `ā`, and `z̄` as `z`: the mark is a small piece of print of its own, right
over the glyph it marks, and its shape tells what it is. A mark is flat (much wider than tall), close over
its glyphs (one, the mark not much wider than it; or several, the mark spanning them end to end:
`\\overrightarrow{AB}`), and has no print right over it (a fraction's bar has its numerator there). Its
columns tell the shape: a bar's are one stroke each at one height; an arrow's are one stroke along the
shaft and several at its right end, where the head opens. Anything else over a letter (the dot of an `i`,
a hat, a tilde, the top stroke of `元`) is no mark.

The masks are print (1) on paper (0), in pixels; each reader maps a mark's `bases` to its own characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

MIN_WIDTH = 4  # pixels: a narrower piece is a speck or a dot
FLAT = 0.6  # of its width: a mark is at most this tall (an arrow with its head)
BAR_FLAT = 0.35  # of its width: a bar is at most this tall
WIDE = 1.6  # of its base's width: a mark is at most this wide (a fraction's bar over one letter is wider)
TALLER = 1.8  # of the mark's height: its base is at least this tall
TALLER_ARROW = 1.5  # the same for an arrow whose head shows plainly (a stretched one over capitals)
PLAIN_HEAD = 0.3  # of its width: an arrow this tall shows its head plainly (a scan's may be a blurred bar)
PLAIN_WIDTH = 12  # pixels: and this wide (the top stroke of a small `z` come apart looks like one)
GAP = 0.85  # of the base's height: the mark sits at most this far over it (a house style sets arrows at one
# height, over an x-height letter as over a capital: `\vec{a}` beside `\vec{b}` in the gaokao papers)
OVERLAP = 0.5  # of the narrower: how much the mark and its base overlap side by side
TAIL_OVERLAP = 0.25  # the same, for a glyph whose top holds the mark's left end (an italic capital leans
# out from under the arrow stretched over it and the next)
REACH = 0.5  # of its glyphs' height: a mark over several reaches at most this far beyond them
CLEAR = 1.2  # of its glyphs' height: the paper this far over a bar is clear (a fraction's bar has its numerator there)
CLEAR_ARROW = 0.5  # the same for a plain arrow, which no fraction has: the line over it may be close
HEAD = 1.5  # an arrow's head is at least this many times as tall as its shaft (blurred at 144 dpi)
MIN_AREA = 3  # pixels
ZERO = 1.25  # of its width: a round glyph this tall is the digit 0 (an o or O is about as tall as wide)
STEM = 0.8  # of a piece's height: a column of print this tall at its end is a stroke of its own
_LETTER = re.compile(r"[A-Za-zα-ωΑ-Ω]")
_MATH = re.compile(r"[0-9A-Za-zα-ωΑ-Ω+\-−′' ]+")  # what a stretched accent may stand over


class Accent(StrEnum):
    """What a mark over a letter means, named by its LaTeX command."""

    VEC = "vec"
    BAR = "bar"


PixelBox = tuple[int, int, int, int]  # x0, y0, x1, y1, inclusive pixels


@dataclass(frozen=True, eq=False)
class Mark:
    """An accent and the glyphs under it, left to right: one (`\\vec{a}`) or several
    (`\\overrightarrow{AB}`). Each mark is its own: two marks alike over two letters are two."""

    accent: Accent
    bases: tuple[PixelBox, ...]
    box: PixelBox  # the mark's own print

    @property
    def stretched(self) -> str:
        """The LaTeX command of the accent over several characters."""
        return "overrightarrow" if self.accent is Accent.VEC else "overline"

    def moved(self, dx: int, dy: int) -> Mark:
        """The same mark with its boxes moved by (dx, dy) pixels."""

        def move(box: PixelBox) -> PixelBox:
            return box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy

        return Mark(self.accent, tuple(move(base) for base in self.bases), move(self.box))


def marks(mask: np.ndarray) -> list[Mark]:
    """The accents over glyphs in a mask of print, left to right."""
    if mask.size == 0:
        return []
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    pieces = [
        (k, int(x), int(y), int(x + w - 1), int(y + h - 1))
        for k, (x, y, w, h, area) in enumerate(stats[1:count], start=1)
        if area >= MIN_AREA
    ]
    found = []
    for k, *box in pieces:
        x0, y0, x1, y1 = box
        if y1 - y0 + 1 > FLAT * (x1 - x0 + 1):  # too tall for a mark, unless a stroke is joined to one
            x0, y0, x1, y1 = _off_stems(labels, k, box)
        width, height = x1 - x0 + 1, y1 - y0 + 1
        if width < MIN_WIDTH or height > FLAT * width:
            continue
        accent = _shape(labels[y0 : y1 + 1, x0 : x1 + 1] == k)
        if accent is None:
            continue
        # an arrow whose head shows plainly: no bar blurred at its end, no broken stroke of a letter
        arrow = accent is Accent.VEC and height >= PLAIN_HEAD * width and width >= PLAIN_WIDTH
        bases = _bases((x0, y0, x1, y1), pieces, labels, k, TALLER_ARROW if arrow else TALLER)
        reach = (CLEAR_ARROW if arrow else CLEAR) * max((b[3] - b[1] + 1 for b in bases), default=0)
        if bases and _clear(mask, (x0, y0, x1, y1), reach):
            found.append(Mark(accent, bases, (x0, y0, x1, y1)))
    return sorted(found, key=lambda mark: mark.bases[0][0])


def marks_over(
    mask: np.ndarray,
    boxes: Sequence[Sequence[float]],
    origin: tuple[float, float] = (0.0, 0.0),
    scale: float = 1.0,
) -> dict[int, Mark]:
    """The mark over each of `boxes` (x0, y0, x1, y1, in the units of `origin` and `scale`, which place
    the mask's pixels), by the box's index: a box holds a mark when it holds the middle of one of its
    bases (the one that shares the most with it, when several do)."""
    found: dict[int, Mark] = {}
    for mark in marks(mask):
        for base in mark.bases:
            x0, y0 = origin[0] + base[0] * scale, origin[1] + base[1] * scale
            x1, y1 = origin[0] + (base[2] + 1) * scale, origin[1] + (base[3] + 1) * scale
            x, y = (x0 + x1) / 2, (y0 + y1) / 2
            holding = [k for k, b in enumerate(boxes) if b[0] <= x <= b[2] and b[1] <= y <= b[3]]
            if holding:  # the box most like the base's own (a bar's box joined to a mark may hold it too)
                found[max(holding, key=lambda k: _overlap(boxes[k], (x0, y0, x1, y1)))] = mark
    return found


def _overlap(a: Sequence[float], b: Sequence[float]) -> float:
    """The share of the union of two boxes that both cover."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    both = max(width, 0.0) * max(height, 0.0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - both
    return both / union if union > 0 else 0.0


def _off_stems(labels: np.ndarray, k: int, box: list[int]) -> tuple[int, int, int, int]:
    """The box of piece `k` without the strokes as tall as it at its ends (a mark touching a vertical bar:
    the arrow of `|\\vec{a}|` runs into the bar), over the rows the rest holds."""
    x0, y0, x1, y1 = box
    piece = labels[y0 : y1 + 1, x0 : x1 + 1] == k
    stem = piece.sum(axis=0) >= STEM * piece.shape[0]
    left, right = 0, len(stem)
    while left < right and stem[left]:
        left += 1
    while right > left and stem[right - 1]:
        right -= 1
    if (left, right) == (0, len(stem)) or left == right:
        return x0, y0, x1, y1
    rows = np.nonzero(piece[:, left:right].any(axis=1))[0]
    return x0 + left, y0 + int(rows[0]), x0 + right - 1, y0 + int(rows[-1])


def _bases(mark: PixelBox, pieces: list, labels: np.ndarray, own: int, taller: float) -> tuple[PixelBox, ...]:
    """The glyphs right under a mark, if a mark can stand on them: each `taller` times as tall as the mark
    at least, and under it over half the narrower's width (a quarter, when the mark starts over its top);
    one that the mark is at most WIDE times as wide as, or several that it spans end to end (a rule
    reaching well beyond them is a table's)."""
    x0, y0, x1, y1 = mark
    width, height = x1 - x0 + 1, y1 - y0 + 1
    under = []
    for k, bx0, by0, bx1, by1 in pieces:
        if k == own or by0 <= y1:
            continue
        b_height = by1 - by0 + 1
        if by0 - y1 - 1 > GAP * b_height or b_height < taller * height:
            continue
        share = (min(x1, bx1) - max(x0, bx0) + 1) / min(width, bx1 - bx0 + 1)
        if share >= OVERLAP or (share >= TAIL_OVERLAP and _over_top(x0, labels, k, (bx0, by0, bx1, by1))):
            under.append((bx0, by0, bx1, by1))
    under.sort()
    if len(under) == 1:
        return tuple(under) if width <= WIDE * (under[0][2] - under[0][0] + 1) else ()
    if not under:
        return ()
    reach = REACH * float(np.mean([b[3] - b[1] + 1 for b in under]))
    return tuple(under) if x0 >= under[0][0] - reach and x1 <= max(b[2] for b in under) + reach else ()


def _over_top(x: int, labels: np.ndarray, k: int, box: PixelBox) -> bool:
    """Whether column `x` lies over the top third of piece `k` (its box `box`)."""
    x0, y0, x1, y1 = box
    top = np.nonzero((labels[y0 : y0 + (y1 - y0 + 1) // 3 + 1, x0 : x1 + 1] == k).any(axis=0))[0]
    return x0 + top.min() <= x <= x0 + top.max()


def _clear(mask: np.ndarray, mark: PixelBox, reach: float) -> bool:
    """Whether the paper right over a mark is clear, as far up as `reach` (a fraction's numerator is not);
    a mark too near the top of the mask to tell is none (a fraction's part cut out with its bar)."""
    x0, y0, x1, _ = mark
    return y0 >= round(reach) and not mask[y0 - round(reach) : y0, x0 : x1 + 1].any()


def _shape(piece: np.ndarray) -> Accent | None:
    """An arrow (a head at the right end, taller than the shaft and than the left end), a bar (one stroke
    at one height, no taller at its right end), or neither: a mark that is neither for sure is none."""
    columns = piece.sum(axis=0).astype(float)
    inked = columns > 0
    if inked.sum() < MIN_WIDTH:
        return None
    width = piece.shape[1]
    rows = np.arange(piece.shape[0])[:, None]
    centres = (piece * rows).sum(axis=0)[inked] / columns[inked]
    shaft = float(np.median(columns[: max(width // 2, 1)]))
    end = max(width // 4, 2)
    head, tail = float(columns[-end:].max()), float(columns[:end].max())
    if head >= max(HEAD * shaft, 3) and head > tail:
        return Accent.VEC
    level = centres.max() - centres.min() <= max(1.0, shaft)
    if piece.shape[0] <= BAR_FLAT * width and level and head <= shaft:
        return Accent.BAR
    return None


def accented(char: str, accent: Accent | None) -> str:
    """`char` written under its accent (`\\vec{a}`; `ā` read for an arrowed `a` is that `a`), when it is a
    letter (or the zero vector's 0); else as it is."""
    base = _bare(char)
    zero = accent is Accent.VEC and base == "0"
    if accent is None or not (_LETTER.fullmatch(base) or zero) or (accent is Accent.BAR and base in "ij"):
        return char  # a bar over an i is its dot, blurred
    return f"\\{accent}{{{base}}}"


def _zero(char: str, mark: Mark) -> str:
    """`0` for a round letter read under an arrow whose glyph is as tall as a digit (`\\vec{0}` read
    `ō`: an `o` is as wide as tall); else `char`."""
    if mark.accent is not Accent.VEC or not mark.bases or _bare(char) not in ("o", "O"):
        return char
    x0, y0, x1, y1 = mark.bases[0]
    return "0" if y1 - y0 + 1 >= ZERO * (x1 - x0 + 1) else char


def decorate(chars: Sequence[str], marked: Mapping[int, Mark]) -> list[str]:
    """`chars` (the text of each character or token, by index) with the marks over them written out
    (`marked`: the mark over each index): one letter under its accent (`\\vec{a}`), several from the first
    to the last under the stretched one (`\\overrightarrow{AB}`, what lies between included). A mark over
    anything but letters, digits and signs (a CJK character's stroke) is left unwritten."""
    out = list(chars)
    under: dict[Mark, list[int]] = {}
    for i, mark in sorted(marked.items()):
        under.setdefault(mark, []).append(i)
    for mark, at in under.items():
        first, last = at[0], at[-1]
        if first == last:
            out[first] = accented(_zero(out[first], mark), mark.accent)
            continue
        span = range(first, last + 1)
        if not all(_MATH.fullmatch(_bare(out[i]).strip() or " ") for i in span):
            continue
        for i in span:
            out[i] = _bare(out[i])
        out[first] = f"\\{mark.stretched}{{{out[first]}"
        out[last] += "}"
    return out


def _bare(text: str) -> str:
    """`text` without combining marks (the macron of `ā`)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
