"""Forum thread dumps (HTML, JSON, JSONL) become problems; the solution reply is chosen as NuminaMath did."""

from __future__ import annotations

import json

from distill.problems.forum import Thread, choose_solution, html_posts, read_threads
from distill.problems.pairs import problems_from_forum
from pipelines.sensors import inbox_collections

HTML = r"""<html><head><title>Squares | Forum</title><script>var tracking = 1;</script></head><body>
<div class="post"><div class="postbody"><div class="content">Find all real $x$ with $x^2=4$.<br>Thanks!</div></div></div>
<div class="post"><div class="postbody">Just guess.</div></div>
<div class="post"><div class="postbody">We have <script type="math/tex">x^2-4=(x-2)(x+2)</script>, so
<img class="latex" alt="x=\pm 2"> and the answer is $\boxed{\pm 2}$.</div></div>
<div class="post"><div class="postbody">$x=2$ works: $\boxed{2}$</div></div>
</body></html>"""


def test_html_posts_innermost_elements_with_their_latex():
    title, posts = html_posts(HTML)
    assert title == "Squares | Forum"
    assert posts[0] == "Find all real $x$ with $x^2=4$.\nThanks!"
    assert (
        posts[2] == r"We have $x^2-4=(x-2)(x+2)$, so" + "\n" + r"$x=\pm 2$ and the answer is $\boxed{\pm 2}$."
    )
    assert len(posts) == 4 and "tracking" not in "".join(posts)


def test_the_boxed_reply_with_most_latex_is_the_solution():
    chosen = choose_solution(Thread("t", "", html_posts(HTML)[1]))
    assert chosen.problem.startswith("Find all real $x$") and chosen.reply == 2
    assert chosen.notes == ["solution: reply 2 of 3 (boxed; 2 qualified, most LaTeX)"]
    proof = Thread(
        "p",
        "",
        [
            "Prove that $n^2+n$ is even.",
            "Nice one!",
            r"$n^2+n=n(n+1)$, a product of consecutive integers. $\blacksquare$",
        ],
    )
    assert choose_solution(proof).reply == 2 and "end mark" in choose_solution(proof).notes[0]
    none = choose_solution(Thread("n", "", ["What is $1+1$?", "Think about it."]))
    assert (none.solution, none.reply, none.notes) == (
        "",
        0,
        ["no solution: none of 1 replies has \\boxed{} or an end mark"],
    )


def test_dumps_become_rows_and_bad_dumps_error_rows(tmp_path):
    (tmp_path / "thread.html").write_text(HTML, encoding="utf-8")
    threads = [
        {
            "id": "7",
            "title": "Evenness",
            "posts": [
                {"content": "Prove that $n^2+n$ is even."},
                {"content": r"$n(n+1)$ has an even factor. $\blacksquare$"},
            ],
        },
        {"id": "8", "title": "Sum", "posts": ["Compute $1+2+\\cdots+10$.", r"Pair them: $\boxed{55}$"]},
    ]
    (tmp_path / "threads.json").write_text(json.dumps({"threads": threads}), encoding="utf-8")
    posts = [
        {"thread_id": "9", "title": "Choice", "body": "Which is prime? (A) 4 (B) 6 (C) 7 (D) 9"},
        {"thread_id": "9", "body": r"Only 7 is prime, $\boxed{C}$."},
    ]
    (tmp_path / "posts.jsonl").write_text("\n".join(json.dumps(p) for p in posts), encoding="utf-8")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "empty.html").write_text("<html><body><p>nothing here</p></body></html>", encoding="utf-8")
    dumps = sorted(tmp_path.iterdir())
    result = problems_from_forum("forum", tmp_path, dumps)
    rows = {(r.source_file, r.number): r for r in result.rows}
    assert (
        rows[("thread.html", "thread")].answer == "\\pm 2"
        and rows[("thread.html", "thread")].section == "Squares | Forum"
    )
    proof = rows[("threads.json", "7")]
    assert (proof.type, proof.answer, proof.answer_issue) == ("proof", "", "proof: no single final answer")
    assert (rows[("threads.json", "8")].answer, rows[("threads.json", "8")].answer_parses) == ("55", True)
    choice = rows[("posts.jsonl", "9")]
    assert (choice.type, choice.answer, choice.split_method) == ("single_choice", "C", "forum")
    assert rows[("broken.json", "")].error.startswith("malformed forum dump: JSONDecodeError")
    assert rows[("empty.html", "")].error == "no thread with a first post found in the forum dump"
    assert sum(result.reasons.values()) == 2 and len({r.id for r in result.rows}) == len(result.rows)
    assert [t.id for t in read_threads(tmp_path / "posts.jsonl")] == ["9"]


def test_a_folder_of_forum_dumps_is_a_collection(tmp_path):
    (tmp_path / "forum-2024").mkdir()
    (tmp_path / "forum-2024" / "threads.jsonl").write_text('{"id": "1", "posts": ["x"]}', encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("not a collection", encoding="utf-8")
    assert list(inbox_collections(tmp_path)) == ["forum-2024"]
