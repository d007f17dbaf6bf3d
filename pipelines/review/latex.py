"""Where the LaTeX is in extracted text, for the browser's KaTeX to render it.

Extracted problems hold LaTeX without delimiters (``若 x^{2}+y_{1}=3，求 \\frac{1}{x}``). Runs of math
tokens (numbers, single letters, operators, LaTeX commands) that hold a command or a script are wrapped in
``\\( … \\)``; words of prose (two letters or more, Chinese characters) end a run. Text that already has
``$`` or ``\\(`` delimiters is left as it is.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+|\s+|[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+"
)
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_MARK = re.compile(r"\\[A-Za-z]+|[\^_]")
_WORD = re.compile(r"[(\[]?[A-Za-z]{2,}[)\].,;:?!]*")
_TRAILING = ".,;:?!"


def mark_math(text: str) -> str:
    if "$" in text or "\\(" in text or "\\[" in text:
        return text
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        joined = "".join(run)
        run.clear()
        core = joined.rstrip()
        tail = joined[len(core) :]
        while core and core[-1] in _TRAILING:
            tail = core[-1] + tail
            core = core[:-1]
        out.append(f"\\({core}\\){tail}" if _MARK.search(core) else core + tail)

    for token in _TOKEN.findall(text):
        if token.isspace():
            (run if run else out).append(token)
        elif _CJK.match(token) or (_WORD.fullmatch(token) and not _MARK.search(token)):
            flush()
            out.append(token)
        else:
            run.append(token)
    flush()
    return "".join(out)


def whole_math(text: str) -> str:
    """An answer: all of it is math."""
    text = text.strip()
    if not text or "$" in text or "\\(" in text or _CJK.search(text):
        return mark_math(text)
    return f"\\({text}\\)"
