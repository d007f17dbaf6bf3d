"""Where the hand-typed truth of the gaokao 2024 scans (``../shared/data/pdfs/gaokao2024/*.truth.csv``) is
not what the papers print, each case checked against the rendered page.

The truth files were typed from recollections of the exams: some questions are another question
(TRUTH_ERRATA, left out of the corrected CER), and many paraphrase the paper (TRUTH_CORRECTIONS: the
typed text and what the paper prints in its place). The benchmark reports CER against the truth as
given and against the corrected truth.
"""

from __future__ import annotations

import csv
from pathlib import Path

# (exam, question number) -> what the truth file holds that the scanned PDF does not print
TRUTH_ERRATA = {
    ("beijing", 21): "(2) lists nine terms (a_1+2, a_2+2, a_3+6, ...) where the paper prints eight (a1+2, "
    "a2+6, a3+4, ...), and (3) asks about a_1+a_2+a_3 and an 元素条件 where the paper asks about a1+a3+a5+a7 "
    "and the 充要条件 of a constant sequence",
    ("shanghai", 19): "adds a note (附：the chi-squared formula and P(chi^2 >= 3.841)) the paper does not "
    "print, and leaves out the table of counts that the paper prints",
    ("shanghai", 21): "part (3) is printed as '题干缺失' (stem missing); the truth supplies a full stem",
}

# (exam, question number) -> (typed text, printed text) pairs; every occurrence of the typed text is replaced
TRUTH_CORRECTIONS: dict[tuple[str, int], tuple[tuple[str, str], ...]] = {
    ("beijing", 2): ((r"\frac{Z}{i}", r"\frac{z}{i}"), ("$Z =$", "$z =$"), ("D. $i$", "D. 1")),
    ("beijing", 5): (  # the paper prints every a and b with its arrow
        ("向量 $a$ ，$b$", r"向量 $\vec{a}$ ，$\vec{b}$"),
        ("$(a + b)(a - b) = 0$", r"$(\vec{a} + \vec{b})(\vec{a} - \vec{b}) = 0$"),
        ("$a = b$ 或 $a = -b$", r"$\vec{a} = \vec{b}$ 或 $\vec{a} = -\vec{b}$"),
    ),
    ("beijing", 6): ((r"sin \omega x$", r"sin \omega x(\omega > 0)$"),),
    ("beijing", 8): (("，求该四棱锥的高？", "，则该四棱锥的高为？"),),
    ("beijing", 9): (("是 $y=2^x$ 上的点", "是函数 $y=2^x$ 图象上不同的两点"),),
    ("beijing", 10): ((r"\{ y|y=", r"\{ (x,y)|y="),),
    ("beijing", 12): (("[π/6,π/3]", r"\left[\frac{π}{6},\frac{π}{3}\right]"),),  # stacked on the paper
    ("beijing", 13): (("x^2/4", r"\frac{x^2}{4}"),),  # stacked on the paper
    ("beijing", 14): (("体积为 10 的等比数列，", "体积为公比为 10 的等比数列．"),),
    ("beijing", 15): (
        ("M = {a_n = b_n}", "M = \\{k|a_k = b_k\\}"),
        ("互不相同", "各项均不相同"),
        ("(1) $a_n$", "① $a_n$"),
        ("(2) $a_n$", "② $a_n$"),
        ("(3) $a_n$", "③ $a_n$"),
        ("(4) $a_n$", "④ $a_n$"),
    ),
    ("beijing", 17): (("求面 PAB 与面 PCD", "求平面 PAB 与平面 PCD"),),
    ("beijing", 18): (
        ("0.6 万元。", "0.6 万元"),
        ("赔偿次数少于 2 次", "赔偿不少于 2 次"),
        ("若未赔付的保单下一险期", "若未赔偿过的保单下一保险期"),
        ("已赔付的增加 20%，", "已赔偿过的增加 20%．"),
        ("估计保单下一险期", "估计保单下一保险期"),
    ),
    ("beijing", 19): (("的正方形。过", "的正方形，过"),),
    ("beijing", 20): (
        ("(3) 已知 $A", "(3) 已知 $k=1$，$A"),
        (
            r"点 $B$。时当 $2^{\omega O}=15\delta_{ABO}$",
            r"点 $B$ 时．当 $2S_{\triangle ACO}=15S_{\triangle ABO}$",
        ),
    ),
    ("national1", 5): (("圆柱体", "圆柱"), ("圆锥体", "圆锥")),
    ("national1", 11): ((r"$y0 ≤ \frac{4}{(x_0 + 2)}$", r"$y_0 ≤ \frac{4}{x_0 + 2}$"),),
    ("national1", 14): (
        ("四张卡片。", "四张卡片，"),
        ("1，3，5，7。", "1，3，5，7，"),
        ("四轮比赛。", "四轮比赛，"),
        ("各自自持有", "各自从自己持有"),
        ("数字的大小。数字大的得", "数字的大小，数字大的人得"),
        ("数字小的得 0 分。", "数字小的人得 0 分，"),
        ("不能使用），则", "不能使用）．则"),
    ),
    ("national1", 17): (("三面角", "二面角"),),
    ("national1", 18): (("(x-1)^3$ ，", "(x-1)^3$ ．"),),
    ("national1", 19): (
        (r"\ldots，", r"\ldots "),
        ("4 个数能", "4 个数都能"),
        ("-可分数列。\n(2)", "-可分数列；\n(2)"),
        ("-可分数列。\n(3)", "-可分数列；\n(3)"),
    ),
    ("shanghai", 3): (("已知 $x", "$x"),),
    ("shanghai", 8): (("$C$ 三种", "$C$ 3 种"), ("随即", "随机")),
    ("shanghai", 10): (("正整数，且", "正整数且"),),
    ("shanghai", 11): (
        ("$O$ 到 $A$ 和 $B$ 的距离", "$O$ 到 $A$、$B$ 距离"),
        ("角 $", r"$\angle "),
        ("BOT=$（", "BOT=$．（"),
    ),
    ("shanghai", 13): (("气温温度", "气候温度"),),
    ("shanghai", 15): (("不完全为 0", "不全为 0"),),
    ("shanghai", 16): (("X \\in (-\\infty, X_0)", "x \\in (-\\infty, x_0)"), ("在是的", "在使得")),
    ("shanghai", 20): (
        ("左右定点", "左右顶点"),
        ("双曲线 $T$", r"双曲线 $\Gamma$"),
        ("（1）若 $e=2$ 时，求$b$？", "（1）$e=2$ 时，求$b$．"),
        ("（2）若 $b=", "（2）$b="),
        ("求 $P$ 的坐标？", "求点 $P$ 的坐标．"),
    ),
}


def truth_questions(csv_path: Path) -> list[str]:
    with csv_path.open(encoding="utf-8") as handle:
        return [row["prompt"] for row in csv.DictReader(handle)]


def corrected(exam: str, number: int, question: str) -> str:
    """`question` (number `number` of `exam`'s truth) with its TRUTH_CORRECTIONS applied."""
    for typed, printed in TRUTH_CORRECTIONS.get((exam, number), ()):
        if typed not in question:
            raise ValueError(f"{exam} Q{number}: correction {typed!r} not in the truth")
        question = question.replace(typed, printed)
    return question
