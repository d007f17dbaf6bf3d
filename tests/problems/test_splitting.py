"""Rule-based splitting of exam page texts into problems.

The Chinese items are copied from GAOKAO-Bench (OpenLMLab/GAOKAO-Bench, Apache-2.0): 2014 新课标Ⅰ
MCQ 1, 2010 新课标 MCQ 3, fill-in 13 and open-ended 17, laid out the way a text-layer PDF extraction
of an exam with answers and solutions reads. The OCR-like exam is made up.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pymupdf
import pytest

from distill.answers.normalize import CHOICE_TYPES, normalize_answer
from distill.core.scripts import detect_language
from distill.problems.splitting import question_type, split_document, split_pages

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "inbox"

ZH_PAGE_1 = r"""2024年普通高等学校招生全国统一考试 数学（样卷）
注意事项：
1．答卷前，考生务必将自己的姓名、准考证号填写在答题卡上。
2．回答选择题时，选出每小题答案后，用铅笔把答题卡上对应题目的答案标号涂黑。
一、选择题：本题共 2 小题，每小题 5 分，共 10 分。在每小题给出的四个选项中，只有一项是符合题目要求的。
1．（5 分）已知集合 $M=\{x \mid-1<x<3\}, N=\{x \mid-2<x<1\}$, 则 $M \cap N=(\quad)$
A．$(-2,1)$
B．$(-1,1)$
C．$(1,3)$
D．$(-2,3)$
【答案】B
【解析】解: $M=\{x \mid-1<x<3\}, N=\{x \mid-2<x<1\}$,
则 $M \cap N=\{x \mid-1<x<1\}$,
故选: B.
2．(5 分) 已知复数 $Z=\frac{\sqrt{3}+i}{(1-\sqrt{3} i)^{2}}$, 则 $|z|=(\quad)$
A．$\frac{1}{4}$
B．$\frac{1}{2}$
第 1 页 共 2 页"""

ZH_PAGE_2 = r"""C．1
D．2
【答案】B
【解析】解: 化简得 $z=\frac{\sqrt{3}+i}{-2-2 \sqrt{3} i}=-\frac{\sqrt{3}}{4}+\frac{i}{4}$,
故 $|z|=\sqrt{\left(\frac{\sqrt{3}}{4}\right)^{2}+\left(\frac{1}{4}\right)^{2}}=\frac{1}{2}$,
故选: B.
二、填空题：本题共 1 小题，每小题 5 分，共 5 分。
3．(5 分) 圆心在原点上与直线 $x+y-2=0$ 相切的圆的方程为______．
【答案】$x^{2}+y^{2}=2$
【解析】解: 圆心到直线的距离: $r=\frac{2}{\sqrt{2}}=\sqrt{2}$, 所求圆的方程为 $x^{2}+y^{2}=2$.
故答案为: $x^{2}+y^{2}=2$
三、解答题：共 12 分。解答应写出文字说明、证明过程或演算步骤。
4．(12 分) 设数列满足 $a_{1}=2, a_{n+1}-a_{n}=3 \cdot 2^{2 n-1}$
（1）求数列 $\left\{a_{n}\right\}$ 的通项公式;
(2) 令 $b_{n}=n a_{n}$, 求数列 $\left\{b_{n}\right\}$ 的前 $n$ 项和 $S_{n}$.
【答案】解： ( I ) 由已知, 当 $n \geqslant 1$ 时, $a_{n+1}=3\left(2^{2 n-1}+\ldots+2\right)+2=2^{2(n+1)-1}$.
所以数列 $\left\{a_{n}\right\}$ 的通项公式为 $a_{n}=2^{2 n-1}$.
( II ) 由 $b_{n}=n a_{n}=n \cdot 2^{2 n-1}$ 知 $S_{n}=1 \cdot 2+2 \cdot 2^{3}+\ldots+n \cdot 2^{2 n-1}(1)$
(1)- (2)得 $\left(1-2^{2}\right) \cdot S_{n}=2+2^{3}+\ldots+2^{2 n-1}-n \cdot 2^{2 n+1}$.
即 $S_{n}=\frac{1}{9}\left[(3 n-1) 2^{2 n+1}+2\right]$.
- 2 -"""

SCORE_MARK = re.compile(r"[（(]\s*\d+\s*分\s*[)）]")


def _zh_exam():
    return split_document([(1, ZH_PAGE_1), (2, ZH_PAGE_2)])


def test_chinese_exam_counts_numbers_sections_and_types():
    problems = _zh_exam()
    assert [p.number for p in problems] == ["1", "2", "3", "4"]  # the 注意事项 items are not problems
    assert [p.type for p in problems] == ["single_choice", "single_choice", "fill", "computation"]
    assert [p.section for p in problems] == ["一、选择题", "一、选择题", "二、填空题", "三、解答题"]
    assert {p.language for p in problems} == {"zh"}


def test_chinese_exam_options_answers_and_solutions():
    p1, p2, p3, _ = _zh_exam()
    assert p1.problem.startswith("已知集合 $M=")
    assert p1.options == ["$(-2,1)$", "$(-1,1)$", "$(1,3)$", "$(-2,3)$"]
    assert (p1.answer_raw, p1.answer_rule) == ("B", "答案标记")
    assert p1.solution.startswith("解: $M=") and p1.solution.endswith("故选: B.")
    assert p2.options == [r"$\frac{1}{4}$", r"$\frac{1}{2}$", "1", "2"]
    assert (p3.answer_raw, p3.options) == ("$x^{2}+y^{2}=2$", [])
    assert p3.solution.endswith("故答案为: $x^{2}+y^{2}=2$")


def test_problem_continued_across_the_page_break():
    problems = _zh_exam()
    assert [(p.page_start, p.page_end) for p in problems] == [(1, 1), (1, 2), (2, 2), (2, 2)]
    p2 = problems[1]
    assert p2.raw_text.startswith("2．(5 分) 已知复数") and "D．2" in p2.raw_text
    for p in problems:  # page footers are gone everywhere
        text = "\n".join([p.problem, *p.options, p.solution, p.raw_text])
        assert "第 1 页" not in text and "- 2 -" not in text


def test_score_marks_removed_and_char_spans_consistent():
    problems = _zh_exam()
    for p in problems:
        assert not SCORE_MARK.search(p.problem)
        assert p.char_span[1] - p.char_span[0] == len(p.raw_text)
    spans = [p.char_span for p in problems]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert SCORE_MARK.search(problems[0].raw_text)  # raw_text keeps the original line


def test_sub_questions_stay_inside_and_worked_answer_becomes_solution():
    p4 = _zh_exam()[3]
    assert "（1）求数列" in p4.problem and "(2) 令 $b_{n}=n a_{n}$" in p4.problem
    assert p4.solution.startswith("解： ( I ) 由已知") and "(1)- (2)得" in p4.solution
    # the long 【答案】 block is a worked solution: the answer comes from its last formula
    assert p4.answer_rule == "final_sentence"
    assert p4.answer_raw == r"\frac{1}{9}\left[(3 n-1) 2^{2 n+1}+2\right]"


def test_inline_options_multi_choice_and_numbered_solution_steps():
    text = r"""二、多选题
5．下列函数中是奇函数的有（ ）
A．$y=x^3$　　B．$y=\sin x$　　C．$y=x^2$　　D．$y=\cos x$
【答案】AB
三、解答题
6．已知 $x=0.5$，求 $4x$ 的值．
解：
1. 由题意 $4x=4 \times 0.5$；
2. 所以 $4x=2$．
0.5 是已知量．
7．若 $2x=6$，则 $x=$______．
【答案】3"""
    problems = split_document([(3, text)])
    assert [p.number for p in problems] == ["5", "6", "7"]
    p5, p6, p7 = problems
    assert p5.type == "multi_choice" and p5.options == ["$y=x^3$", r"$y=\sin x$", "$y=x^2$", r"$y=\cos x$"]
    assert p5.answer_raw == "AB" and p5.page_start == p5.page_end == 3
    assert "2. 所以 $4x=2$" in p6.solution and "0.5 是已知量" in p6.solution
    assert (p6.answer_raw, p6.answer_rule) == ("2", "final_sentence")
    assert (p7.type, p7.answer_raw, p7.section) == ("computation", "3", "三、解答题")  # section decides


def test_proof_problem_without_answer():
    text = """四、解答题
18．（10分）已知 $a>0, b>0, a^{3}+b^{3}=2$. 证明: $a+b \\leqslant 2$.
证明：由均值不等式得 $(a+b)^{3} \\leqslant 8$，所以 $a+b \\leqslant 2$."""
    (p,) = split_document([(1, text)])
    assert p.type == "proof" and p.answer_raw == "" and p.answer_rule == "none"
    assert p.problem.startswith("已知") and p.solution.startswith("证明：由均值不等式")


def test_english_problems_and_solutions_without_key():
    page1 = r"""Sample Contest 2024
Problem 1. Compute $1+2+\cdots+10$.
Solution. Pair the terms: $\frac{10 \cdot 11}{2}=\boxed{55}$.
Problem 2. Find all real $x$ with $x^2=4$.
Page 1 of 2"""
    page2 = r"""Solution: $x=\pm 2$, so the answer is $\{-2,2\}$.
Problem 3. Prove that $\sqrt{2}$ is irrational.
Proof. If $\sqrt{2}=p/q$ in lowest terms, then $p^2=2q^2$, a contradiction.
Page 2 of 2"""
    problems = split_document([(1, page1), (2, page2)])
    assert [p.number for p in problems] == ["1", "2", "3"]
    assert {p.language for p in problems} == {"en"}
    p1, p2, p3 = problems
    assert p1.problem == r"Compute $1+2+\cdots+10$." and (p1.answer_raw, p1.answer_rule) == ("55", "boxed")
    assert (p2.page_start, p2.page_end) == (1, 2) and p2.answer_raw == r"$\{-2,2\}$"
    assert p3.type == "proof" and p3.answer_raw == ""
    assert all("Page" not in p.raw_text for p in problems)


def test_english_choices_with_answer_key():
    text = r"""1. What is $2+3$?
(A) 4 (B) 5 (C) 6 (D) 7 (E) 8
2. How many primes are less than 10?
(A) 3
(B) 4
(C) 5
(D) 6
(E) 7
3. What is $\frac{1}{2}+\frac{1}{4}$? (A) $\frac{1}{4}$ (B) $\frac{1}{2}$ (C) $\frac{3}{4}$ (D) $1$ (E) $2$
4. Find the area of a square with side 3.
Answer Key
1. B 2. B 3. C 4. 9"""
    problems = split_document([(1, text)])
    assert [p.number for p in problems] == ["1", "2", "3", "4"]
    assert [p.answer_raw for p in problems] == ["B", "B", "C", "9"]
    assert {p.answer_rule for p in problems} == {"answer_key"}
    assert [p.type for p in problems] == ["single_choice"] * 3 + ["computation"]
    assert problems[0].options == ["4", "5", "6", "7", "8"]
    assert problems[2].problem == r"What is $\frac{1}{2}+\frac{1}{4}$?"
    assert problems[2].options[2] == r"$\frac{3}{4}$"
    assert "Answer Key" not in problems[3].raw_text


def test_chinese_answer_key_with_range_and_solutions():
    text = r"""一、选择题
1．若 $x+1=3$，则 $x=$（ ）
A．1　B．2　C．3　D．4
2．$\sqrt{16}=$（ ）
A．2　B．4　C．8　D．16
二、填空题
3．$2^{3}=$______．
参考答案
1-2 BB
3．【答案】8
【解析】$2^3=8$．"""
    problems = split_document([(1, text)])
    assert [(p.answer_raw, p.answer_rule) for p in problems] == [
        ("B", "answer_key"),
        ("B", "answer_key"),
        ("8", "答案标记"),
    ]
    assert problems[1].options == ["2", "4", "8", "16"]
    assert problems[2].solution == "$2^3=8$．" and "参考答案" not in problems[2].raw_text


def test_running_header_repeated_on_every_page_is_dropped():
    header = "2024 年高考数学样卷（理科）"
    pages = [
        (1, f"{header}\n1．计算 $1+1$．\n【答案】2\n1"),
        (2, f"{header}\n2．计算 $2+2$．\n【答案】4\n2"),
        (3, f"{header}\n3．计算 $3+3$．\n【答案】6\n3"),
    ]
    problems = split_document(pages)
    assert [(p.number, p.answer_raw, p.page_start) for p in problems] == [
        ("1", "2", 1),
        ("2", "4", 2),
        ("3", "6", 3),
    ]
    assert all(header not in p.raw_text for p in problems)


def test_noise_and_empty_documents_give_nothing():
    noise = "扫描件 ### ~~ ||| \n$$x$$ lorem ipsum 3.14 \n- 1 -\n0.25 mm"
    assert split_document([(1, noise)]) == []
    assert split_document([(1, ""), (2, "   \n")]) == []
    assert split_document([]) == []


def test_detect_language():
    assert detect_language(ZH_PAGE_1) == "zh"
    assert detect_language(r"Find all real $x$ such that $\frac{x}{2}=3$.") == "en"


# A scanned exam as OCR reads it (made-up items): a watermark repeated on every page, one question's
# number line lost, one question run into the previous line, page marks in two styles, and an answer
# booklet that repeats the title and answers by 【第N题】 markers, two of them in one scrambled line.
OCR_PAGES = [
    (
        1,
        """2024年模拟考试 数学（样卷）
一、选择题：本题共5小题，每小题5分.
1. 已知集合 A={1,2}, B={2,3}, 则 A∩B=（ ） 真题资料免费下载
A. {1} B. {2} C. {3} D. {1,2,3}
2. 若 2x=4, 则 x=（ ） A. 1 B. 2
A. 5 B. 6 C. 7 D. 8
4. 计算 1+1 的值为（ ） A. 1 B. 2 C. 3 D. 4 5. 已知 x+1=3，则 x=（ ）
第1页/共3页""",
    ),
    (
        2,
        """A. 1 B. 2 C. 3 D. 4 资料免费下载
二、填空题
6. 函数 f(x)=x^2 的最小值为____.
2页(共3页） 真题资料免费下载""",
    ),
    (
        3,
        """2024年模拟考试 数学（样卷）
【第1题】 真题资料免费下载
【答案】B
【第2题】 【第3题】 【答案】B 【答案】C
【第4题】
【答案】B
【解析】1+1=2，故选B.
【第5题】
【答案】B
【第6题】
【答案】0
第3页/共3页""",
    ),
]


def test_ocr_exam_numbers_repairs_and_answer_booklet():
    split = split_pages(OCR_PAGES)
    problems = split.problems
    assert [p.number for p in problems] == ["1", "2", "3", "4", "5", "6"]
    assert [p.answer_raw for p in problems] == ["B", "B", "C", "B", "B", "0"]
    p2, p3, p4, p5 = problems[1:5]
    assert p2.options == ["1", "2"] and p3.options == ["5", "6", "7", "8"]
    assert p3.problem == "" and p3.flags == ["number_inferred", "empty_stem"]
    assert p4.options == ["1", "2", "3", "4"] and p4.flags == []
    assert p5.problem == "已知 x+1=3，则 x=（ ）" and p5.flags == ["mid_line_start"]
    assert p5.options == ["1", "2", "3", "4"] and (p5.page_start, p5.page_end) == (1, 2)
    assert problems[3].solution == "1+1=2，故选B."
    assert [p.section for p in problems] == ["一、选择题"] * 5 + ["二、填空题"]
    everything = "\n".join(p.raw_text + p.problem + "".join(p.options) + p.solution for p in problems)
    assert "免费下载" not in everything and "页" not in everything and "样卷" not in everything
    assert split.unmatched_key == {} and "免费下载" not in split.text


def test_lost_number_line_before_a_second_answer_mark():
    text = """1. 计算 $2+3$.
【答案】5
【解析】直接计算.
故答案为5.
计算 $3+4$.
【答案】7
3. 计算 $4+5$.
【答案】9"""
    problems = split_document([(1, text)])
    assert [(p.number, p.problem, p.answer_raw) for p in problems] == [
        ("1", "计算 $2+3$.", "5"),
        ("2", "计算 $3+4$.", "7"),
        ("3", "计算 $4+5$.", "9"),
    ]
    assert problems[0].solution == "直接计算.\n故答案为5." and problems[1].flags == ["number_inferred"]


def test_answer_key_without_problems_and_lines_in_no_problem():
    split = split_pages([(1, "Answer Key\n1. B 2. C\n3. $\\frac{1}{2}$")])
    assert split.problems == [] and split.unmatched_key == {1: "B", 2: "C", 3: "$\\frac{1}{2}$"}
    titled = split_pages(
        [
            (
                1,
                "Solutions\n1. Compute $1+1$.\nSolution. $\\boxed{2}$\n2. Find $x$ if $x+1=3$.\nSolution. $\\boxed{2}$",
            )
        ]
    )
    assert [(p.number, p.answer_raw) for p in titled.problems] == [("1", "2"), ("2", "2")]  # a title, no key
    noise = split_pages([(1, "Lorem ipsum dolor sit amet\nconsectetur adipiscing")])
    assert noise.problems == [] and [line for _, line in noise.uncovered] == [
        "Lorem ipsum dolor sit amet",
        "consectetur adipiscing",
    ]


EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("relpath", ["gaokao-sample/exam_text.pdf", "english-sample/problems_en.pdf"])
def test_bundled_text_layer_samples_split_as_expected(relpath):
    with pymupdf.open(SAMPLES / relpath) as doc:
        split = split_pages([(i + 1, page.get_text()) for i, page in enumerate(doc)])
    expected = EXPECTED[relpath]["problems"]
    assert [int(p.number) for p in split.problems] == [e["number"] for e in expected]
    for problem, want in zip(split.problems, expected, strict=True):
        assert normalize_answer(problem.answer_raw, problem.type) == normalize_answer(want["answer"])
        assert (problem.type in CHOICE_TYPES) == (want["type"] == "choice")
        assert [problem.page_start, problem.page_end] == [want["pages"][0], want["pages"][-1]]
    assert split.unmatched_key == {} and not split.uncovered[1:]  # only the title is in no problem


def test_a_problem_that_asks_for_a_proof_and_gives_no_value_is_a_proof_whatever_its_section():
    cases = [
        ("Prove that 2 is prime.", "", "fill"),
        ("Prove that x > 0 and find x.", "3", "fill"),
        ("证明：a+b>2", "", "computation"),
        ("Find x.", "2", "proof"),
        ("Find y.", "5", "fill"),
    ]
    types = [question_type(problem, False, answer, section) for problem, answer, section in cases]
    assert types == ["proof", "fill", "proof", "proof", "fill"]
