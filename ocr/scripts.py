"""Superscripts and subscripts from the ink: `x3` read from a page that prints x³ becomes `x^{3}`.

A text recognizer reads a line as a flat string: the exponent of `x³` comes back as `x3`, the index of
`a₁` as `a1`. rapidocr also gives each character's horizontal span in the line, and the page's pixels in
that span say where the character's ink sits. The line's own glyphs give its baseline (the median foot of
its digits, capitals and x-height letters, by a vote that a few scripts cannot carry) and its glyph height (the median height of its digits and
capitals). A character set in a script is small and off that baseline:

- superscript: its foot at least SUP_RISE glyph heights above the baseline and its top near the cap
  height or above (SUP_TOP), its height at most SMALL;
- subscript: its foot at least SUB_DROP glyph heights below the baseline (no digit or capital descends,
  and a letter that does, `gjpqy`, is left alone) and its top low (SUB_TOP), its height at most SMALL.

Digits and letters are scripts on their own (capitals only as subscripts: a raised capital is a
figure's label or a misread sooner than a power); a sign joins a script between two of its characters
(`x^{n+1}`, `x^{-1}`). A script needs a base before it, and a line needs REFERENCE glyphs to measure; the
text is left as read otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ocr.inline_math import Box
from ocr.watermark import PRINT

SUP_RISE = 0.3  # of the glyph height: how far above the baseline a superscript's foot sits, at least
SUB_DROP = 0.2  # of the glyph height: how far below the baseline a subscript's foot sits, at least
SMALL = 0.8  # of the glyph height: a script is at most this tall
SUP_TOP = 0.85  # of the glyph height above the baseline: a superscript reaches at least this high
SUB_TOP = 0.6  # of the glyph height above the baseline: a subscript starts no higher
REFERENCE = 3  # glyphs a line needs to measure its baseline
TILT_GLYPHS = 12  # glyphs a line needs to measure its tilt
TILT_FALL = 0.1  # of the line's height: a line whose baseline falls less over its length is level
_FULL = re.compile(r"[0-9A-Z]")  # glyphs from the baseline to the cap height
_X_HEIGHT = re.compile(r"[acemnorsuvwxz]")  # from the baseline to the x-height
_DESCENDS = re.compile(r"[gjpqy]")
_SCRIPT = re.compile(r"[0-9A-Za-z]")
_SIGN = re.compile(r"[+\-−]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BASE = re.compile(r"[0-9A-Za-z)\]}|α-ωΑ-Ω]")


def _ink(gray: np.ndarray, char: Box, top: int, bottom: int) -> tuple[int, int] | None:
    """First and last ink rows of the character's span (its middle 70%, so that neighbours do not spill
    in), between the line's `top` and `bottom`."""
    x0, x1 = char[0], char[2]
    margin = 0.15 * (x1 - x0)
    left, right = int(round(x0 + margin)), int(round(x1 - margin))
    if right <= left:
        return None
    rows = np.flatnonzero((gray[top:bottom, max(left, 0) : right] < PRINT).any(axis=1))
    return (top + int(rows[0]), top + int(rows[-1])) if rows.size else None


def raise_scripts(text: str, chars: Sequence[Box], gray: np.ndarray, line: Box) -> str:
    """`text` (one line whose non-space characters are boxed by `chars` in `gray`'s pixels; `line` is the
    line's box) with the scripts the page shows written as `^{...}` and `_{...}`."""
    shown = [i for i, char in enumerate(text) if not char.isspace()]
    if len(shown) != len(chars):
        return text
    top, bottom = max(int(line[1]) - 2, 0), min(int(line[3]) + 3, gray.shape[0])
    ink = {i: _ink(gray, box, top, bottom) for i, box in zip(shown, chars, strict=True)}
    middles = {i: (box[0] + box[2]) / 2 for i, box in zip(shown, chars, strict=True)}
    standing = [
        i
        for i in shown
        if ink[i] and (_FULL.match(text[i]) or _X_HEIGHT.match(text[i]) or _CJK.match(text[i]))
    ]
    slope = _slope([(middles[i], ink[i][1]) for i in standing])
    if abs(slope) * (line[2] - line[0]) < TILT_FALL * (bottom - top):
        slope = 0.0  # a level line: what the fit finds is the noise of the feet
    ink = {i: _level(ink[i], slope * (middles[i] - line[0])) for i in shown}
    feet = [ink[i][1] for i in shown if ink[i] and (_FULL.match(text[i]) or _X_HEIGHT.match(text[i]))]
    if len(feet) < REFERENCE:
        return text
    on_line = max(2.0, 0.08 * (bottom - top))  # a foot this close to the baseline stands on it
    cjk = [ink[i][1] for i in shown if ink[i] and _CJK.match(text[i])]
    baseline = _baseline(feet, on_line, float(np.median(cjk)) if cjk else float(np.median(feet)))
    heights = [
        ink[i][1] - ink[i][0] + 1
        for i in shown
        if ink[i] and _FULL.match(text[i]) and abs(ink[i][1] - baseline) <= on_line
    ]
    if not heights:
        return text
    height = float(np.median(heights))
    role = {i: _role(text[i], ink[i], baseline, height) for i in shown}
    # a sign is a script between two characters of the same script
    for k, i in enumerate(shown):
        if _SIGN.fullmatch(text[i]) and 0 < k < len(shown) - 1:
            before, after = role[shown[k - 1]], role[shown[k + 1]]
            role[i] = before if before and before == after else ""
    out: list[str] = []
    last, k = 0, 0  # text[:last] is in out; shown[k] is the next character to look at
    while k < len(shown):
        i, kind = shown[k], role[shown[k]]
        base = shown[k - 1] if k else None
        if kind and base is not None and role[base] != kind and (role[base] or _BASE.match(text[base])):
            run = [i]
            while k + len(run) < len(shown) and role[shown[k + len(run)]] == kind:
                run.append(shown[k + len(run)])
            while run and _SIGN.fullmatch(text[run[-1]]):
                run.pop()
            if run:
                mark = "^" if kind == "sup" else "_"
                out += [text[last : base + 1], mark + "{" + "".join(text[j] for j in run) + "}"]
                last = run[-1] + 1
                k += len(run)
                continue
        k += 1
    return "".join(out) + text[last:]


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


def _level(ink: tuple[int, int] | None, shift: float) -> tuple[float, float] | None:
    """Ink rows as they would lie on a level line (a tilted line's fall at that point taken off)."""
    return None if ink is None else (ink[0] - shift, ink[1] - shift)


def _baseline(feet: list[int], on_line: float, near: float) -> float:
    """The foot that most glyphs stand on. In a short line a few scripts can outnumber the glyphs on the
    baseline in a median (`an，bn`: two lowered n against one a); here each foot is a candidate, the one
    with the most feet within `on_line` of it wins, and a tie goes to the one nearest `near` (the CJK
    glyphs' feet, which sit on the line, or the median)."""
    votes = {foot: sum(abs(other - foot) <= on_line for other in feet) for foot in feet}
    most = max(votes.values())
    chosen = min((foot for foot, n in votes.items() if n == most), key=lambda foot: abs(foot - near))
    return float(np.median([foot for foot in feet if abs(foot - chosen) <= on_line]))


def _role(char: str, ink: tuple[float, float] | None, baseline: float, height: float) -> str:
    """'sup', 'sub' or '' for one character from its ink rows."""
    if ink is None or not (_SCRIPT.fullmatch(char) or _SIGN.fullmatch(char)):
        return ""
    top, foot = ink
    small = foot - top + 1 <= SMALL * height
    if _SIGN.fullmatch(char):  # decided by its neighbours; here only whether it sits off the line
        return "sup" if foot <= baseline - SUP_RISE * height else "sub" if top >= baseline else ""
    raised = foot <= baseline - SUP_RISE * height and top <= baseline - SUP_TOP * height
    if small and raised and not char.isupper():  # a raised capital is a label or a misread, not a power
        return "sup"
    low = foot >= baseline + SUB_DROP * height and top >= baseline - SUB_TOP * height
    if small and low and not _DESCENDS.fullmatch(char):
        return "sub"
    return ""
