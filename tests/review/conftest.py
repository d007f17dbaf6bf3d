"""A data root with one collection (a real PDF in the inbox, its page and problem tables) and the review
app served by a real uvicorn server on loopback."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pymupdf
import pytest
import uvicorn

from distill.core.records import PageRow, ProblemRow
from distill.core.storage import TableStore
from pipelines.review.app import ReviewSettings, create_app

SCRIPT = "<script>document.title='owned'</script>"


def build_root(tmp_path: Path, problems: int = 120) -> ReviewSettings:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    (inbox / "c").mkdir(parents=True)
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "1. Find x if x^{2} = 4.", fontsize=12)
    page.insert_text((72, 130), "A. 1   B. 2   C. 3   D. 4", fontsize=12)
    page.insert_text((72, 180), "2. Another problem on this page.", fontsize=12)
    doc.save(inbox / "c" / "paper.pdf")
    store = TableStore(str(data))
    base = dict(collection="c", source_file="paper.pdf", source_sha256="f" * 64)
    store.write_rows("pdf_pages", "c", [PageRow(**base, page=1, text="...", method="text-layer")], PageRow)
    rows = [
        ProblemRow(
            id=f"p{n:05d}",
            **base,
            page_start=1,
            page_end=1,
            number=str(n),
            problem="Find x if x^{2} = 4." if n == 1 else f"Problem {n} {SCRIPT if n == 2 else ''}",
            options=["A. 1", "B. 2", "C. 3", "D. 4"] if n == 1 else [],
            raw_text="1. Find x if x^{2} = 4.\nA. 1   B. 2   C. 3   D. 4" if n == 1 else "",
            answer_raw="2" if n == 1 else "",
            answer="2" if n == 1 else "",
            page_flags=["math_lost"] if n % 3 == 0 else [],
        )
        for n in range(1, problems + 1)
    ]
    store.write_rows("problem_pairs", "c", rows, ProblemRow)
    return ReviewSettings(data_root=data, inbox=inbox, reviewer="tester")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, settings: ReviewSettings) -> None:
        self.settings, self.port = settings, free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the review server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def review_root(tmp_path) -> ReviewSettings:
    return build_root(tmp_path)


@pytest.fixture
def served(review_root):
    with Served(review_root) as server:
        yield server
