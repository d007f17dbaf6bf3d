"""Accents over symbols in a text layer put back as LaTeX: `\\vec{a}`, `\\bar{x}`, `\\hat{y}`, `\\overline{z}`
(and the bar of a radical sign: `\\sqrt{x + 1}`).

A typesetter writes an accent either as a glyph of its own (a combining arrow, macron or circumflex that
TeX or mathtext places over the letter: in the text it may come before or after the letter, or apart from
it) or as a thin rule drawn over the letters (an overline). A mark goes to the letter or digit drawn next
to it; a short rule with text right under it and none right over it (that would be a fraction) covers the
pieces under it, as the radicand when it starts where a radical sign ends.
"""

from __future__ import annotations

from ocr.inline_math import Box, Piece, piece_part, row_text

MARKS = {"\u20d7": "vec", "\u0304": "bar", "\u0305": "overline", "\u0302": "hat"}
ARROWS = {"→", "⟶", "⃗"}  # an arrow set above letters (a stretched \overrightarrow) rather than between them
RAISED_ARROW = (0.3, 1.6)  # font sizes: how far the letters' baseline lies under an arrow's
MAX_OVERLINE = 6.0  # font sizes: a longer rule is a separator or a table's line
ROW = 0.5  # font sizes: pieces whose baselines differ by less share a row
OVER_LOW, OVER_HIGH = 0.4, 1.2  # font sizes above the baseline between which an overline runs
COVERED = 0.6  # of a rule's width: the pieces under an overline fill at least this much of it
NUMERATOR = 0.8  # font sizes: a numerator's baseline is at most this far over its fraction's rule
NEAR = 0.7  # font sizes: how far from an accent's place its letter starts (or ends)


def place_marks(pieces: list[Piece]) -> list[Piece]:
    """Combining accents (pieces with character boxes, in the order the page draws them) moved onto their
    letter: TeX and mathtext draw an accent just before the letter under it, a word processor writes it
    just after (Unicode's order)."""
    flat = [(i, j) for i, piece in enumerate(pieces) for j in range(len(piece.chars))]
    targets: dict[tuple[int, int], str] = {}
    moved: set[tuple[int, int]] = set()
    for f, (i, j) in enumerate(flat):
        char, x, _ = pieces[i].chars[j]
        if char not in MARKS:
            continue
        size = pieces[i].size
        after = flat[f + 1] if f + 1 < len(flat) and _letter(pieces, flat[f + 1]) else None
        before = flat[f - 1] if f and _letter(pieces, flat[f - 1]) else None
        if after is not None and abs(pieces[after[0]].chars[after[1]][1] - x) <= NEAR * size:
            target = after
        elif before is not None and abs(pieces[before[0]].chars[before[1]][2] - x) <= NEAR * size:
            target = before
        else:
            continue
        if abs(pieces[target[0]].baseline - pieces[i].baseline) <= ROW * size and target not in targets:
            targets[target] = MARKS[char]
            moved.add((i, j))
    if not moved:
        return pieces
    out = []
    for i, piece in enumerate(pieces):
        if not any(k == i for k, _ in (*targets, *moved)):
            out.append(piece)
            continue
        chars = [
            (f"\\{targets[i, j]}{{{char}}}" if (i, j) in targets else char, x0, x1)
            for j, (char, x0, x1) in enumerate(piece.chars)
            if (i, j) not in moved
        ]
        text = "".join(char for char, _, _ in chars)
        if text.strip():
            out.append(
                Piece(
                    text, piece.box, piece.size, piece.baseline, piece.superscript, piece.level, tuple(chars)
                )
            )
    return out


def arrows_over(pieces: list[Piece]) -> list[Piece]:
    """Each arrow set above letters (its baseline well over theirs) and the letters under it put in one
    `\\overrightarrow{...}` piece."""
    for arrow in [p for p in pieces if p.text.strip() in ARROWS]:
        low, high = (f * arrow.size for f in RAISED_ARROW)
        row = [p for p in pieces if p is not arrow and low <= p.baseline - arrow.baseline <= high]
        covered, pieces = _take(
            [p for p in pieces if p is not arrow], row, arrow.box[0], arrow.box[2], slack=0.15
        )
        if covered:
            pieces.append(_wrapped("\\overrightarrow", covered, top=arrow.box[1]))
        else:
            pieces.append(arrow)
    return pieces


def _take(
    pieces: list[Piece], row: list[Piece], left: float, right: float, slack: float
) -> tuple[list[Piece], list[Piece]]:
    """The parts of the `row` pieces whose characters' middles lie between `left` and `right`, give or
    take `slack` font sizes (a piece without character boxes whole, when its middle does), and the
    pieces with those parts taken out."""
    covered, rest, taken = [], [], set()
    for piece in row:
        margin = slack * piece.size
        if not piece.chars:
            if left - margin <= (piece.box[0] + piece.box[2]) / 2 <= right + margin and piece.text.strip():
                covered.append(piece)
                taken.add(id(piece))
            continue
        inside = [
            i for i, c in enumerate(piece.chars) if left - margin <= (c[1] + c[2]) / 2 <= right + margin
        ]
        if not inside or not "".join(piece.chars[i][0] for i in inside).strip():
            continue
        first, last = inside[0], inside[-1]
        while piece.chars[first][0].isspace():  # spaces at the ends stay with the text beside
            first += 1
        while piece.chars[last][0].isspace():
            last -= 1
        covered.append(piece_part(piece, list(piece.chars[first : last + 1])))
        rest += [
            piece_part(piece, list(part)) for part in (piece.chars[:first], piece.chars[last + 1 :]) if part
        ]
        taken.add(id(piece))
    if not covered:
        return [], pieces
    return covered, [p for p in pieces if id(p) not in taken] + rest


def _wrapped(command: str, covered: list[Piece], top: float | None = None) -> Piece:
    first = min(covered, key=lambda p: p.box[0])
    box = (
        first.box[0],
        min(p.box[1] for p in covered) if top is None else top,
        max(p.box[2] for p in covered),
        max(p.box[3] for p in covered),
    )
    return Piece(
        f"{command}{{{row_text(covered).strip()}}}", box, first.size, first.baseline, level=first.level
    )


def _letter(pieces: list[Piece], at: tuple[int, int]) -> bool:
    return pieces[at[0]].chars[at[1]][0].isalnum()


def overlines(pieces: list[Piece], rules: list[Box]) -> list[Piece]:
    """What lies under each short rule that runs right over it (and under nothing) put in one
    `\\overline{...}` piece, or in a `\\sqrt{...}` when the rule starts where a radical sign ends."""
    for rule in rules:
        middle = (rule[1] + rule[3]) / 2
        width = rule[2] - rule[0]
        row = [
            p
            for p in pieces
            if p.box[0] < rule[2]
            and rule[0] < p.box[2]
            and OVER_LOW * p.size <= p.baseline - middle <= OVER_HIGH * p.size
        ]
        if not row or width > MAX_OVERLINE * max(p.size for p in row):
            continue
        over = [
            p
            for p in pieces
            if p.box[0] < rule[2]
            and rule[0] < p.box[2]
            and middle - NUMERATOR * p.size <= p.baseline <= middle
        ]
        covered, rest = _take(pieces, row, rule[0], rule[2], slack=0.0)
        if over or not covered or sum(p.box[2] - p.box[0] for p in covered) < COVERED * width:
            continue
        root = next((p for p in rest if _radical_before(p, rule, covered[0])), None)
        pieces = rest + [_wrapped("\\overline" if root is None else "\\sqrt", covered)]
        if root is not None:  # the radical sign goes into the \sqrt
            text = root.text.rstrip()[:-1]
            chars = root.chars[: max(len(root.chars) - (len(root.text) - len(text)), 0)]
            left = [Piece(text, root.box, root.size, root.baseline, root.superscript, root.level, chars)]
            pieces = [p for p in pieces if p is not root] + (left if text.strip() else [])
    return pieces


def _radical_before(piece: Piece, rule: Box, first: Piece) -> bool:
    """Whether `piece` ends with a radical sign whose bar is `rule` (the bar starts where the sign ends)."""
    return (
        piece.text.rstrip().endswith("√")
        and abs(piece.box[2] - rule[0]) <= 0.5 * piece.size
        and abs(piece.baseline - first.baseline) <= ROW * piece.size
    )
