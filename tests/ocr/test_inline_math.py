"""Scripts and fractions from pieces of positioned text."""

from __future__ import annotations

from ocr.inline_math import (
    Piece,
    baseline_scripts,
    dash_ones,
    glyph_subscripts,
    line_names,
    merge_fractions,
    row_text,
    small_if_small,
    split_around,
    stack_cases,
    stack_fractions,
    stack_on_bars,
    unicode_scripts,
)
from ocr.marks import Accent, Mark


def piece(text, x0, size=12.0, baseline=100.0, **kw) -> Piece:
    width = 0.5 * size * len(text)
    return Piece(text, (x0, baseline - 0.8 * size, x0 + width, baseline + 0.2 * size), size, baseline, **kw)


def test_scripts_by_size_and_baseline():
    pieces = [
        piece("x", 0),
        piece("2", 6, size=8, baseline=96),  # raised
        piece(" + a", 10),
        piece("n", 34, size=8, baseline=103),  # lowered
        piece(" = b", 38),
        piece("k+1", 62, size=8, baseline=99, superscript=True),  # flagged by the PDF
    ]
    assert row_text(pieces) == "x^{2} + a_{n} = b^{k+1}"


def test_small_text_on_the_baseline_is_not_a_script():
    assert row_text([piece("Note", 0), piece("small print", 30, size=8, baseline=100)]) == "Note small print"


def test_fixed_levels_and_gaps_between_base_pieces_become_spaces():
    pieces = [piece("y", 0), piece("=", 20, level=0), piece("2", 30, size=8, baseline=100, level=1)]
    assert row_text(pieces) == "y =^{2}"


def test_fraction_around_a_rule():
    rule = (50.0, 96.0, 62.0, 96.5)
    pieces = [
        piece("p =", 20),
        piece("3", 53, size=9, baseline=93),
        piece("4", 53, size=9, baseline=105),
        piece("done", 70),
    ]
    merged = merge_fractions(pieces, [rule])
    assert row_text(merged) == r"p = \frac{3}{4} done"


def test_nested_fraction_and_a_rule_that_is_no_fraction():
    inner = (60.0, 90.0, 66.0, 90.4)
    outer = (50.0, 96.0, 80.0, 96.5)
    separator = (0.0, 200.0, 500.0, 200.5)
    pieces = [
        piece("1", 61, size=8, baseline=88),
        piece("2", 61, size=8, baseline=97),
        piece("x", 60, size=9, baseline=106),
        piece("a long paragraph line below the separator, too long for a fraction", 0, baseline=212),
    ]
    merged = merge_fractions(pieces, [outer, inner, separator])
    assert sorted(p.text for p in merged)[0] == r"\frac{\frac{1}{2}}{x}"
    assert len(merged) == 2


def test_split_around_puts_a_formula_into_the_gap_of_a_span():
    span = Piece(
        "slopes  and",
        (0, 90, 66, 102),
        12,
        100,
        chars=tuple((c, 6 * i, 6 * i + 5) for i, c in enumerate("slopes  and")),
    )
    formula = Piece("2", (38, 91, 43, 101), 12, 100, level=0)
    parts = split_around([span], [formula.box])
    assert [p.text for p in parts] == ["slopes ", " and"]
    assert row_text(parts + [formula]) == "slopes 2 and"


def ocr_piece(text: str, box: tuple[float, float, float, float]) -> Piece:
    return Piece(text, box, box[3] - box[1], box[3])


# The piecewise function of question 6 of the 2024 national exam I paper, as rapidocr boxes it.
CASES_ROW = [
    ocr_piece("−x2 − 2ax − a, x < 0", (265.2, 455.9, 423.2, 478.0)),
    ocr_piece("6. 已知函数为 f(x) =", (101.8, 470.2, 254.2, 490.7)),
    ocr_piece("在R上单调递增，则a的取值范围是", (439.7, 470.8, 690.0, 489.0)),
    ocr_piece("ex +ln(x+ 1), x≥0", (260.8, 485.1, 419.3, 508.3)),
]


def test_stacked_case_lines_after_an_equals_sign_become_cases():
    pieces = stack_cases(CASES_ROW)
    assert len(pieces) == 3
    cases = pieces[-1]
    assert cases.text == r"\begin{cases} −x2 − 2ax − a, x < 0 \\ ex +ln(x+ 1), x≥0 \end{cases}"
    assert cases.box == (260.8, 455.9, 423.2, 508.3) and cases.level == 0
    assert [p.text for p in sorted(pieces, key=lambda p: p.box[0])][1] == cases.text  # between the two


def test_stacked_lines_that_are_no_piecewise_definition_stay_lines():
    no_equals = [p if "已知" not in p.text else ocr_piece("6. 已知函数为 f(x)", p.box) for p in CASES_ROW]
    assert stack_cases(no_equals) == no_equals
    no_conditions = [ocr_piece("y =", (100, 110, 130, 130)), ocr_piece("1", (135, 100, 145, 118))]
    no_conditions.append(ocr_piece("2", (135, 120, 145, 138)))
    assert stack_cases(no_conditions) == no_conditions
    assert stack_fractions(no_conditions)[-1].text == r"\frac{1}{2}"  # a fraction, not cases


def test_unicode_scripts_become_latex():
    assert unicode_scripts("x²+y²−2x, a₁₂, (x+1)ⁿ, e⁻¹") == "x^{2}+y^{2}−2x, a_{12}, (x+1)^{n}, e^{-1}"
    assert unicode_scripts("x2 + 1") == "x2 + 1"


# "a1,a2,...,an" of AIME 2015 II problem 10 as drawn: a, 1, comma, a, 2, comma, ellipsis (one glyph), ...
AIME_GLYPHS = [
    (135.45, 241.4, 140.56, 246.69),
    (141.44, 242.82, 144.07, 248.34),
    (146.54, 245.15, 147.97, 248.85),
    (150.86, 241.4, 155.97, 246.69),
    (156.6, 242.82, 159.64, 248.34),
    (161.95, 245.15, 163.37, 248.85),
    (166.75, 245.17, 177.71, 246.57),
    (181.21, 245.15, 182.63, 248.85),
    (185.52, 241.4, 190.62, 246.69),
    (191.03, 244.67, 195.3, 248.43),
]


def test_glyph_subscripts_from_the_geometry_of_the_read_characters():
    assert glyph_subscripts("a1,a2,...,an", AIME_GLYPHS) == "a_{1},a_{2},...,a_{n}"
    assert glyph_subscripts("a1,a2,…,an", AIME_GLYPHS) == "a_{1},a_{2},…,a_{n}"
    assert glyph_subscripts("a1,a2,. . .,an", AIME_GLYPHS) == "a1,a2,. . .,an"  # no one-to-one pairing
    a, one = AIME_GLYPHS[0], AIME_GLYPHS[1]
    y = (a[2] + 0.5, a[1], a[2] + 5, one[3] + 0.5)  # a descender: as low as a subscript
    assert glyph_subscripts("2y", [a, y]) == "2y"
    level = (a[2] + 0.5, a[1], a[2] + 5, a[3])
    assert glyph_subscripts("xn", [a, level]) == "xn"


def test_a_line_named_l_is_not_read_as_one():
    assert (
        line_names("过M(-2,0)的直线1交双曲线于两点，设直线1:x=my-2")
        == "过M(-2,0)的直线l交双曲线于两点，设直线l:x=my-2"
    )
    assert (
        line_names("若切线 I的斜率k=-1，证明：切线|不经过(0,0)")
        == "若切线 l的斜率k=-1，证明：切线l不经过(0,0)"
    )
    assert (
        line_names("直线11与直线12，共1条直线，x=1") == "直线11与直线12，共1条直线，x=1"
    )  # l1, l2: not guessed


def test_a_dash_between_chinese_characters_is_the_character_one():
    assert dash_ones("E 是 AD 上—点，PE⊥AD") == "E 是 AD 上一点，PE⊥AD"
    assert dash_ones("(i,j)—可分数列，破折号——在此，x—y") == "(i,j)—可分数列，破折号——在此，x—y"


def test_a_fraction_whose_neighbours_boxes_reach_over_it_a_little():
    # beijing 2024 Q16 as rapidocr boxes it: "sin 2B = √3/7 b cos B", both neighbours overlap the fraction
    row = [
        ocr_piece("sin 2B =", (85.23, 188.3, 435.68, 210.21)),
        ocr_piece("√3", (435.0, 172.55, 462.27, 199.94)),
        ocr_piece("b cos B .", (458.86, 188.3, 528.41, 211.58)),
        ocr_piece("7", (439.77, 204.05, 457.5, 225.28)),
    ]
    assert [p.text for p in stack_fractions(row)] == ["sin 2B =", "b cos B .", r"\frac{√3}{7}"]
    over = [ocr_piece("sin 2B = √3 b cos B .", (85.23, 188.3, 528.41, 211.58)), *row[1::2]]
    assert stack_fractions(over) == over  # a line across the pair: no neighbour beside it


def test_fraction_parts_whose_boxes_both_hold_the_bar_and_scripts_in_a_part():
    # exact-truth scan at 200 dpi, `6cos(π/2 − x)`: the parts' boxes overlap by a third of the smaller one;
    # `y_{1} + y_{2}` is a numerator of 7 characters however its scripts are written
    row = [
        ocr_piece("6cos", (150.0, 422.0, 187.0, 438.0)),
        ocr_piece("π", (190.0, 419.0, 202.0, 430.0)),
        ocr_piece("2", (190.0, 426.0, 202.0, 444.0)),
        ocr_piece("-x)", (205.0, 422.0, 230.0, 438.0)),
    ]
    assert stack_fractions(row)[-1].text == r"\frac{π}{2}"
    row[1] = ocr_piece("y_{1} + y_{2}", (190.0, 419.0, 232.0, 430.0))
    row[2] = ocr_piece("2", (205.0, 432.0, 215.0, 444.0))
    row[3] = ocr_piece("> x", (236.0, 422.0, 260.0, 438.0))
    assert stack_fractions(row)[-1].text == r"\frac{y_{1} + y_{2}}{2}"


def test_a_letter_whose_glyph_shows_an_accent_is_written_under_it():
    a, one = AIME_GLYPHS[0], AIME_GLYPHS[1]
    plus = (a[2] + 1, a[1], a[2] + 5, a[3])
    accents = {tuple(a): Mark(Accent.VEC, (), (0, 0, 0, 0))}
    assert glyph_subscripts("ā+1", [a, plus, one], accents) == "\\vec{a}+1"
    c = (plus[2] + 1, *a[1:])
    assert baseline_scripts("a+c", [a, plus, c], a[3], 10.0, accents) == "\\vec{a}+c"


def test_a_vertical_bar_read_as_a_letter_is_put_back_by_its_glyph():
    # |c| drawn in outlines, read `lcl`: the hairlines are bars, the italic l of a word is not
    bar, c = (10.0, 20.0, 10.7, 28.0), (11.5, 22.0, 16.0, 28.0)
    right = (16.8, 20.0, 17.5, 28.0)
    assert glyph_subscripts("lcl", [bar, c, right]) == "|c|"
    letter = (10.0, 20.0, 12.5, 28.0)
    assert glyph_subscripts("lcl", [letter, c, right]) == "lc|"


def test_an_accented_glyph_does_not_set_the_rows_full_height():
    # EC·ED with arrows: C's box holds its arrow; E measured against it would read as a subscript
    e1, c, dot = (10.0, 22.7, 17.0, 30.0), (14.5, 17.0, 24.3, 30.2), (27.0, 26.5, 28.3, 27.9)
    e2, d = (31.6, 22.7, 38.6, 30.0), (36.3, 17.1, 46.0, 30.0)
    first, second = Mark(Accent.VEC, (), (0, 0, 0, 0)), Mark(Accent.VEC, (), (0, 0, 0, 0))
    accents = {e1: first, c: first, e2: second, d: second}
    text = baseline_scripts("EC.ED", [e1, c, dot, e2, d], 30.0, 10.0, accents)
    assert text == "\\overrightarrow{EC}.\\overrightarrow{ED}"


def test_a_unicode_script_raised_by_its_glyph_is_written_as_its_plain_character():
    # a formula image read `x³`: the ³ is raised on the page too, so it becomes `x^{3}`, not `x^{³}`
    x = (10.0, 24.0, 16.0, 30.0)
    three = (17.0, 19.0, 20.0, 24.0)
    assert baseline_scripts("x³", [x, three], 30.0, 10.0) == "x^{3}"


def test_a_letter_read_alone_takes_the_case_its_size_tells():
    # a fraction's numerator `z` cut out alone is read `Z`: its glyph is an x-height tall, not a capital's
    body = 11.0
    assert small_if_small("Z", 0.45 * body, body) == "z"
    assert small_if_small("Z", 0.68 * body, body) == "Z"  # a capital's height: a capital
    assert small_if_small("A", 0.45 * body, body) == "A"  # its small letter looks otherwise
    assert small_if_small("ZZ", 0.45 * body, body) == "ZZ"


def test_a_comma_beside_a_fraction_is_not_in_its_denominator():
    # exact-truth `\left(\frac{1}{4}, \frac{1}{2}\right)`: the comma sits right after the bar's end, low
    rule = (50.0, 96.0, 56.0, 96.5)
    pieces = [
        piece("(", 44),
        piece("1", 51, size=9, baseline=93),
        piece("4", 51, size=9, baseline=105),
        Piece(",", (56.5, 98.0, 58.0, 101.5), 9.0, 101.0),  # narrow: within the bar's slack, beside it
    ]
    assert r"\frac{1}{4}" in row_text(merge_fractions(pieces, [rule]))


def test_brackets_one_over_the_other_are_no_fraction_and_tight_parts_are_one():
    # the tall brackets of options A and B, each read on its own, one over the other beside their labels
    row = [
        ocr_piece("A.", (68.0, 400.0, 82.0, 414.0)),
        ocr_piece("(", (83.0, 394.0, 90.0, 418.0)),
        ocr_piece("(", (82.0, 425.0, 90.0, 449.0)),
        ocr_piece("B.", (68.0, 430.0, 83.0, 445.0)),
    ]
    assert [p.text for p in stack_fractions(row)] == ["A.", "(", "(", "B."]
    # a numerator and a denominator boxed tight (read apart), their bar between: 0.7 of a digit apart
    row = [ocr_piece("B.", (68.0, 430.0, 83.0, 445.0)), ocr_piece("1", (98.0, 423.0, 104.0, 433.0))]
    row.append(ocr_piece("4", (97.0, 440.0, 106.0, 450.0)))
    assert stack_fractions(row)[-1].text == r"\frac{1}{4}"


def test_pieces_around_a_bar_seen_on_the_page_are_its_fraction():
    # zh02 of the exact-truth scans at 300 dpi, in points: the bar's numerator line is long (no guess
    # stacks 18 characters), its box reaches over the bar; a bracket beside it reaches over and under
    bar = (129.5, 291.0, 194.5, 292.5)
    row = [
        ocr_piece("6. 设函数 f(x) =", (52.0, 284.0, 128.5, 299.0)),
        ocr_piece("(x + 1)^{2} + sin x一", (126.0, 275.5, 197.0, 292.0)),
        ocr_piece("x^{2} + 1", (144.0, 289.0, 178.0, 309.0)),
        ocr_piece("(", (128.0, 276.0, 132.0, 309.0)),
        ocr_piece("的最大值为 M", (197.0, 282.0, 260.0, 297.0)),
    ]
    assert stack_fractions(row) == row  # without the bar: too long to be a guessed part
    fraction = stack_on_bars(row, [bar])[-1]
    assert fraction.text == r"\frac{(x + 1)^{2} + sin x}{x^{2} + 1}"  # the bar read as 一 is no part of it
    # two options' fractions, one under the other: the upper one is no numerator of the lower one
    upper, lower = (100.0, 400.0, 110.0, 401.0), (100.0, 430.0, 110.0, 431.0)
    row = [ocr_piece("1", (101.0, 390.0, 109.0, 400.0)), ocr_piece("4", (101.0, 402.0, 109.0, 412.0))]
    row += [ocr_piece("1", (101.0, 420.0, 109.0, 430.0)), ocr_piece("2", (101.0, 432.0, 109.0, 442.0))]
    assert sorted(p.text for p in stack_on_bars(row, [upper, lower])) == [r"\frac{1}{2}", r"\frac{1}{4}"]
    assert stack_on_bars(row[:1], [upper]) == row[:1]  # a numerator without a denominator: no fraction
