"""Bad input at each stage gives a recorded reason and the rest of the batch goes on."""

from distill.cot import generate_cot
from distill.ledger import SqliteLedger
from distill.local_server import free_port
from distill.pairs import problems_from_pages
from distill.prompts import Prompt
from distill.records import PageRow, TranslatedRow
from distill.teacher import TeacherClient, TeacherSettings
from distill.verification import verify_rows


def page(source: str, number: int, text: str, error: str | None = None) -> PageRow:
    return PageRow(collection="c", source_file=source, source_sha256=source, page=number, text=text,
                   method="error" if error else "text-layer", engine="pymupdf", error=error)  # fmt: skip


def test_files_without_problems_become_error_rows_and_the_others_split():
    pages = [
        page(
            "good.pdf",
            1,
            "Problem 1. What is $2+3$?\nSolution. It is $\\boxed{5}$.\n"
            "Problem 2. What is $2 \\cdot 3$?\nSolution. It is $\\boxed{6}$.",
        ),  # fmt: skip
        page("noise.pdf", 1, "lorem ipsum dolor sit amet " * 5),
        page("broken.pdf", 0, "", error="not a PDF: file starts with b'GIF8'"),
    ]
    rows, reasons = problems_from_pages(pages)
    by_file = {}
    for row in rows:
        by_file.setdefault(row.source_file, []).append(row)
    assert [(r.number, r.answer) for r in by_file["good.pdf"]] == [("1", "5"), ("2", "6")]
    assert by_file["noise.pdf"][0].error == "no problem found by the splitting rules"
    assert by_file["broken.pdf"][0].error.startswith("no usable page: not a PDF")
    assert reasons == {"no problem found by the splitting rules": 1, "no usable page": 1}
    assert len({r.id for r in rows}) == len(rows)


def test_failed_teacher_calls_are_error_rows_with_a_verdict(tmp_path):
    settings = TeacherSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", max_retries=0,
                               timeout_s=5)  # fmt: skip
    client = TeacherClient(settings, SqliteLedger(tmp_path / "l.sqlite"))
    rows = [
        TranslatedRow(id="a", collection="c", source_file="f", source_sha256="s", page_start=1, page_end=1,
                      problem="2+3?", answer="5"),
        TranslatedRow(id="b", collection="c", source_file="f", source_sha256="s", page_start=1, page_end=1,
                      error="translation failed: timeout"),
    ]  # fmt: skip
    samples, stats = generate_cot(rows, client, Prompt.load("configs/prompts/cot_distill.yaml"), "distill", 2)
    assert [(s.id, s.sample_index) for s in samples] == [("a", 0), ("a", 1)]
    assert stats.failed == 2 and all(s.error.startswith("APIConnectionError") for s in samples)
    verified, verdicts = verify_rows(samples)
    assert verdicts == {"error": 2}
