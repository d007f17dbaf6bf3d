"""The licensed items the exact-truth corpus is typeset from, each with its source LaTeX as the truth.

Sources (read in place from ``../shared/data``, licences copied beside every corpus built from them):
GAOKAO-Bench Math II choice and fill-in items (Apache-2.0), the Qwen2.5-Math evaluation sets
``gaokao2024_I``/``gaokao2024_II`` (Chinese) and ``gaokao2023en`` (English) (MIT), and MATH-500 (MIT).
An item is kept when every formula of it can be typeset by matplotlib's mathtext and it needs nothing
that a line of text cannot hold (figures, tables, environments, Asymptote); what is left out is counted
with its reason.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

MATH = re.compile(r"\$\$?(.+?)\$\$?", re.S)
OPTION = re.compile(r"^\s*([A-D])\s*[.．、:：]\s*(.*)$")
NUMBER_AND_SCORE = re.compile(r"^\s*\d+\s*[.．、]\s*[（(]\s*\d+\s*分\s*[)）]\s*")
INSTRUCTION = re.compile(r"^请.*?[。.]\s*\n")  # Qwen2.5-Math's zh prompts open with what to do
UNSETTABLE = re.compile(r"\\begin|\[asy\]|\\includegraphics|\\hline|如图|下图|\\\\|\\tag|\\label")
MAX_CHARS = 420
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
OWN_NUMBER = re.compile(r"^\s*\d+\s*[.．、]")


@dataclass(frozen=True)
class Source:
    name: str
    path: str  # under the shared data folder
    licence: str  # the licence file beside it
    language: str


SOURCES = (
    Source(
        "gaokao-bench-mcq",
        "solutions/gaokaobench_2010-2022_Math_II_MCQs.json",
        "solutions/LICENSE.gaokao-bench",
        "zh",
    ),
    Source(
        "gaokao-bench-fill",
        "solutions/gaokaobench_2010-2022_Math_II_Fill-in-the-Blank.json",
        "solutions/LICENSE.gaokao-bench",
        "zh",
    ),
    Source(
        "qwen-gaokao2024-I",
        "answers/qwen25math_gaokao2024_I.jsonl",
        "answers/LICENSE.qwen25math-evaluation",
        "zh",
    ),
    Source(
        "qwen-gaokao2024-II",
        "answers/qwen25math_gaokao2024_II.jsonl",
        "answers/LICENSE.qwen25math-evaluation",
        "zh",
    ),
    Source(
        "qwen-gaokao2023en",
        "answers/qwen25math_gaokao2023en.jsonl",
        "answers/LICENSE.qwen25math-evaluation",
        "en",
    ),
    Source("math500", "benchmarks/math500.jsonl", "benchmarks/LICENSE.math-evaluation-harness", "en"),
)


@dataclass
class Item:
    source: str
    index: int  # position in the source file
    language: str
    question: str  # LaTeX in $...$, as in the source
    options: list[str] = field(default_factory=list)
    answer: str = ""
    licence: str = ""

    def truth(self) -> str:
        """What a perfect extraction of the typeset item gives: the question, then one option a line."""
        return "\n".join([self.question, *(f"{chr(65 + i)}. {o}" for i, o in enumerate(self.options))])

    def to_dict(self) -> dict:
        return {**asdict(self), "truth": self.truth()}


def _records(data: Path, source: Source) -> list[dict]:
    path = data / source.path
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))["example"]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _item(source: Source, index: int, record: dict) -> Item:
    text = record.get("question") or record.get("problem") or ""
    text = NUMBER_AND_SCORE.sub("", INSTRUCTION.sub("", text.strip()))
    question, options = [], []
    for line in text.splitlines():
        match = OPTION.match(line)
        if match and (options or match.group(1) == "A"):
            options.append(match.group(2).strip())
        elif options:
            options[-1] += " " + line.strip()
        elif line.strip():
            question.append(line.strip())
    answer = record.get("answer", "")
    if isinstance(answer, list):
        answer = "".join(answer)
    return Item(
        source=source.name,
        index=index,
        language=source.language,
        question=" ".join(question),
        options=options,
        answer=str(answer),
        licence=Path(source.licence).name,
    )


def why_not(item: Item) -> str | None:
    """Why an item cannot be typeset as lines of text, or None."""
    text = item.truth()
    if len(text) > MAX_CHARS:
        return "too long"
    if UNSETTABLE.search(text):
        return "figure, table or environment"
    if text.count("$") % 2:
        return "unbalanced $"
    if item.options and len(item.options) != 4:
        return "not four options"
    if OWN_NUMBER.match(item.question):
        return "starts with its own number"
    for formula in MATH.findall(text):
        if CJK.search(formula):
            return "CJK inside a formula"
        if not settable(formula):
            return "mathtext cannot set a formula"
    return None


@cache
def settable(latex: str) -> bool:
    from matplotlib.font_manager import FontProperties
    from matplotlib.mathtext import MathTextParser

    try:
        MathTextParser("path").parse(f"${latex}$", dpi=72, prop=FontProperties(size=11))
    except Exception:
        return False
    return True


def load_items(
    data: Path, per_source: int, sources: tuple[Source, ...] = SOURCES
) -> tuple[list[Item], Counter]:
    """Up to `per_source` settable items of each source, spread over the file (a fixed stride), and the
    count of the items passed over, by source and reason."""
    items, skipped = [], Counter()
    for source in sources:
        records = _records(data, source)
        kept = []
        stride = max(len(records) // (3 * per_source), 1)
        for index in range(0, len(records), stride):
            item = _item(source, index, records[index])
            reason = why_not(item)
            if reason:
                skipped[(source.name, reason)] += 1
                continue
            kept.append(item)
            if len(kept) == per_source:
                break
        items += kept
    return items, skipped
