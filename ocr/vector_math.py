"""Holes in a text layer: formulas drawn as vector glyphs (MathJax SVG, outlined fonts) or set in fonts
without Unicode mapping, which `get_text` silently drops.

Glyph-sized dark drawings are clustered into formulas; a cluster holding a larger drawing, or too tall
for a formula, is a figure and left alone. Each formula is cut into runs that OCR can read one line at a time: the base line,
raised glyphs (superscripts), and the parts above and below a fraction rule (cut by level in turn).
Subscripts are not cut out: from outlines alone a lowered digit looks like a letter with a descender
("a_1" and "2y" have the same geometry); once a run is read, its characters tell (`ocr.inline_math.
glyph_subscripts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ocr.inline_math import CAP_HEIGHT, HAIRLINE, Box
from ocr.textlayer import Layer

GLYPH_MAX = 2.5  # body sizes: a drawing at most this wide and high may be a glyph
RULE_MAX_WIDTH = 6.0  # body sizes: a wider rule is a separator or underline, not a fraction bar
GAP_X, GAP_Y = 0.45, 0.15  # body sizes: glyphs closer than this belong to the same formula
RULE_REACH = 0.7  # body sizes: how far above and below a fraction rule its parts sit
FIGURE_HEIGHT = 3.0  # body sizes: a taller cluster is a figure (twice as tall with a rule: a display
# fraction of roots, `\frac{1+\sqrt{2}}{2+\sqrt{3}}`, is just over 3)
MAX_DRAWINGS = 2000  # a page with more drawings than this is a figure, not text with formulas
LONE_RULE = 1.5  # body sizes: a rule alone in a formula is a minus or dash up to this width
EQUALS_GAP = 0.45  # body sizes: two rules of one width this close over each other are an equals sign
SMALL_PART = 0.45  # body sizes: a glyph no taller may be the dot, accent or arrow of the glyph under it
STACK_GAP = 0.3  # body sizes: how close over each other the parts of one symbol are
FLAT, WIDE = (
    0.4,
    2.0,
)  # a raised glyph lower than FLAT of the row's height, or wider than WIDE times its height, is a sign
DELIMITER = 1.5  # body sizes: a glyph this tall alone is a delimiter sized to a fraction (or a figure's line)
NARROW = 0.35  # of its height: a delimiter is at most this wide
SPECK = 0.3  # body sizes: a glyph no larger is a comma or a full stop
COMMA = 1.4  # of its width: a speck this tall is a comma
SPLIT_GAP = 0.6  # body sizes: a wider gap inside a formula (where a fraction was taken out) splits a run


@dataclass
class Run:
    """A part of a formula to OCR as one line. level 1: superscript; 0: base (or a fraction part)."""

    box: Box
    level: int = 0
    text: str | None = None  # known without OCR (a lone rule is a minus sign)
    glyphs: tuple[Box, ...] = ()  # the drawings it is made of, left to right


@dataclass
class Holes:
    runs: list[Run]
    figures: int  # clusters of drawings that are no formula
    strokes: list[Box] = field(default_factory=list)  # rules read as part of a formula (no fraction bars)


def find_holes(layer: Layer, cut: bool = True) -> Holes:
    """Formulas of the page that the text layer does not hold, cut into runs. With `cut` False they are
    only detected: one run covering every formula glyph stands for them all (rules alone are not counted)."""
    body = layer.body_size
    glyphs: list[Box] = [tuple(b) for b in layer.unmapped]
    rules: list[Box] = []
    large: list[Box] = []
    for drawing in layer.drawings:
        x0, y0, x1, y1 = drawing.box
        if drawing.is_rule:
            if x1 - x0 <= RULE_MAX_WIDTH * body:
                rules.append(drawing.box)
        elif x1 - x0 > GLYPH_MAX * body or y1 - y0 > GLYPH_MAX * body:
            large.append(drawing.box)
        elif not drawing.is_rect or _upright_bar(drawing.box, body):
            glyphs.append(drawing.box)  # glyph outlines are curves; small rectangles are markers and boxes
    glyphs = _off_text(glyphs, layer.ink)
    boxes = glyphs + rules + large
    if not (glyphs or rules) or len(boxes) > MAX_DRAWINGS:  # nothing to read, or a chart of thousands
        return Holes([], int(bool(large) or len(boxes) > MAX_DRAWINGS))
    if not cut:
        return Holes([Run(_union(glyphs))] if glyphs else [], int(bool(large)))
    # the ink of a span: from its baseline up to the cap height (a font's box may reach far higher)
    text_boxes = [
        (p.box[0], p.baseline - CAP_HEIGHT * p.size, p.box[2], p.baseline) for p in layer.pieces
    ] + glyphs
    formulas, figures = [], []
    for cluster in _clusters(boxes, body, n_rules=len(rules), first_rule=len(glyphs)):
        area = _union([boxes[i] for i in cluster])
        stacked = any(
            len(glyphs) <= i < len(glyphs) + len(rules) for i in cluster
        )  # parts over and under a bar
        tallest = FIGURE_HEIGHT * body * (2 if stacked else 1)
        if any(i >= len(glyphs) + len(rules) for i in cluster) or area[3] - area[1] > tallest:
            figures.append(area)
        else:
            formulas.append((cluster, area))
    runs: list[Run] = []
    strokes: list[Box] = []
    for cluster, area in formulas:
        if any(_overlaps(area, figure, 0.5 * body) for figure in figures):
            continue  # legend markers, labels drawn as paths: part of a figure
        cluster_glyphs = [boxes[i] for i in cluster if i < len(glyphs)]
        cluster_rules = [boxes[i] for i in cluster if i >= len(glyphs)]
        if not cluster_glyphs:  # rules alone: a minus or an equals sign, unless they decorate text
            if (
                cluster_rules
                and max(r[2] - r[0] for r in cluster_rules) <= LONE_RULE * body
                and not decorates(cluster_rules, text_boxes, body)
            ):
                runs.append(Run(_union(cluster_rules), text="-" if len(cluster_rules) == 1 else "="))
                strokes += cluster_rules
            continue
        formula, bars = formula_runs(cluster_glyphs, cluster_rules, body)
        runs += formula
        strokes += [r for r in cluster_rules if r not in bars]
    # a bar whose numerator lies beyond its cluster's reach (display fractions) is still a bar
    return Holes(runs, len(figures), [r for r in strokes if not _stacked_around(r, glyphs, body)])


def formula_runs(glyphs: list[Box], rules: list[Box], body: float) -> tuple[list[Run], list[Box]]:
    """One formula (its glyph boxes and rules) cut into runs, and its fraction bars: a rule with glyphs
    right above and below is a bar, one over glyphs an overline (left out), any other a glyph (a minus,
    the strokes of an equals sign)."""
    glyphs, rules = symbols(glyphs, rules, body)
    bars, strokes = [], []
    for rule in rules:
        (bars if _stacked_around(rule, glyphs, body) else strokes).append(rule)
    strokes = [r for r in strokes if not decorates([r], glyphs, body)]
    runs = _runs(glyphs + strokes, bars, body)
    for run in runs:
        if run.level == 0 and len(run.glyphs) == 1:
            run.text = _shape_text(run.glyphs[0], bars, body)
    return runs, bars


def _upright_bar(box: Box, body: float) -> bool:
    """Whether a rectangle is a vertical bar of a formula (`|x|`, drawn as a filled rectangle): a hairline
    at least half a body size tall."""
    width, height = box[2] - box[0], box[3] - box[1]
    return height >= 0.5 * body and width <= HAIRLINE * height


def _shape_text(glyph: Box, bars: list[Box], body: float) -> str | None:
    """What a glyph alone is by its shape, where a recognizer reading it alone guesses (a bracket as tall
    as a fraction read `1`, a comma read `9`): a tall narrow glyph beside a fraction is its delimiter, a
    hairline `|`, else `(` with the fraction on its right, `)` on its left; a speck is a comma when taller
    than wide, else a full stop. None: the recognizer reads it."""
    width, height = glyph[2] - glyph[0], glyph[3] - glyph[1]
    if height >= DELIMITER * body and width <= NARROW * height:
        if width <= HAIRLINE * height:
            return "|"
        middle = (glyph[1] + glyph[3]) / 2
        beside = [b for b in bars if b[1] - body <= middle <= b[3] + body]
        right = any(0 <= b[0] - glyph[2] <= body for b in beside)
        left = any(0 <= glyph[0] - b[2] <= body for b in beside)
        return "(" if right and not left else ")" if left and not right else None
    if max(width, height) <= SPECK * body:
        return "," if height > COMMA * width else "."
    return None


def symbols(glyphs: list[Box], rules: list[Box], body: float) -> tuple[list[Box], list[Box]]:
    """Parts of one symbol put together: two rules of one width right over each other (=), and a small
    glyph right over another (the dot of i or j, an accent, an arrow over a letter, the dots of a colon),
    so that none is read as a fraction bar or a superscript."""
    rules = sorted(rules, key=lambda r: r[1])
    merged_rules, used = [], set()
    for i, upper in enumerate(rules):
        if i in used:
            continue
        for j in range(i + 1, len(rules)):
            lower = rules[j]
            widths = (upper[2] - upper[0], lower[2] - lower[0])
            overlap = min(upper[2], lower[2]) - max(upper[0], lower[0])
            if (
                j not in used
                and overlap > 0.7 * min(widths)
                and abs(widths[0] - widths[1]) < 0.3 * max(widths)
                and 0 <= lower[1] - upper[3] <= EQUALS_GAP * body
            ):
                glyphs = glyphs + [_union([upper, lower])]
                used |= {i, j}
                break
        else:
            merged_rules.append(upper)
    out: list[Box] = []
    for glyph in sorted(glyphs, key=lambda g: -g[3]):  # from the bottom up: a part lands on its base
        host = next((k for k, base in enumerate(out) if _part_over(glyph, base, merged_rules, body)), None)
        if host is None:
            out.append(glyph)
        else:
            out[host] = _union([out[host], glyph])
    return out, merged_rules


def _part_over(part: Box, base: Box, rules: list[Box], body: float) -> bool:
    """Whether the small glyph `part` sits right over `base`, over half the narrower's width, with no
    rule between them."""
    gap = base[1] - part[3]
    overlap = min(part[2], base[2]) - max(part[0], base[0])
    return (
        part[3] - part[1] < SMALL_PART * body
        and -0.05 * body <= gap <= STACK_GAP * body
        and overlap >= 0.5 * min(part[2] - part[0], base[2] - base[0])
        and not any(
            r[1] >= part[3] - 0.5 and r[3] <= base[1] + 0.5 and r[0] < base[2] and base[0] < r[2]
            for r in rules
        )
    )


def decorates(rules: list[Box], boxes: list[Box], body: float) -> bool:
    """Whether the rules run right above or below text or glyphs (an overline, an underline, the rule of a
    fraction set in text), rather than through the middle of a row as a minus sign does."""
    for r in rules:
        middle = (r[1] + r[3]) / 2
        for b in boxes:
            if min(r[2], b[2]) - max(r[0], b[0]) <= 0.5 * min(r[2] - r[0], b[2] - b[0]):
                continue
            centre, half = (b[1] + b[3]) / 2, 0.35 * (b[3] - b[1])
            if (middle < centre - half and b[1] - middle <= 0.6 * body) or (
                middle > centre + half and middle - b[3] <= 0.6 * body
            ):
                return True
    return False


def holds_fraction(glyphs: list[Box], rules: list[Box], body: float) -> bool:
    """Whether some rule has glyphs right above and below it: the ink holds a fraction."""
    return any(_stacked_around(rule, glyphs, body) for rule in rules)


def _stacked_around(rule: Box, glyphs: list[Box], body: float) -> bool:
    """Whether glyphs sit both right above and right below the rule, within its width: a fraction bar."""
    middle = (rule[1] + rule[3]) / 2
    parts = [g for g in glyphs if _part_of_fraction(g, rule, body)]
    return any(g[3] <= middle for g in parts) and any(g[1] >= middle for g in parts)


def _part_of_fraction(glyph: Box, rule: Box, body: float) -> bool:
    """Whether a glyph may be a part of the fraction whose bar is `rule`: within its width, ending at most
    RULE_REACH above its middle or starting at most RULE_REACH below it."""
    middle = (rule[1] + rule[3]) / 2
    return (
        glyph[0] >= rule[0] - 1
        and glyph[2] <= rule[2] + 1
        and (
            middle - RULE_REACH * body <= glyph[3] <= middle
            or middle <= glyph[1] <= middle + RULE_REACH * body
        )
    )


def _off_text(boxes: list[Box], ink: list[Box]) -> list[Box]:
    """The boxes that do not sit on visible characters (underlines, highlights, frames around words do)."""
    if not boxes or not ink:
        return boxes
    b, c = np.asarray(boxes, dtype=float), np.asarray(ink, dtype=float)
    width = np.clip(
        np.minimum(b[:, None, 2], c[None, :, 2]) - np.maximum(b[:, None, 0], c[None, :, 0]), 0, None
    )
    height = np.clip(
        np.minimum(b[:, None, 3], c[None, :, 3]) - np.maximum(b[:, None, 1], c[None, :, 1]), 0, None
    )
    area = np.maximum((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]), 1e-6)
    covered = (width * height).sum(axis=1) > 0.5 * area
    return [box for box, hidden in zip(boxes, covered, strict=True) if not hidden]


def _clusters(boxes: list[Box], body: float, n_rules: int, first_rule: int) -> list[list[int]]:
    """Connected groups of boxes, each grown by the formula gaps (fraction rules reach further up/down), and
    each rule that stands free with glyphs that may be its fraction's parts above and below it (a
    numerator set high over a display bar)."""
    array = np.asarray(boxes, dtype=float)
    grow = np.tile([GAP_X * body / 2, GAP_Y * body / 2], (len(boxes), 1))
    grow[first_rule : first_rule + n_rules, 1] = RULE_REACH * body / 2
    x0, y0 = array[:, 0] - grow[:, 0], array[:, 1] - grow[:, 1]
    x1, y1 = array[:, 2] + grow[:, 0], array[:, 3] + grow[:, 1]
    touch = (x0[:, None] <= x1[None, :]) & (x0[None, :] <= x1[:, None])
    touch &= (y0[:, None] <= y1[None, :]) & (y0[None, :] <= y1[:, None])
    parent = list(range(len(boxes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(touch, 1)), strict=True):
        parent[root(int(i))] = root(int(j))
    for r in range(first_rule, first_rule + n_rules):  # a bar and its parts, as _stacked_around sees them
        rule, others = boxes[r], [g for g in range(len(boxes)) if g != r]
        if any(_overlaps(boxes[g], rule, 0.5) for g in others):
            continue  # a stroke joined to a glyph (the overline of a radical) is no bar
        parts = [g for g in others if _part_of_fraction(boxes[g], rule, body)]
        middle = (rule[1] + rule[3]) / 2
        if any(boxes[g][3] <= middle for g in parts) and any(boxes[g][1] >= middle for g in parts):
            for g in parts:
                parent[root(g)] = root(r)
    groups: dict[int, list[int]] = {}
    for i in range(len(boxes)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _runs(glyphs: list[Box], rules: list[Box], body: float) -> list[Run]:
    """Runs of one formula: the glyphs above and below each rule, then the rest, each cut by level."""
    runs: list[Run] = []
    rest = list(glyphs)
    for rule in sorted(rules, key=lambda r: r[2] - r[0]):
        middle = (rule[1] + rule[3]) / 2
        over = [g for g in rest if g[0] >= rule[0] - 1 and g[2] <= rule[2] + 1]
        above = [g for g in over if g[3] <= middle and g[3] >= middle - RULE_REACH * body]
        below = [g for g in over if g[1] >= middle and g[1] <= middle + RULE_REACH * body]
        if above:  # with the scripts of the numerator, which end higher up
            above = [g for g in over if g[3] <= middle and g[3] >= min(a[1] for a in above)]
        if below:
            below = [g for g in over if g[1] >= middle and g[1] <= max(b[3] for b in below)]
        for part in (above, below):
            if part:
                runs += _level_runs(part, body)
        rest = [g for g in rest if not any(g is p for p in above + below)]
    return runs + _level_runs(rest, body) if rest else runs


def _level_runs(glyphs: list[Box], body: float) -> list[Run]:
    """Glyphs on one line cut into runs, left to right: raised glyphs (superscripts) apart from the base
    line, and wide gaps (where a fraction was taken out) splitting a run."""
    tall = max(g[3] - g[1] for g in glyphs)
    baseline = glyph_baseline(glyphs)
    top = min([g[1] for g in glyphs if g[3] >= baseline - 0.2 * tall] or [g[1] for g in glyphs])
    runs: list[Run] = []
    current: list[Box] = []
    level = 0
    for glyph in sorted(glyphs, key=lambda g: g[0]):
        raised = (
            glyph[3] < baseline - 0.35 * tall
            and glyph[1] < top + 0.15 * tall
            and FLAT * tall < glyph[3] - glyph[1] < 0.9 * tall
            and glyph[2] - glyph[0] < WIDE * (glyph[3] - glyph[1])
        )  # a flat or wide mark at mid-height (¬, =, ~, an arrow) is no superscript
        if current and (int(raised) != level or glyph[0] - max(g[2] for g in current) > SPLIT_GAP * body):
            runs.append(Run(_union(current), level, glyphs=tuple(current)))
            current = []
        level = int(raised)
        current.append(glyph)
    runs.append(Run(_union(current), level, glyphs=tuple(current)))
    return runs


def glyph_baseline(glyphs: list[Box]) -> float:
    """The baseline of a line of glyphs: the middle foot of those at least 0.6 as tall as the tallest."""
    tall = max(g[3] - g[1] for g in glyphs)
    bottoms = sorted(g[3] for g in glyphs if g[3] - g[1] >= 0.6 * tall) or [g[3] for g in glyphs]
    return bottoms[len(bottoms) // 2]


def _overlaps(a: Box, b: Box, margin: float) -> bool:
    return a[0] < b[2] + margin and b[0] < a[2] + margin and a[1] < b[3] + margin and b[1] < a[3] + margin


def _union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
