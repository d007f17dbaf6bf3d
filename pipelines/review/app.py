"""The review page: a local web app over one data root (``python -m pipelines review``).

Collections with their counts; a collection's problems, filtered and paged; a problem beside its pages
(rendered on demand, its region drawn over them) with its text, options, solution and answer (LaTeX by
the project's own copy of KaTeX), its translation and flags, the teacher's samples and the dataset's
decision; and the forms that accept, reject or correct it (``distill.review.decisions``).

Safe by default: it listens on loopback; on any other host a token is required (``?token=`` once, then a
cookie). Only the pages of PDFs that the collection's ``pdf_pages`` table names, inside the collection's
inbox folder, are rendered; everything else served is the static folder. Forms carry a per-process
secret and a request from another origin is refused. Jinja escapes all text: a problem holding
``<script>`` is shown, not run.
"""

from __future__ import annotations

import hmac
import math
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from distill.core.storage import TableStore
from distill.review import page_image
from distill.review.catalog import Catalog, Problem
from distill.review.decisions import Decision, InvalidEdit, ReviewEntry, check_edit, new_entry, review_log
from pipelines.review.latex import mark_math, whole_math

HERE = Path(__file__).resolve().parent
FILTERS = ("flag", "type", "verdict", "decision", "review")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_FORM_BYTES = 1 << 20
# only the project's own scripts run (KaTeX sets inline styles); no framing by other sites
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass
class ReviewSettings:
    data_root: str | Path  # a path or an fsspec URL (the tables)
    inbox: Path
    token: str = ""  # required on every request when set
    reviewer: str = ""  # the default reviewer name of the forms
    work_dir: str = ""  # the decisions and rendered pages (storage.work_dir; "": the data root)


def _templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.globals["urlencode"] = urlencode
    env.filters.update(mathmark=mark_math, mathwhole=whole_math)
    return env


def create_app(settings: ReviewSettings) -> Starlette:
    store = TableStore(str(settings.data_root), settings.work_dir)
    log = review_log(store)
    catalog = Catalog(store, log)
    templates = _templates()
    csrf = secrets.token_urlsafe(24)
    cache = store.local_dir("review", "pages")

    def page(template: str, status: int = 200, **values: object) -> HTMLResponse:
        html = templates.get_template(template).render(csrf=csrf, **values)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def collection_or_404(name: str):
        try:
            return catalog.collection(name)
        except KeyError:
            return None

    async def index(request: Request) -> Response:
        rows = [(name, catalog.collection(name).counts()) for name in catalog.names()]
        return page("index.html", collections=rows, root=settings.data_root)

    async def problems(request: Request) -> Response:
        collection = collection_or_404(request.path_params["name"])
        if collection is None:
            return PlainTextResponse("no such collection", status_code=404)
        filters = {k: request.query_params.get(k, "") for k in FILTERS}
        number = _int(request.query_params.get("page"), 1)
        shown, total = collection.select(filters, number)
        return page(
            "collection.html",
            collection=collection,
            counts=collection.counts(),
            facets=collection.facets(),
            filters=filters,
            shown=shown,
            total=total,
            page=number,
            pages=max(1, math.ceil(total / 50)),
            errors=collection.errors,
        )

    def problem_page(
        collection, problem: Problem, status: int = 200, error: str = "", form: dict | None = None
    ):
        row = problem.row
        pages = []
        for number in range(row.page_start, min(row.page_end, row.page_start + 3) + 1):
            if (row.source_file, number) in collection.pages:
                pages.append({"number": number, "boxes": _boxes(collection, settings, problem, number)})
        return page(
            "problem.html",
            status,
            collection=collection,
            problem=problem,
            row=row,
            pages=pages,
            history=[e for e in log.entries(collection.name) if e.problem_id == row.id],
            error=error,
            form=form or {},
            reviewer=request_reviewer.get(collection.name, settings.reviewer),
        )

    request_reviewer: dict[str, str] = {}

    async def problem_view(request: Request) -> Response:
        collection = collection_or_404(request.path_params["name"])
        problem = collection.by_id(request.path_params["pid"]) if collection else None
        if problem is None:
            return PlainTextResponse("no such problem", status_code=404)
        return problem_page(collection, problem)

    async def review(request: Request) -> Response:
        collection = collection_or_404(request.path_params["name"])
        problem = collection.by_id(request.path_params["pid"]) if collection else None
        if problem is None:
            return PlainTextResponse("no such problem", status_code=404)
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return PlainTextResponse("the form is too large", status_code=413)
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        if not hmac.compare_digest(str(form.get("csrf", "")), csrf) or not _same_origin(request):
            return PlainTextResponse("refused: the form did not come from this review page", status_code=403)
        reviewer = str(form.get("reviewer", "")).strip()[:80]
        if not reviewer:
            return problem_page(collection, problem, 400, "say who you are: the reviewer name is empty", form)
        request_reviewer[collection.name] = reviewer
        try:
            entry = _entry(problem, str(form.get("decision", "")), reviewer, form)
        except InvalidEdit as exc:
            return problem_page(collection, problem, 400, str(exc), form)
        log.append(collection.name, entry)
        return RedirectResponse(
            request.url_for("problem", name=collection.name, pid=problem.row.id), status_code=303
        )

    async def page_png(request: Request) -> Response:
        collection = collection_or_404(request.path_params["name"])
        source, number = request.query_params.get("file", ""), _int(request.query_params.get("page"), 0)
        row = collection.pages.get((source, number)) if collection else None
        pdf = _inside(settings.inbox / request.path_params["name"], source) if row else None
        if row is None or pdf is None or not pdf.is_file():
            return PlainTextResponse("no such page", status_code=404)
        return FileResponse(page_image.render(pdf, number, row.source_sha256, cache), media_type="image/png")

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/c/{name}", problems, name="collection"),
            Route("/c/{name}/p/{pid}", problem_view, name="problem"),
            Route("/c/{name}/p/{pid}/review", review, methods=["POST"]),
            Route("/c/{name}/page.png", page_png, name="page_png"),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]
    )
    if settings.token:
        app.add_middleware(_TokenGate, token=settings.token)
    return app


def _entry(problem: Problem, decision: str, reviewer: str, form: dict) -> ReviewEntry:
    row = problem.row
    if decision == Decision.ACCEPT:
        return new_entry(row.id, Decision.ACCEPT, reviewer)
    if decision == Decision.REJECT:
        reason = str(form.get("reason", "")).strip()
        if not reason:
            raise InvalidEdit("say why the problem is rejected")
        return new_entry(row.id, Decision.REJECT, reviewer, reason=reason[:500])
    if decision != Decision.EDIT:
        raise InvalidEdit(f"unknown decision {decision!r}")
    current = {
        "problem": row.problem,
        "options": "\n".join(row.options),
        "answer": row.answer_raw,
        "translation": problem.translation.problem if problem.translation else "",
    }
    after = {
        name: str(form.get(name, "")).replace("\r\n", "\n").strip()
        for name in current
        if name in form and str(form.get(name, "")).replace("\r\n", "\n").strip() != current[name].strip()
    }
    if not after:
        raise InvalidEdit("nothing was changed")
    clean = check_edit(after)
    before = {name: current[name] for name in clean}
    return new_entry(row.id, Decision.EDIT, reviewer, after=clean, before=before)


def _boxes(collection, settings: ReviewSettings, problem: Problem, number: int) -> list:
    row = problem.row
    pdf = _inside(settings.inbox / collection.name, row.source_file)
    if pdf is None or not pdf.is_file():
        return []
    lines, size = page_image.page_lines(pdf, number, collection.pages.get((row.source_file, number)))
    text = "\n".join([row.raw_text or row.problem, *row.options])
    boxes = page_image.region(lines, size, text, first_page=number == row.page_start)
    return [[round(v * 100, 3) for v in box] for box in boxes]


def _inside(folder: Path, relative: str) -> Path | None:
    """`folder / relative` when it stays inside `folder` (no "..", no absolute path, no link out)."""
    if not relative:
        return None
    path = (folder / relative).resolve()
    return path if path.is_relative_to(folder.resolve()) else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _same_origin(request: Request) -> bool:
    """A state-changing request from a page of this server (browsers send Origin on POST)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site form: the CSRF secret still had to match
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


class _TokenGate:
    """Every request must carry the token: ``?token=`` (then kept in a cookie) or the cookie."""

    def __init__(self, app, token: str) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request.query_params.get("token") or request.cookies.get("review_token", "")
        if not hmac.compare_digest(given, self.token):
            await PlainTextResponse("a token is required: open the URL the server printed", status_code=401)(
                scope, receive, send
            )
            return

        async def with_cookie(message) -> None:
            if message["type"] == "http.response.start" and request.query_params.get("token"):
                cookie = f"review_token={self.token}; HttpOnly; SameSite=Strict; Path=/"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
            await send(message)

        await self.app(scope, receive, with_cookie)
