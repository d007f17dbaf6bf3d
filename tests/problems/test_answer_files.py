"""Answer keys in files of their own: paired with their exam by name, matched back by number."""

from __future__ import annotations

from distill.core.records import PageRow
from distill.problems.answer_files import PAGE_OFFSET, is_key_file, pair_files
from distill.problems.pairs import LONE_KEY, NO_KEY_ENTRY, UNMATCHED_KEY, problems_from_pages

STEMS = [
    "已知集合 A={1,2}，则 A 的子集个数为",
    "函数 f(x)=x+1 的零点为",
    "若 2x=4，则 x 等于",
    "计算 3+5 的值",
]
LETTERS = "BCAD"


def _page(name: str, page: int, text: str) -> PageRow:
    return PageRow(
        collection="c", source_file=name, source_sha256=name, page=page, text=text, method="text-layer"
    )


def _exam(name: str) -> list[PageRow]:
    lines = ["2024年某省高考数学试卷", "一、选择题"]
    for n, stem in enumerate(STEMS, start=1):
        lines += [f"{n}. {stem}（ ）", "A. 1  B. 2  C. 3  D. 4"]
    return [_page(name, 1, "\n".join(lines[:6])), _page(name, 2, "\n".join(lines[6:]))]


def test_key_files_are_paired_with_the_exam_whose_name_they_share():
    names = [
        "2024北京卷.pdf",
        "2024北京卷答案.pdf",
        "2024上海卷.pdf",
        "2024上海卷参考答案及解析.pdf",
        "amc/AMC10A.pdf",
        "amc/AMC10A_solutions.pdf",
        "old/key.pdf",
    ]
    pairing = pair_files(names)
    assert pairing.exams == {
        "2024北京卷.pdf": "2024北京卷答案.pdf",
        "2024上海卷.pdf": "2024上海卷参考答案及解析.pdf",
        "amc/AMC10A.pdf": "amc/AMC10A_solutions.pdf",
    }
    assert pairing.lone_keys == ["old/key.pdf"]
    assert is_key_file("Answers.pdf") and not is_key_file("keystone.pdf") and not is_key_file("exam.pdf")


def test_a_key_that_lists_letters_answers_the_exam_beside_it():
    pages = _exam("exam.pdf") + [_page("exam_答案.pdf", 1, "数学参考答案\n1. B  2. C\n3. A  4. D")]
    rows = problems_from_pages(pages).rows
    assert [(r.number, r.answer, r.answer_file) for r in rows] == [
        (str(n), letter, "exam_答案.pdf") for n, letter in zip(range(1, 5), LETTERS, strict=True)
    ]
    assert all(r.source_file == "exam.pdf" and r.page_end < PAGE_OFFSET for r in rows)


def test_a_key_that_repeats_the_questions_with_answers_and_solutions_works_too():
    lines = ["数学试题答案及解析"]
    for n, (stem, letter) in enumerate(zip(STEMS, LETTERS, strict=True), start=1):
        lines += [f"{n}. {stem}（ ）", f"【答案】{letter}", f"【解析】由题意，故选{letter}．"]
    pages = _exam("paper.pdf") + [_page("paper解析.pdf", 1, "\n".join(lines))]
    rows = problems_from_pages(pages).rows
    assert [r.answer for r in rows] == list(LETTERS)
    assert rows[0].problem.startswith("已知集合") and "故选B" in rows[0].solution


def test_what_does_not_match_is_reported_and_a_lone_key_says_so():
    pages = _exam("exam.pdf") + [_page("exam answers.pdf", 1, "Answers\n1. B 2. C 3. A 4. D 5. B 6. C")]
    pages += [_page("other/solutions.pdf", 1, "1. A\n2. B")]
    result = problems_from_pages(pages)
    unmatched = [r for r in result.rows if r.error and UNMATCHED_KEY in r.error]
    assert len(unmatched) == 1 and "5: B" in unmatched[0].error and "6: C" in unmatched[0].error
    lone = [r for r in result.rows if r.source_file == "other/solutions.pdf"]
    assert lone and all(LONE_KEY in r.split_notes or r.error for r in lone)


def test_an_answer_file_that_cannot_be_read_says_why():
    bad = PageRow(collection="c", source_file="exam答案.pdf", source_sha256="k", page=0, error="not a PDF")
    rows = problems_from_pages(_exam("exam.pdf") + [bad]).rows
    [error] = [r for r in rows if r.error]
    assert (error.source_file, error.error) == ("exam答案.pdf", "answer file unreadable: not a PDF")
    assert [r.answer for r in rows if not r.error] == ["", "", "", ""]


def test_a_key_named_like_no_exam_is_paired_by_its_numbers_or_its_stems():
    six = _page(
        "paper_b.pdf", 1, "\n".join(f"{n}. 计算 {n}+{n} 的值（ ）\nA. 1 B. 2 C. 3 D. 4" for n in range(1, 7))
    )
    short = _page(
        "scan_0042.pdf", 1, "数学参考答案\n1. B  2. C  3. A\n4. D  5. A  6. B"
    )  # numbers 1-6: paper_b's
    rows = problems_from_pages(_exam("paper_a.pdf") + [six, short]).rows
    assert {r.source_file: r.answer_file for r in rows} == {"paper_a.pdf": "", "paper_b.pdf": "scan_0042.pdf"}
    assert [r.answer for r in rows if r.source_file == "paper_b.pdf"] == list("BCADAB")
    few = _page("scan_0043.pdf", 1, "参考答案\n1. B  2. C  3. A  4. D")  # 1-4: too common a numbering alone
    assert not any(r.answer_file for r in problems_from_pages(_exam("paper_a.pdf") + [six, few]).rows)
    stems = ["参考答案"] + [
        f"{n}. {stem}（ ）\n【答案】{x}" for n, (stem, x) in enumerate(zip(STEMS, LETTERS, strict=True), 1)
    ]
    four = _page(
        "paper_c.pdf", 1, "\n".join(f"{n}. 求 {n}×{n} 的值（ ）\nA. 1 B. 2 C. 3 D. 4" for n in range(1, 5))
    )
    rows = problems_from_pages(_exam("paper_a.pdf") + [four, _page("img_7.pdf", 1, "\n".join(stems))]).rows
    assert {r.source_file: r.answer_file for r in rows} == {"paper_a.pdf": "img_7.pdf", "paper_c.pdf": ""}


def test_a_key_title_is_told_from_an_instruction_that_mentions_answers():
    assert is_key_file("x.pdf", "2024年北京卷数学参考答案\n1. B")
    assert is_key_file("x.pdf", "Solutions to the 2023 AMC 10A\n1. (B)")
    assert not is_key_file("x.pdf", "参考答案写在答题卡上\n1. 计算")
    assert not is_key_file("x.pdf", "Solutions must be written on the answer sheet.\n1. Find x.")


def test_a_problem_the_key_does_not_answer_is_flagged():
    pages = _exam("exam.pdf") + [_page("exam_答案.pdf", 1, "参考答案\n1. B  2. C  4. D")]
    rows = problems_from_pages(pages).rows
    assert [(r.number, r.answer, NO_KEY_ENTRY in r.split_notes) for r in rows] == [
        ("1", "B", False),
        ("2", "C", False),
        ("3", "", True),
        ("4", "D", False),
    ]


def test_a_key_that_numbers_each_section_from_one_is_matched_by_its_stems():
    lines = ["参考答案"]
    for section, numbers in (("一、选择题", (1, 2)), ("二、填空题", (1, 2))):
        lines.append(section)
        for k, n in enumerate(numbers):
            index = (0 if section.startswith("一") else 2) + k
            lines += [
                f"{n}. {STEMS[index]}（ ）",
                f"【答案】{LETTERS[index]}",
                f"【解析】故选{LETTERS[index]}．",
            ]
    rows = problems_from_pages(_exam("exam.pdf") + [_page("exam_key.pdf", 1, "\n".join(lines))]).rows
    assert [(r.number, r.answer) for r in rows] == [("1", "B"), ("2", "C"), ("3", "A"), ("4", "D")]
    assert "故选A" in rows[2].solution and "故选B" in rows[0].solution
