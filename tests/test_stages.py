"""Bad input at each stage gives a recorded reason and the rest of the batch goes on."""

from distill.core.kinds import ErrorKind
from distill.core.records import PageRow, TranslatedRow
from distill.cot.generate import generate_cot
from distill.llm.client import TeacherClient, TeacherSettings
from distill.llm.ledger import SqliteLedger
from distill.llm.local_server import free_port
from distill.llm.prompts import Prompt
from distill.problems.pairs import problems_from_pages
from distill.verification.verdicts import verify_rows
from tests.rows import stage_row


def page(source: str, number: int, text: str, error: str | None = None) -> PageRow:
    return PageRow(
        collection="c",
        source_file=source,
        source_sha256=source,
        page=number,
        text=text,
        method="error" if error else "text-layer",
        engine="pymupdf",
        error=error,
        error_kind=ErrorKind.BAD_FILE if error else None,
    )


def test_files_without_problems_become_error_rows_and_the_others_split():
    pages = [
        page(
            "good.pdf",
            1,
            "Problem 1. What is $2+3$?\nSolution. It is $\\boxed{5}$.\n"
            "Problem 2. Prove that $2+2=4$.\nProof. Count.",
        ),
        page("noise.pdf", 1, "lorem ipsum dolor sit amet " * 5),
        page("figure.pdf", 1, "A B\nO x"),  # a page with only a figure: its labels
        page("key.pdf", 1, "Answer Key\n1. B 2. C"),
        page("broken.pdf", 0, "", error="not a PDF: file starts with b'GIF8'"),
    ]
    result = problems_from_pages(pages)
    by_file = {}
    for row in result.rows:
        by_file.setdefault(row.source_file, []).append(row)
    good = by_file["good.pdf"]
    assert [(r.number, r.type, r.answer, r.answer_parses, r.answer_issue) for r in good] == [
        ("1", "computation", "5", True, ""),
        ("2", "proof", "", False, "proof: no single final answer"),
    ]
    assert {(r.split_method, r.split_fallback) for r in good} == {("rules", "")}
    assert [r.raw_text[:10] for r in good] == ["Problem 1.", "Problem 2."]
    assert all(r.char_end - r.char_start == len(r.raw_text) for r in good) and good[1].char_start > 0
    assert by_file["noise.pdf"][0].error == (
        "no problem found by the splitting rules (teacher fallback: off: no teacher fallback configured)"
    )
    assert (
        by_file["figure.pdf"][0].error == "no problem found by the splitting rules"
    )  # too little text to ask
    assert [r.error for r in by_file["key.pdf"]] == [
        "no problem found by the splitting rules",
        "answer key entries without a problem: 1: B, 2: C",
    ]
    assert by_file["broken.pdf"][0].error.startswith("no usable page: not a PDF")
    assert by_file["broken.pdf"][0].error_kind == "bad_file"
    assert result.reasons == {"no_problems": 3, "unmatched_answers": 1, "bad_file": 1}
    assert result.fallback == {"off": 1} and result.teacher is None
    assert len({r.id for r in result.rows}) == len(result.rows)


def test_failed_teacher_calls_are_error_rows_with_a_verdict(tmp_path):
    settings = TeacherSettings(
        base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", max_retries=0, timeout_s=5
    )
    client = TeacherClient(settings, SqliteLedger(tmp_path / "l.sqlite"))
    rows = [
        stage_row(TranslatedRow, "a", problem="2+3?", answer="5"),
        stage_row(TranslatedRow, "b", error="translation failed: timeout"),
    ]
    samples, stats = generate_cot(rows, client, Prompt.load("configs/prompts/cot_distill.yaml"), "distill", 2)
    assert [(s.id, s.sample_index) for s in samples] == [("a", 0), ("a", 1)]
    assert stats.failed == 2 and all(s.error.startswith("APIConnectionError") for s in samples)
    verified, verdicts = verify_rows(samples)
    assert verdicts == {"error": 2}
