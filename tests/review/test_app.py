"""The review page over HTTP, against a real server on loopback: lists, filters, pages, the problem
view, the forms and what keeps them safe (CSRF secret and origin, escaping, files outside the inbox,
the token)."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlencode

import pytest

from distill.review.decisions import ReviewLog, ReviewStatus
from pipelines.review.app import ReviewSettings
from tests.review.conftest import SCRIPT, Served


def get(server: Served, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.body = response.read()
    return response


def post(server: Served, path: str, form: dict, headers: dict | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(
        "POST",
        path,
        body=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
    )
    response = conn.getresponse()
    response.body = response.read()
    return response


def csrf_of(server: Served, pid: str) -> str:
    page = get(server, f"/c/c/p/{pid}").body.decode()
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_collections_filters_and_pages(served):
    index = get(served, "/").body.decode()
    assert 'href="/c/c"' in index and "<td>120</td>" in index
    flagged = get(served, "/c/c?flag=math_lost").body.decode()
    assert "<p>40 problems</p>" in flagged
    numbers = re.findall(r'<a href="/c/c/p/p(\d+)">', flagged)
    assert numbers and all(int(n) % 3 == 0 for n in numbers)
    second = get(served, "/c/c?page=2").body.decode()
    assert (
        "page 2 of 3" in second and 'href="/c/c/p/p00051"' in second and 'href="/c/c/p/p00050"' not in second
    )


def test_the_problem_view_shows_its_page_and_escapes_text(served):
    response = get(served, "/c/c/p/p00002")
    body = response.body.decode()
    assert SCRIPT not in body and "&lt;script&gt;" in body
    assert "script-src 'self'" in response.getheader("Content-Security-Policy")
    first = get(served, "/c/c/p/p00001").body.decode()
    assert 'class="region"' in first and "page.png?file=paper.pdf&amp;page=1" in first
    assert "\\(x^{2} = 4\\)" in first  # the LaTeX is marked for KaTeX
    png = get(served, "/c/c/page.png?file=paper.pdf&page=1")
    assert png.status == 200 and png.body.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "query",
    [
        "file=../../../../etc/passwd&page=1",
        "file=/etc/passwd&page=1",
        "file=paper.pdf&page=2",
        "file=&page=1",
    ],
)
def test_nothing_outside_the_collection_is_served(served, query):
    assert get(served, f"/c/c/page.png?{query}").status == 404
    assert get(served, "/static/../app.py").status == 404


def test_forms_need_the_secret_and_this_origin(served):
    log = ReviewLog(served.settings.data_root / "review")
    form = {"decision": "accept", "reviewer": "ann"}
    assert post(served, "/c/c/p/p00001/review", form).status == 403
    form["csrf"] = csrf_of(served, "p00001")
    assert post(served, "/c/c/p/p00001/review", form, {"Origin": "http://evil.example"}).status == 403
    assert log.entries("c") == []
    ok = post(served, "/c/c/p/p00001/review", form, {"Origin": f"http://127.0.0.1:{served.port}"})
    assert ok.status == 303 and log.states("c")["p00001"].status is ReviewStatus.ACCEPTED


def test_an_edit_is_kept_with_before_and_after_and_a_bad_answer_is_refused(served):
    csrf = csrf_of(served, "p00001")
    bad = post(
        served,
        "/c/c/p/p00001/review",
        {"csrf": csrf, "reviewer": "ann", "decision": "edit", "answer": "\\frac{1}{"},
    )
    assert bad.status == 400 and "math-verify cannot parse" in bad.body.decode()
    empty = post(served, "/c/c/p/p00001/review", {"csrf": csrf, "reviewer": "", "decision": "accept"})
    assert empty.status == 400
    reject = post(
        served, "/c/c/p/p00004/review", {"csrf": csrf, "reviewer": "ann", "decision": "reject", "reason": ""}
    )
    assert reject.status == 400 and "say why" in reject.body.decode()
    form = {
        "csrf": csrf,
        "reviewer": "ann",
        "decision": "edit",
        "answer": "\\frac{1}{2}",
        "problem": "Find x if x^{2} = 4.",
    }
    assert post(served, "/c/c/p/p00001/review", form).status == 303
    [entry] = ReviewLog(served.settings.data_root / "review").entries("c")
    assert (entry.after, entry.before, entry.reviewer) == ({"answer": "\\frac{1}{2}"}, {"answer": "2"}, "ann")
    page = get(served, "/c/c/p/p00001").body.decode()
    assert "corrected by ann" in page and "\\frac{1}{2}" in page
    assert "<td>1</td>" in get(served, "/").body.decode()  # one corrected


def test_another_host_needs_the_token(review_root):
    settings = ReviewSettings(review_root.data_root, review_root.inbox, token="s3cret")
    with Served(settings) as server:
        assert get(server, "/").status == 401
        first = get(server, "/?token=s3cret")
        assert first.status == 200 and "review_token=s3cret" in first.getheader("set-cookie")
        assert "HttpOnly" in first.getheader("set-cookie")
        assert get(server, "/c/c", {"Cookie": "review_token=s3cret"}).status == 200
        assert get(server, "/?token=wrong").status == 401
