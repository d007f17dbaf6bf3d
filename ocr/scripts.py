"""Superscripts and subscripts from the ink: `x3` read from a page that prints x³ becomes `x^{3}`.

A text recognizer reads a line as a flat string: the exponent of `x³` comes back as `x3`, the index of
`a₁` as `a1`. Each character is matched to its glyph on the page (`ocr/glyphs.py`: the recognizer's own
character boxes drift), and the glyphs' ink says where it sits. Only glyphs that stand at full size on the
baseline say where the baseline is (digits, capitals and letters without descender no smaller than the
page's full size for their kind, a descending letter by its top and the x-height; the foot most of them
stand on wins a vote, CJK glyphs breaking ties), and the glyph height is that of the full-size digits and
capitals on it, else the page's. A line is measured against the page's sizes (`page_sizes`), so that a
fraction's part of two glyphs is measured too; alone, a line needs REFERENCE full-size glyphs.

- superscript: small (at most SMALL), its foot at least SUP_RISE glyph heights above the baseline and its
  top near the cap height or above (SUP_TOP); not a capital (a raised capital is a figure's label);
- subscript: small, its foot at least SUB_DROP below the baseline and its top low (SUB_TOP), not a letter
  that descends; or much smaller than its kind (SCRIPT_SIZE) and a little below (SUB_SLIGHT: TeX's);
- a sign joins a script between two of its characters (`x^{n+1}`), and so does a letter no size class
  measures (`_{min}`); a script needs a base before it, a digit takes no subscript (`15.`), a dot is none.

Scripts the recognizer dropped are put back: subscript ones (`lost_ones` of ocr/subscripts.py), and any
glyph no character took that sits small, raised or lowered, right after a base, read on its own by the
engine (`read`). A fraction bar read as a character is no character.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ocr.glyphs import Glyph, Strip, align, cut_apart, hanging_script, line_glyphs, print_strip, put_marks
from ocr.inline_math import CASELESS, Box
from ocr.marks import decorate

SUP_RISE = 0.3  # of the glyph height: how far above the baseline a superscript's foot sits, at least
SUB_DROP = 0.2  # of the glyph height: how far below the baseline a subscript's foot sits, at least
SCRIPT_SIZE = 0.75  # of the full size of its kind: a glyph this small is set as a script
SUB_SLIGHT = 0.08  # of the glyph height: how far below the baseline such a glyph's foot sits, at least
SMALL = 0.8  # of the glyph height: a script is at most this tall
SUP_TOP = 0.85  # of the glyph height above the baseline: a superscript reaches at least this high
SUB_TOP = 0.6  # of the glyph height above the baseline: a subscript starts no higher
LOW_TOP = 0.35  # of the glyph height above the baseline: a subscript g j p q y starts no higher (under the
# middle of the x-height; on the line they start at the x-height or above)
REFERENCE = 2  # full-size glyphs a line measured alone needs for its baseline (one, with the page's sizes)
NEAR = 0.5  # of the glyph height: a dropped script sits at most this far right of its base
ECHO = 1 / 3  # of a script's ink box: a character after it read on less ink repeats it
MARKED_FLOOR = 0.5  # a letter under an accent read as no letter takes a reading alone this sure
HELD = 0.6  # of the glyph height: how tall a subscript run into its letter is read, up from its foot
HELD_FLOOR = 0.3  # a subscript run into its letter, where the ink shows one, is taken read this sure
HELD_LETTER_FLOOR = 0.6  # a letter read alone from a blot that holds its subscript is taken this sure
LEAST = 0.3  # of the glyph height: a script is at least this tall (a dot is none)
DESCENT = 1.3  # of the x-height: a letter with a descender is at least this tall
FULL_SIZE = 75  # percentile of a page's glyph heights that is taken as their full size
TILT_GLYPHS = 12  # glyphs a line needs to measure its tilt
TILT_FALL = 0.1  # of the line's height: a line whose baseline falls less over its length is level
_FULL = re.compile(r"[0-9A-Z]")  # glyphs from the baseline to the cap height
_X_HEIGHT = re.compile(r"[acemnorsuvwxz]")  # from the baseline to the x-height
_DESCENDS = re.compile(r"[gjpqy]")
_ASCENDS = re.compile(r"[bdhklt]")  # from the baseline to the ascender height
_RULE_READ = re.compile(r"[1lI|\-−—_一]")  # what a recognizer reads a rule as
_UPRIGHT = re.compile(r"[1lI|]")  # characters that are one upright stroke: never flat
_READ_SCRIPT = re.compile(r"[0-9A-Za-z]{1,2}")  # what a dropped script read on its own may be
_UNSIZED = re.compile(r"[fgijpqy]")  # letters whose height is neither a digit's nor an x-height letter's
_STANDS = re.compile(r"[0-9A-Zacemnorsuvwxzbdhklt\u4e00-\u9fff]")  # glyphs whose foot is on the baseline
_SCRIPT = re.compile(r"[0-9A-Za-z]")  # a script, or a letter under an accent read right
_SIGN = re.compile(r"[+\-−]")
_SHAPE = re.compile(r"△")  # a shape a script may start with (the area S_{△ABC})
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BASE = re.compile(r"[0-9A-Za-z)\]}|α-ωΑ-Ω]")
# letters that stand on the line, no tail below it (not g j p q y, nor italic f, Q, J, nor β γ ζ η μ ξ ρ φ χ ψ)
_HOLDS = re.compile(r"[A-IK-PR-Zabcdehik-or-xzαδεθικλνοπστυωΓΔΘΛΞΠΣΦΨΩ]")


@dataclass
class LineInk:
    """A recognized line with the ink of each of its non-space characters (`shown` their indices in
    `text`), rows levelled when the line is tilted; `glyphs` the glyph each character was matched to."""

    text: str
    shown: list[int]
    ink: dict[int, tuple[float, float] | None]
    glyphs: dict[int, Glyph | None]
    height: int  # of the strip the ink was read in, in pixels
    unread: list[tuple[int, Glyph, tuple[float, float]]] = field(default_factory=list)
    """Glyphs no character was matched to: the index of the character each follows, the glyph, its
    levelled ink rows."""
    on_rules: set[int] = field(default_factory=set)
    """Characters read from a rule (the bar of a fraction read as `1` or `-`): no characters. Either
    with no glyph of their own where the line has a rule, or read from a bar at an end of the line
    (`_bars_read`: a flat glyph of their own, or a bar stacked on the digit beside them)."""
    strip: Strip | None = None  # the line's print


@dataclass(frozen=True)
class Sizes:
    """Heights of full-size glyphs on a page: `full` a digit or capital, `x` an x-height letter (None:
    none seen). A line measures its scripts against them when it has too few glyphs of its own."""

    full: float | None
    x: float | None


def line_ink(text: str, chars: Sequence[Box], gray: np.ndarray, line: Box) -> LineInk | None:
    """The ink of a line whose non-space characters are boxed by `chars` in `gray`'s pixels (`line` is the
    line's box); None when the boxes do not pair with the characters."""
    shown = [i for i, char in enumerate(text) if not char.isspace()]
    if len(shown) != len(chars) or not shown:
        return None
    top, bottom = max(int(line[1]) - 2, 0), min(int(line[3]) + 3, gray.shape[0])
    width = float(np.median([box[2] - box[0] for box in chars]))
    strip = print_strip(gray, line, top, bottom)
    found = line_glyphs(strip, width)
    put_marks(found.glyphs, print_strip(gray, line, max(top - (bottom - top), 0), bottom))
    matched = align([text[i] for i in shown], chars, found.glyphs, strip)
    glyphs = dict(zip(shown, matched, strict=True))
    bars_read = _bars_read(text, shown, glyphs)  # before the ink: a digit under a bar is measured without it
    middles = {
        i: g.middle if g else (box[0] + box[2]) / 2 for (i, g), box in zip(glyphs.items(), chars, strict=True)
    }
    standing = [i for i in shown if glyphs[i] and _STANDS.match(text[i])]
    slope = _slope([(middles[i], glyphs[i].y1) for i in standing])
    if abs(slope) * (line[2] - line[0]) < TILT_FALL * (bottom - top):
        slope = 0.0  # a level line: what the fit finds is the noise of the feet
    ink = {i: _level(glyphs[i], slope * (middles[i] - line[0])) for i in shown}
    unread = []
    for glyph in found.glyphs:
        if any(g and _piece_of(glyph, g) for g in matched):
            continue
        before = [i for i in shown if glyphs[i] and glyphs[i].x0 < glyph.x0]
        if before:
            unread.append((before[-1], glyph, _level(glyph, slope * (glyph.middle - line[0]))))
    on_rules = {
        i
        for i, box in zip(shown, chars, strict=True)
        if glyphs[i] is None
        and _RULE_READ.fullmatch(text[i])
        and any(rule.x0 <= (box[0] + box[2]) / 2 <= rule.x1 for rule in found.rules)
    } | bars_read
    return LineInk(text, shown, ink, glyphs, bottom - top, unread, on_rules, strip)


def _bars_read(text: str, shown: list[int], glyphs: dict[int, Glyph | None]) -> set[int]:
    """The characters at an end of the line (a fraction's part) that a recognizer read from its bar: a
    `1`, `-` or `一` on a bar stacked on the glyph of the digit beside it (`12` for the `2` under the bar of
    `\\frac{1}{2}`: one of the two characters takes that glyph, the other no ink or a speck; the digit is
    given its glyph less the bar, `glyphs` changed in place), or an upright stroke on a flat glyph."""
    read = set()
    for end, beside in ((shown[0], shown[1]), (shown[-1], shown[-2])) if len(shown) > 1 else ():
        pair = (glyphs[end], glyphs[beside])
        barred = [g for g in pair if g is not None and g.unbarred is not None and g.mark is None]
        if not barred or not _RULE_READ.fullmatch(text[end]):  # (an accent over a letter is no bar)
            continue
        other = pair[1] if barred[0] is pair[0] else pair[0]
        if _speck(other, barred[0]):
            glyphs[beside], glyphs[end] = barred[0].unbarred, None
            read.add(end)
    ends = {shown[0], shown[-1]}
    return read | {i for i in ends if _UPRIGHT.fullmatch(text[i]) and glyphs[i] and glyphs[i].flat}


def _piece_of(piece: Glyph, glyph: Glyph) -> bool:
    """Whether a piece of print is part of a character's glyph (the rings of a `%`): in its columns (more
    than one) and its middle in its rows (a `₁` under an italic `P`'s bowl is not)."""
    columns = min(glyph.x1, piece.x1) - max(glyph.x0, piece.x0) > 1
    return columns and glyph.y0 <= (piece.y0 + piece.y1) / 2 <= glyph.y1


def page_sizes(lines: Iterable[LineInk | None]) -> Sizes:
    """The full-size glyph heights of a page's lines: a high percentile of its digits and capitals (digits
    are often scripts, but fewer than the rest), the median of its x-height letters."""
    full, x = [], []
    for line in lines:
        for i in line.shown if line else ():
            if line.ink[i] is not None:
                height = line.ink[i][1] - line.ink[i][0] + 1
                if _FULL.match(line.text[i]):
                    full.append(height)
                elif _X_HEIGHT.match(line.text[i]):
                    x.append(height)
    return Sizes(float(np.percentile(full, FULL_SIZE)) if full else None, float(np.median(x)) if x else None)


def raise_scripts(
    line: LineInk,
    sizes: Sizes | None = None,
    lost_ones: Collection[int] = (),
    read: Callable[..., str] | None = None,
) -> str:
    """The line's text with the scripts the page shows written as `^{...}` and `_{...}`. Glyphs are
    measured against the page's `sizes` (by default the line's own). `lost_ones` are the indices of
    letters whose subscript 1 the recognizer dropped (ocr/subscripts.py): a `_{1}` is written after each.
    `read` reads one glyph on its own ("" below its `floor` of confidence): a script the recognizer
    dropped (`(x-√x)⁴` read `(x-√x)`) is read with it and written after its base; with `alone=True`, on
    blank paper (a letter under an arrow is read so). An accent over letters (ocr/marks.py) is written over them
    (`\\vec{a}`, `\\overrightarrow{AB}`)."""
    role, measure = _roles(line, sizes)
    fixed = _without_echoes(line, ())
    if read is not None and measure is not None:
        fixed = _misread_braces(fixed, measure, read)
    if read is not None:
        fixed = _misread_marked(fixed, read)
    if fixed is not line:
        line = fixed
        role, measure = _roles(line, sizes)
    held: dict[int, str] = {}
    if measure is not None:
        fixed, held = _held_scripts(line, role, measure, read)
        if fixed is not line:
            line = fixed
            role, measure = _roles(line, sizes)
    text, shown = line.text, line.shown
    added = {i: "_{1}" for i in lost_ones} | held
    chars = decorate(text, {i: glyph.mark for i, glyph in line.glyphs.items() if glyph and glyph.mark})
    if read is not None and measure is not None:
        added = _dropped_scripts(line, role, measure, read) | added
    out: list[str] = []
    last, k = 0, 0  # text[:last] is in out; shown[k] is the next character to look at
    while k < len(shown):
        i, kind = shown[k], role[shown[k]]
        base = next((j for j in reversed(shown[:k]) if j not in line.on_rules), None)  # a character
        run = []
        if (
            kind
            and base is not None
            and role[base] != kind
            and (role[base] or _BASE.match(text[base]))
            and not (kind == "sub" and text[base].isdigit())  # `15.` is a number, not 1 with a subscript 5
        ):
            run = [i]
            while k + len(run) < len(shown) and role[shown[k + len(run)]] == kind:
                run.append(shown[k + len(run)])
            while run and _SIGN.fullmatch(text[run[-1]]):
                run.pop()
        if run:
            out.append(("^" if kind == "sup" else "_") + "{" + "".join(chars[j] for j in run) + "}")
            last = run[-1] + 1
            k += len(run)
            continue
        out.append(text[last:i] if i in line.on_rules else text[last:i] + chars[i] + added.get(i, ""))
        last = i + 1
        k += 1
    return "".join(out) + text[last:]


@dataclass(frozen=True)
class _Measure:
    baseline: float
    height: float
    sizes: Sizes


def _dropped_scripts(
    line: LineInk, role: dict[int, str], measure: _Measure, read: Callable[[Glyph], str]
) -> dict[int, str]:
    """Scripts the recognizer left out, by the index of their base: glyphs no character took that sit
    raised or lowered and small right after a base with no script of its own, read on their own."""
    added: dict[int, str] = {}
    for base, glyph, ink in line.unread:
        char = line.text[base]
        near = line.glyphs[base] and glyph.x0 - line.glyphs[base].x1 <= NEAR * measure.height
        if base in added or role[base] or not near or not _BASE.match(char):
            continue
        if ink[1] - ink[0] + 1 < LEAST * measure.height:  # a dot, a speck
            continue
        kind = _role("0", ink, measure.baseline, measure.height, measure.sizes)
        if kind == "sub" and char.isdigit():  # `15.`: a number, not 1 with a subscript
            continue
        following = line.shown.index(base) + 1
        if not kind or (following < len(line.shown) and role[line.shown[following]] == kind):
            continue
        script = _caseless(read(glyph))
        if _READ_SCRIPT.fullmatch(script):
            added[base] = ("^" if kind == "sup" else "_") + "{" + script + "}"
    return added


def _held_scripts(
    line: LineInk, role: dict[int, str], measure: _Measure, read: Callable[..., str] | None
) -> tuple[LineInk, dict[int, str]]:
    """Subscripts run into their letter's glyph (`A₁`, `λ₁` one blot on a 96 dpi scan: ink hangs below
    the line on the letter's right, ocr/glyphs.hanging_script). The recognizer reads such a blot in
    several ways, each mended where the blot's own parts say so:
    - the letter read, its script dropped (`A₁` read `A`): the script is read where it hangs, on blank
      paper, and written after the letter (by the letter's index), when it is a letter or a digit;
    - the script's digit read with no ink of its own (`MA₂P` read `MA2P`), or with a piece cut from the
      next character's glyph (`λ₂OP` read `λ2OP`, the 2 given the O's left side) and read alone the same:
      the digit takes what hangs, the next character its whole glyph back;
    - the letter read as a character that never hangs (a digit, a brace with no partner: `λ₂` read `2`,
      `λ₃` read `{`), or as a letter and such a character sharing the blot (`A₂` read `A42`, `n₂` read
      `n2` cut between the n's legs): the letter is what the blot left of what hangs reads alone
      (HELD_LETTER_FLOOR); the script is the digit after it with no ink of its own (the character it
      shared the blot with is dropped), else that character;
    - the blot read as nothing (`λ₁，λ₂，λ₃` read `λ，，λ`): the letter and the script read alone are
      written after the character before it.
    The line is given back with its characters mended."""
    held: dict[int, str] = {}
    if line.strip is None:
        return line, held
    text, glyphs, ink, on_rules = list(line.text), dict(line.glyphs), dict(line.ink), set(line.on_rules)
    on_line, lone = _on_line(line), _lone_braces(line.text)

    def hangs(glyph: Glyph, shift: float) -> Glyph | None:
        baseline = measure.baseline + shift  # the line's fall here (a tilted line is levelled)
        if glyph.y1 < baseline + SUB_DROP * measure.height:
            return None
        return hanging_script(glyph, line.strip, baseline + on_line, HELD * measure.height)

    def letter(blot: Glyph, script: Glyph) -> str:
        """What the blot left of its script reads alone: a letter that holds a script, else ""."""
        if read is None:
            return ""
        alone = read(Glyph(blot.x0, blot.y0, script.x0 - 1, blot.y1), alone=True, floor=HELD_LETTER_FLOOR)
        return alone if _HOLDS.fullmatch(alone) and not _UPRIGHT.fullmatch(alone) else ""

    def script_read(script: Glyph) -> str:
        """What hangs, read alone; one upright stroke set low is a 1 (`A₁` read `AI`)."""
        read_alone = _caseless(read(script, alone=True, floor=HELD_FLOOR)) if read is not None else ""
        return "1" if _UPRIGHT.fullmatch(read_alone) else read_alone

    never_hangs = {i for i in line.shown if text[i].isdigit() or i in lone}
    shown = line.shown
    for k, i in enumerate(shown):
        glyph = glyphs[i]
        if glyph is None or role[i] or i in on_rules or not (_HOLDS.fullmatch(text[i]) or i in never_hangs):
            continue
        shares = k + 1 < len(shown) and cut_apart(glyph, glyphs[shown[k + 1]]) and shown[k + 1] in never_hangs
        rest = shown[k + 2 :] if shares else shown[k + 1 :]
        if (shares and role[shown[k + 1]]) or (rest and role[rest[0]]):
            continue
        blot = glyph.join(glyphs[shown[k + 1]]) if shares else glyph
        shift = glyph.y0 - ink[i][0]
        script = hangs(blot, shift)
        if script is None:
            continue
        if shares or not _HOLDS.fullmatch(text[i]):
            read_letter = letter(blot, script)
            if not read_letter:
                continue
            text[i], glyphs[i], ink[i] = read_letter, blot, _level(blot, shift)
        after = rest[0] if rest and text[rest[0]].isdigit() else None
        if shares and after is not None and glyphs[after] is None:  # `A42`: the 2 is the script's
            glyphs[shown[k + 1]], ink[shown[k + 1]] = None, None
            on_rules.add(shown[k + 1])
        elif shares:  # `n₂` read `n2`, the blot cut between the n's legs: the 2 it shared is the script's
            after, glyphs[shown[k + 1]] = shown[k + 1], None
        if after is not None and glyphs[after] is None:
            glyphs[after], ink[after] = script, _level(script, shift)
            continue
        read_alone = script_read(script)
        beyond = glyphs[rest[1]] if len(rest) > 1 else None
        if after is not None and read_alone == text[after] and cut_apart(glyphs[after], beyond):
            whole, next_shift = glyphs[after].join(glyphs[rest[1]]), glyphs[rest[1]].y0 - ink[rest[1]][0]
            glyphs[after], ink[after] = script, _level(script, shift)
            glyphs[rest[1]], ink[rest[1]] = whole, _level(whole, next_shift)
            continue
        if _READ_SCRIPT.fullmatch(read_alone):
            held[i] = "_{" + read_alone + "}"
    for base, blot, blot_ink in line.unread:
        if base in on_rules or blot.y1 - blot.y0 + 1 <= SMALL * measure.height:  # a script of its own
            continue
        script = hangs(blot, blot.y0 - blot_ink[0])
        read_letter = letter(blot, script) if script is not None else ""
        read_alone = script_read(script) if read_letter else ""
        if _READ_SCRIPT.fullmatch(read_alone):
            held[base] = held.get(base, "") + read_letter + "_{" + read_alone + "}"
    if "".join(text) == line.text and glyphs == line.glyphs and on_rules == line.on_rules:
        return line, held
    return replace(line, text="".join(text), glyphs=glyphs, ink=ink, on_rules=on_rules), held


def _caseless(read_alone: str) -> str:
    """What one glyph read on its own says, its case dropped where its shape has none (`x` read `X`)."""
    return read_alone.lower() if len(read_alone) == 1 and read_alone in CASELESS else read_alone


def _misread_braces(line: LineInk, measure: _Measure, read: Callable[[Glyph], str]) -> LineInk:
    """The line with each brace that has no partner in it and whose glyph sits small, raised or lowered
    read again on its own: recognizers read a script digit as `{` (`b²` read `b{2`, `OP₁` read `OP{`)."""
    text, lone = list(line.text), _lone_braces(line.text)
    for i in line.shown:
        glyph = line.glyphs[i]
        if i not in lone or glyph is None:
            continue
        if not _role("0", line.ink[i], measure.baseline, measure.height, measure.sizes):
            continue
        script = _caseless(read(glyph))
        if _SCRIPT.fullmatch(script):
            text[i] = script
    read_again = [i for i in line.shown if text[i] != line.text[i]]
    return _without_echoes(replace(line, text="".join(text)), read_again) if read_again else line


def _misread_marked(line: LineInk, read: Callable[..., str]) -> LineInk:
    """The line with each character under an accent of its own read again from the accent's base alone:
    a recognizer reads the arrow with its letter (`\\vec{b}` read `¯`, `\\vec{c}` read `τ` or `i`). The
    case read before stays when the letter is the same (one glyph alone has no case: `c` read `C`)."""
    text = list(line.text)
    for i in line.shown:
        glyph = line.glyphs[i]
        if glyph is None or glyph.mark is None or len(glyph.mark.bases) != 1 or _CJK.match(text[i]):
            continue  # (a CJK character's top stroke may look like a mark)
        top = glyph.mark.bases[0][1]  # the glyph from its base's top (a letter broken in pieces: all of them)
        was = unicodedata.normalize("NFD", text[i])[:1]
        alone = Glyph(glyph.x0, top, glyph.x1, glyph.y1)
        if _SCRIPT.fullmatch(was):  # read as a letter: only a sure reading alone replaces it
            base = read(alone, alone=True)
        else:
            base = read(alone, alone=True, floor=MARKED_FLOOR)
        if not _SCRIPT.fullmatch(base):
            continue
        text[i] = was if was.lower() == base.lower() else base.lower() if base in CASELESS else base
    fixed = "".join(text)
    return replace(line, text=fixed) if fixed != line.text else line


def _without_echoes(line: LineInk, scripts: Collection[int]) -> LineInk:
    """The line with no character that repeats the script before it (one of `scripts`, or one the
    recognizer wrote as a Unicode script, `²`) on no glyph or a speck beside it (ECHO of its ink box):
    such a character was read from the script's own glyph (`y²2`, `b{2`)."""
    ink, on_rules = dict(line.ink), set(line.on_rules)
    for a, b in itertools.pairwise(line.shown):
        char = line.text[a]
        script = a in scripts or unicodedata.normalize("NFKC", char) != char
        glyph = line.glyphs[a]
        if (
            script
            and glyph
            and unicodedata.normalize("NFKC", char) == line.text[b]
            and _speck(line.glyphs[b], glyph)
        ):
            ink[b] = None
            on_rules.add(b)
    return replace(line, ink=ink, on_rules=on_rules) if on_rules != line.on_rules else line


def _speck(glyph: Glyph | None, beside: Glyph) -> bool:
    def area(g: Glyph) -> int:
        return (g.x1 - g.x0 + 1) * (g.y1 - g.y0 + 1)

    return glyph is None or area(glyph) < ECHO * area(beside)


def _lone_braces(text: str) -> set[int]:
    """Indices of the braces of `text` that close none and are closed by none."""
    opened: list[int] = []
    lone: set[int] = set()
    for i, char in enumerate(text):
        if char == "{":
            opened.append(i)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                lone.add(i)
    return lone | set(opened)


def _roles(line: LineInk, sizes: Sizes | None) -> tuple[dict[int, str], _Measure | None]:
    """'sup', 'sub' or '' for each character of the line, and the line's measure; all '' and None when
    the line cannot be measured."""
    text, shown, ink = line.text, line.shown, line.ink
    own = sizes is None  # measured against itself: a line needs more glyphs to be sure of its baseline
    sizes = sizes or page_sizes([line])
    feet = [foot for i in shown if (foot := _foot(text[i], ink[i], sizes)) is not None]
    on_line = _on_line(line)
    if len(feet) < (REFERENCE if own else 1):
        return dict.fromkeys(shown, ""), None
    cjk = [ink[i][1] for i in shown if ink[i] and _CJK.match(text[i])]
    baseline = _baseline(feet, on_line, float(np.median(cjk)) if cjk else float(np.median(feet)))
    heights = [
        ink[i][1] - ink[i][0] + 1
        for i in shown
        if _FULL.match(text[i])
        and (foot := _foot(text[i], ink[i], sizes))
        and abs(foot - baseline) <= on_line
    ]
    if not heights and sizes.full is None:
        return dict.fromkeys(shown, ""), None
    height = float(np.median(heights)) if heights else sizes.full
    role = {i: _role(text[i], ink[i], baseline, height, sizes) for i in shown}
    # a sign is a script between two characters of the same script, and so is a letter that no size
    # class measures (the `i` of a subscript `min`)
    for k, i in enumerate(shown):
        if 0 < k < len(shown) - 1 and (
            _SIGN.fullmatch(text[i]) or (_UNSIZED.fullmatch(text[i]) and not role[i])
        ):
            before, after = role[shown[k - 1]], role[shown[k + 1]]
            role[i] = before if before and before == after else ""
    return role, _Measure(baseline, height, sizes)


def _on_line(line: LineInk) -> float:
    """How close to the baseline a foot stands on it, in pixels."""
    return max(2.0, 0.08 * line.height)


def _foot(char: str, ink: tuple[float, float] | None, sizes: Sizes) -> float | None:
    """Where a character says the baseline is, if it stands on it at full size (not set small): the foot
    of a digit, a capital or a letter without descender, at least SMALL of the page's full size for its
    kind; for a letter that descends (`y` in a fraction's `y1 + y2`), its top and the page's x-height."""
    if ink is None:
        return None
    top, foot = ink
    height = foot - top + 1
    if _FULL.match(char) or _ASCENDS.match(char):
        return foot if sizes.full is None or height > SMALL * sizes.full else None
    if _X_HEIGHT.match(char):
        return foot if sizes.x is None or height > SMALL * sizes.x else None
    if _DESCENDS.fullmatch(char) and sizes.x is not None and height > SMALL * DESCENT * sizes.x:
        return top + sizes.x - 1
    return None


def _slope(feet: list[tuple[float, int]]) -> float:
    """How far a line's baseline falls a pixel to the right (a page scanned askew): the median slope
    between the feet of pairs of glyphs that stand on it, far enough apart (Theil-Sen: scripts, a few
    among many, cannot tip it)."""
    if len(feet) < TILT_GLYPHS:  # a short line: too few glyphs to tell, and a tilt moves it little
        return 0.0
    spread = max(x for x, _ in feet) - min(x for x, _ in feet)
    slopes = [
        (f2 - f1) / (x2 - x1)
        for k, (x1, f1) in enumerate(feet)
        for x2, f2 in feet[k + 1 :]
        if abs(x2 - x1) > 0.25 * spread
    ]
    return float(np.median(slopes)) if slopes else 0.0


def _level(glyph: Glyph | None, shift: float) -> tuple[float, float] | None:
    """A glyph's ink rows as they would lie on a level line (a tilted line's fall at that point taken off)."""
    return None if glyph is None else (glyph.y0 - shift, glyph.y1 - shift)


def _baseline(feet: list[int], on_line: float, near: float) -> float:
    """The foot that most glyphs stand on. In a short line a few scripts can outnumber the glyphs on the
    baseline in a median (`an，bn`: two lowered n against one a); here each foot is a candidate, the one
    with the most feet within `on_line` of it wins, and a tie goes to the one nearest `near` (the CJK
    glyphs' feet, which sit on the line, or the median)."""
    votes = {foot: sum(abs(other - foot) <= on_line for other in feet) for foot in feet}
    most = max(votes.values())
    chosen = min((foot for foot, n in votes.items() if n == most), key=lambda foot: abs(foot - near))
    return float(np.median([foot for foot in feet if abs(foot - chosen) <= on_line]))


def _role(char: str, ink: tuple[float, float] | None, baseline: float, height: float, sizes: Sizes) -> str:
    """'sup', 'sub' or '' for one character from its ink rows (`height` the line's glyph height, `sizes`
    the page's)."""
    if ink is None or not (_SCRIPT.fullmatch(char) or _SIGN.fullmatch(char) or _SHAPE.fullmatch(char)):
        return ""
    top, foot = ink
    small = foot - top + 1 <= SMALL * height
    if not _SIGN.fullmatch(char) and foot - top + 1 < LEAST * height:  # a dot: a piece of its glyph at most
        return ""
    if _SIGN.fullmatch(char):  # decided by its neighbours; here only whether it sits off the line
        return "sup" if foot <= baseline - SUP_RISE * height else "sub" if top >= baseline else ""
    raised = foot <= baseline - SUP_RISE * height and top <= baseline - SUP_TOP * height
    if small and raised and not char.isupper():  # a raised capital is a label or a misread, not a power
        return "sup"
    low = foot >= baseline + SUB_DROP * height and top >= baseline - SUB_TOP * height
    if small and low and not _DESCENDS.fullmatch(char):
        return "sub"
    if small and low and top >= baseline - LOW_TOP * height:  # a `j` set low (`a_j`): not a `j` on the line
        return "sub"
    # a house style that drops its subscripts little (TeX's): much smaller than its kind, and below the line
    kind = sizes.full if _FULL.match(char) else sizes.x if _X_HEIGHT.match(char) else None
    tiny = kind is not None and foot - top + 1 <= SCRIPT_SIZE * kind
    if tiny and foot >= baseline + SUB_SLIGHT * height and top >= baseline - SUB_TOP * height:
        return "sub"
    return ""
