"""Forum thread dumps (HTML, JSON, JSONL) -> problems, the way NuminaMath used forum data (no Dagster).

A dump dropped in a collection folder holds one or more threads. The problem is the first post; the
solution is one of the replies: those that give a final answer in ``\\boxed{}`` or end with an
end-of-proof mark (∎, ■, □, \\blacksquare, \\qed, Q.E.D.), and of those the one with the most LaTeX.

Accepted shapes:

- JSON: a thread ``{"id", "title", "posts": [...]}``, a list of threads, or ``{"threads": [...]}``;
- JSONL: one thread per line, or one post per line with a ``thread_id`` (``topic_id``) field;
- HTML: one thread page; posts are the innermost elements whose class names a post or message
  (``post``, ``postbody``, ``message``, ``cmty-post-body``, ...), or ``<article>`` elements. LaTeX is
  read from ``<script type="math/tex">`` and from the ``alt`` text of formula images.

A post is a string or an object with ``content`` / ``body`` / ``text`` / ``html``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from distill.answers.normalize import last_boxed

FORUM_SUFFIXES = {".html", ".htm", ".json", ".jsonl"}

_POST_CLASS_RE = re.compile(
    r"^(?:post|posts?[-_]?(?:body|content|text|message)|postbody|message(?:[-_]?(?:body|content|text))?"
    r"|cmty-post-body|reply|comment(?:[-_]?body)?|answer(?:[-_]?body)?)$",
    re.I,
)
_END_MARK_RE = re.compile(r"(?:∎|■|□|\\blacksquare|\\square|\\qed|\\Box|Q\.?E\.?D\.?)\s*\$*\s*$", re.I)
_LATEX_RE = re.compile(r"\\[A-Za-z]+|\$[^$]+\$")
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "pre",
    "article",
    "section",
}
_VOID_TAGS = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}


@dataclass
class Thread:
    """One forum thread: its id, title and posts (plain text with LaTeX), first post first."""

    id: str
    title: str
    posts: list[str]


@dataclass
class ForumProblem:
    """The problem of a thread and the reply chosen as its solution (``reply`` is its 1-based index
    among the replies, 0 when none qualified); ``notes`` say how the reply was chosen or why none was."""

    thread: Thread
    problem: str
    solution: str
    reply: int
    notes: list[str] = field(default_factory=list)


def list_dumps(folder: Path) -> list[Path]:
    """The forum dumps of a collection folder."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FORUM_SUFFIXES)


def _post_text(post: object) -> str:
    if isinstance(post, str):
        return post.strip()
    if isinstance(post, dict):
        for key in ("content", "body", "text", "message", "raw"):
            if isinstance(post.get(key), str):
                return post[key].strip()
        if isinstance(post.get("html"), str):
            return "\n".join(html_posts(f"<article>{post['html']}</article>")[1])
    return ""


def _thread(data: dict, fallback_id: str) -> Thread:
    posts = [_post_text(p) for p in data.get("posts") or data.get("messages") or data.get("replies") or []]
    tid = str(data.get("id") or data.get("thread_id") or data.get("topic_id") or fallback_id)
    return Thread(id=tid, title=str(data.get("title") or ""), posts=[p for p in posts if p])


def json_threads(text: str, name: str) -> list[Thread]:
    """Threads of a JSON document (a thread, a list of threads, or ``{"threads": [...]}``)."""
    data = json.loads(text)
    if isinstance(data, dict) and isinstance(data.get("threads"), list):
        data = data["threads"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ValueError("expected a thread object or a list of threads")
    return [_thread(t, f"{name}#{i + 1}") for i, t in enumerate(data) if isinstance(t, dict)]


def jsonl_threads(text: str, name: str) -> list[Thread]:
    """Threads of a JSONL document: one thread per line, or one post per line with a thread id."""
    threads: dict[str, Thread] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row, dict):
            raise ValueError(f"line {number} is not a JSON object")
        if any(k in row for k in ("posts", "messages", "replies")):
            thread = _thread(row, f"{name}#{number}")
            threads[thread.id] = thread
            continue
        tid = str(row.get("thread_id") or row.get("topic_id") or "")
        if not tid:
            raise ValueError(f"line {number} has neither posts nor a thread_id")
        thread = threads.setdefault(tid, Thread(id=tid, title=str(row.get("title") or ""), posts=[]))
        text_of_post = _post_text(row)
        if text_of_post:
            thread.posts.append(text_of_post)
    return list(threads.values())


class _PostParser(HTMLParser):
    """Collects the text of post elements (and the page title) from one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, opens a post)
        self.posts: list[list[str]] = []
        self.open_posts: list[int] = []  # indexes into self.posts of the posts being read
        self.in_title = False
        self.title: list[str] = []
        self.math: list[str] | None = None  # inside <script type="math/tex">
        self.skip = 0  # inside <script>/<style> that is not math

    def _emit(self, text: str) -> None:
        for index in self.open_posts[-1:]:
            self.posts[index].append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "title":
            self.in_title = True
        if tag in ("script", "style"):
            if tag == "script" and a.get("type", "").startswith("math/tex"):
                self.math = []
            else:
                self.skip += 1
            return
        if tag == "img":
            alt = a.get("alt", "")
            if alt and ("\\" in alt or "$" in alt or "latex" in a.get("class", "")):
                self._emit(alt if alt.startswith("$") else f"${alt}$")
            return
        if tag in _BLOCK_TAGS:
            self._emit("\n")
        if tag in _VOID_TAGS:
            return
        opens = tag == "article" or any(_POST_CLASS_RE.match(c) for c in a.get("class", "").split())
        if opens:
            self.posts.append([])
            self.open_posts.append(len(self.posts) - 1)
        self.stack.append((tag, opens))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in ("script", "style"):
            if self.math is not None and tag == "script":
                self._emit(f"${''.join(self.math).strip()}$")
                self.math = None
            elif self.skip:
                self.skip -= 1
            return
        if tag in _VOID_TAGS:
            return
        while self.stack:  # tolerate unclosed tags: pop up to the matching one
            open_tag, opens = self.stack.pop()
            if opens:
                self.open_posts.pop()
            if open_tag == tag:
                break
        if tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if self.math is not None:
            self.math.append(data)
        elif not self.skip:
            self._emit(data)


def _clean(text: str) -> str:
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_posts(html: str) -> tuple[str, list[str]]:
    """(page title, texts of the posts in document order); nested post elements keep the innermost."""
    parser = _PostParser()
    parser.feed(html)
    parser.close()
    texts = [_clean("".join(parts)) for parts in parser.posts]
    return _clean("".join(parser.title)), [t for t in texts if t]


def read_threads(path: Path) -> list[Thread]:
    """Threads of one dump; raises ValueError (or json/Unicode errors) for a malformed file."""
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return json_threads(text, path.name)
    if suffix == ".jsonl":
        return jsonl_threads(text, path.name)
    title, posts = html_posts(text)
    return [Thread(id=path.stem, title=title, posts=posts)] if posts else []


def latex_amount(text: str) -> int:
    """How much LaTeX a post has: characters inside commands and $...$ formulas."""
    return sum(len(m.group(0)) for m in _LATEX_RE.finditer(text))


def choose_solution(thread: Thread) -> ForumProblem:
    """The first post as the problem, and the qualifying reply with the most LaTeX as its solution."""
    problem, replies = (thread.posts[0], thread.posts[1:]) if thread.posts else ("", [])
    qualifying = [
        (i, "boxed" if last_boxed(r) is not None else "end mark")
        for i, r in enumerate(replies, start=1)
        if last_boxed(r) is not None or _END_MARK_RE.search(r)
    ]
    if not qualifying:
        reason = (
            "no reply" if not replies else f"none of {len(replies)} replies has \\boxed{{}} or an end mark"
        )
        return ForumProblem(thread, problem, "", 0, [f"no solution: {reason}"])
    index, why = max(qualifying, key=lambda q: (latex_amount(replies[q[0] - 1]), -q[0]))
    note = f"solution: reply {index} of {len(replies)} ({why}; {len(qualifying)} qualified, most LaTeX)"
    return ForumProblem(thread, problem, replies[index - 1], index, [note])
