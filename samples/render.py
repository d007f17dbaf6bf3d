"""Render the bundled sample PDFs from the licensed items in samples/sources.

Run `python samples/render.py [--out DIR]` (default DIR: samples/inbox). Output is byte-identical on every run
with the same PyMuPDF version: no timestamps, no random /ID, fixed layout.

Writes, under DIR:
  gaokao-sample/exam_text.pdf           Chinese exam paper with a text layer
  gaokao-sample/exam_scanned.pdf        other Chinese items, rasterized (image only, like a scan)
  gaokao-sample/exam_scanned.truth.txt  the text drawn on each scanned page (pages separated by form feeds)
  english-sample/problems_en.pdf        English exam paper (choice and short-answer) with an answer key at the end
  expected.json                         per PDF: page count, problems with number, answer, type, page span
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pymupdf

SAMPLES_DIR = Path(__file__).resolve().parent
SOURCES_DIR = SAMPLES_DIR / "sources"

PAGE_RECT = pymupdf.paper_rect("a4")
MARGIN_X = 60.0
MARGIN_TOP = 70.0
MARGIN_BOTTOM = 70.0
BODY_SIZE = 11.0
TITLE_SIZE = 15.0
HEADER_SIZE = 12.5
LINE_SPACING = 1.6  # line height as a multiple of the font size
SCAN_DPI = 150

CJK_FONT = "china-s"  # PyMuPDF built-in CJK font (Droid Sans Fallback), embedded as a subset
EMBEDDED_FONT = "cjk-subset"  # its resource name in the PDF
LATIN_FONT = "helv"

GAOKAO_TITLE = "2024年普通高等学校招生全国统一考试 数学（样卷）"
ENGLISH_TITLE = "Mathematics Practice Paper (Sample)"
ENGLISH_SECTIONS = ("Section 1: Multiple Choice", "Section 2: Short Answer")
PDF_CREATOR = "r1-distill-pipeline samples/render.py"


@dataclass
class Line:
    """One logical line of a paper; `problem` is its problem number (0 for titles and headers)."""

    text: str
    size: float = BODY_SIZE
    problem: int = 0
    centered: bool = False


@dataclass
class Paper:
    """Laid-out pages of one sample PDF and the problems it contains."""

    pages: list[list[tuple[Line, float]]]  # per page: (line, baseline y); empty text = vertical gap
    problems: list[dict]
    fontname: str

    def page_texts(self) -> list[str]:
        return ["\n".join(line.text for line, _ in page if line.text) for page in self.pages]


def split_gaokao_question(question: str) -> tuple[str, list[tuple[str, str]]]:
    """Stem without its leading number and score mark, and the (letter, text) options."""
    stem_lines: list[str] = []
    options: list[tuple[str, str]] = []
    for raw in question.splitlines():
        line = raw.strip()
        option = re.match(r"^([A-D])\s*[.．]\s*(.*)$", line)
        if option:
            options.append((option.group(1), option.group(2).strip()))
        elif line:
            stem_lines.append(line)
    stem = " ".join(stem_lines)
    stem = re.sub(r"^\d+\s*[.．]\s*", "", stem)
    stem = re.sub(r"^[(（]\s*\d+\s*分\s*[)）]\s*", "", stem)
    return stem, options


def gaokao_answer(item: dict) -> str:
    answer = item["answer"]
    return "".join(answer) if isinstance(answer, list) else answer.strip()


def gaokao_lines(items: list[dict]) -> tuple[list[Line], list[dict]]:
    """Logical lines of a Chinese exam paper: choice questions first, then fill-in questions."""
    lines = [Line(GAOKAO_TITLE, TITLE_SIZE, centered=True), Line("")]
    problems: list[dict] = []
    choice = [item for item in items if split_gaokao_question(item["question"])[1]]
    fill = [item for item in items if not split_gaokao_question(item["question"])[1]]
    for header, group in (("一、选择题", choice), ("二、填空题", fill)):
        if not group:
            continue
        lines.append(Line(header, HEADER_SIZE))
        for item in group:
            number = len(problems) + 1
            stem, options = split_gaokao_question(item["question"])
            lines.append(Line(f"{number}．{stem}", problem=number))
            lines += [Line(f"{letter}．{text}", problem=number) for letter, text in options]
            answer = gaokao_answer(item)
            lines.append(Line(f"【答案】{answer}", problem=number))
            paragraphs = [p.strip() for p in item["analysis"].splitlines() if p.strip()]
            lines.append(Line(f"【解析】{paragraphs[0]}", problem=number))
            lines += [Line(p, problem=number) for p in paragraphs[1:]]
            lines.append(Line(""))
            problems.append(
                {
                    "number": number,
                    "type": "choice" if options else "fill",
                    "answer": answer,
                    "source": f"GAOKAO-Bench {item['source']}",
                }
            )
    return lines, problems


def split_english_question(question: str) -> tuple[str, list[str]]:
    """The stem and the texts of the inline options "(A) ... (B) ..."."""
    parts = re.split(r"\s*\(([A-E])\)\s*", question)
    return parts[0].strip(), [text.strip() for text in parts[2::2]]


def english_lines(items: list[dict]) -> tuple[list[Line], list[dict]]:
    """An English exam paper: choice questions, then short-answer ones, then the answer key. The
    options of the first choice question stay on one line, the others get one line each."""
    lines = [Line(ENGLISH_TITLE, TITLE_SIZE, centered=True), Line("")]
    problems: list[dict] = []
    choice = [item for item in items if split_english_question(item["question"])[1]]
    short = [item for item in items if not split_english_question(item["question"])[1]]
    for header, group in zip(ENGLISH_SECTIONS, (choice, short), strict=True):
        lines.append(Line(header, HEADER_SIZE))
        for item in group:
            number = len(problems) + 1
            stem, options = split_english_question(item["question"])
            lines.append(Line(f"Problem {number}. {stem}", problem=number))
            labelled = [f"({chr(65 + i)}) {text}" for i, text in enumerate(options)]
            if number == 1:
                lines.append(Line("  ".join(labelled), problem=number))
            else:
                lines += [Line(option, problem=number) for option in labelled]
            lines.append(Line(""))
            problems.append(
                {
                    "number": number,
                    "type": "choice" if options else "short-answer",
                    "answer": item["answer"],
                    "source": f"Qwen2.5-Math gaokao2023en {item['source']}#index={item['index']}",
                }
            )
    lines.append(Line("Answer Key", HEADER_SIZE))
    letters = [p for p in problems if p["type"] == "choice"]
    lines.append(Line("  ".join(f"{p['number']}. {p['answer']}" for p in letters)))
    lines += [Line(f"{p['number']}. {p['answer']}") for p in problems if p["type"] != "choice"]
    return lines, problems


def wrap(text: str, font: pymupdf.Font, size: float, width: float) -> list[str]:
    """Greedy wrap: break at spaces inside runs of ASCII, anywhere between CJK characters."""
    tokens = re.findall(r"[\x21-\x7e]+|\s+|.", text)
    rows: list[str] = []
    current = ""
    for token in tokens:
        if font.text_length(current + token, fontsize=size) <= width:
            current += token
            continue
        if current.strip():
            rows.append(current.rstrip())
        current = ""
        if token.isspace():  # a line never starts with the space it broke at
            continue
        for char in token:  # a token wider than the line is split between characters
            if current and font.text_length(current + char, fontsize=size) > width:
                rows.append(current)
                current = ""
            current += char
    if current.strip():
        rows.append(current.rstrip())
    return rows


def paginate(lines: list[Line], problems: list[dict], fontname: str) -> Paper:
    """Wrap lines to the text width, place them top to bottom and record each problem's page span."""
    font = pymupdf.Font(fontname)
    width = PAGE_RECT.width - 2 * MARGIN_X
    pages: list[list[tuple[Line, float]]] = [[]]
    y = MARGIN_TOP
    spans: dict[int, list[int]] = {}
    for line in lines:
        rows = wrap(line.text, font, line.size, width) if line.text else [""]
        for row in rows:
            height = line.size * LINE_SPACING
            if y + height > PAGE_RECT.height - MARGIN_BOTTOM:
                pages.append([])
                y = MARGIN_TOP
                if not row:
                    continue  # no gap at the top of a page
            y += height
            pages[-1].append((Line(row, line.size, line.problem, line.centered), y))
            if line.problem and row:
                spans.setdefault(line.problem, []).append(len(pages))
    for problem in problems:
        problem["pages"] = sorted(set(spans[problem["number"]]))
    return Paper(pages, problems, fontname)


def new_document(title: str) -> pymupdf.Document:
    doc = pymupdf.open()
    doc.set_metadata({"title": title, "creator": PDF_CREATOR, "producer": PDF_CREATOR})
    return doc


def draw_paper(paper: Paper, title: str) -> pymupdf.Document:
    """Draw the laid-out lines. The CJK font is embedded (subset): referenced without embedding, viewers
    place every glyph, Latin ones included, on a full-width grid and lines overflow the page."""
    doc = new_document(title)
    font = pymupdf.Font(paper.fontname)
    embed = paper.fontname == CJK_FONT
    for page_lines in paper.pages:
        page = doc.new_page(width=PAGE_RECT.width, height=PAGE_RECT.height)
        if embed:
            page.insert_font(fontname=EMBEDDED_FONT, fontbuffer=font.buffer)
        for line, baseline in page_lines:
            if not line.text:
                continue
            x = MARGIN_X
            if line.centered:
                x = (PAGE_RECT.width - font.text_length(line.text, fontsize=line.size)) / 2
            page.insert_text(
                (x, baseline),
                line.text,
                fontname=EMBEDDED_FONT if embed else paper.fontname,
                fontsize=line.size,
            )
    if embed:
        doc.subset_fonts()
    return doc


def rasterize(doc: pymupdf.Document, title: str, dpi: int = SCAN_DPI) -> pymupdf.Document:
    """An image-only copy of `doc`: each page becomes one greyscale PNG, no text layer."""
    scanned = new_document(title)
    for page in doc:
        pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        target = scanned.new_page(width=page.rect.width, height=page.rect.height)
        target.insert_image(target.rect, stream=pixmap.tobytes("png"))
    return scanned


def save(doc: pymupdf.Document, path: Path) -> None:
    """Save without a random /ID so that re-running gives byte-identical files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path, garbage=4, deflate=True, no_new_id=True)


def render_all(out_dir: Path) -> dict:
    gaokao = json.loads((SOURCES_DIR / "gaokao_items.json").read_text(encoding="utf-8"))
    english = json.loads((SOURCES_DIR / "gaokao2023en_items.json").read_text(encoding="utf-8"))
    expected: dict[str, dict] = {}

    text_paper = paginate(*gaokao_lines([i for i in gaokao if i["paper"] == "exam_text"]), CJK_FONT)
    scanned_paper = paginate(*gaokao_lines([i for i in gaokao if i["paper"] == "exam_scanned"]), CJK_FONT)
    english_paper = paginate(*english_lines(english), LATIN_FONT)
    outputs = [
        ("gaokao-sample/exam_text.pdf", text_paper, "zh", True),
        ("gaokao-sample/exam_scanned.pdf", scanned_paper, "zh", False),
        ("english-sample/problems_en.pdf", english_paper, "en", True),
    ]
    for relpath, paper, language, text_layer in outputs:
        title = f"{GAOKAO_TITLE if language == 'zh' else ENGLISH_TITLE} ({Path(relpath).stem})"
        doc = draw_paper(paper, title)
        if not text_layer:
            doc = rasterize(doc, title)
        save(doc, out_dir / relpath)
        expected[relpath] = {
            "language": language,
            "text_layer": text_layer,
            "pages": len(paper.pages),
            "num_problems": len(paper.problems),
            "problems": paper.problems,
        }

    truth = out_dir / "gaokao-sample/exam_scanned.truth.txt"
    truth.write_text("\f".join(scanned_paper.page_texts()) + "\n", encoding="utf-8")
    (out_dir / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return expected


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=SAMPLES_DIR / "inbox", help="output directory")
    args = parser.parse_args(argv)
    expected = render_all(args.out)
    for relpath, info in expected.items():
        print(f"{args.out / relpath}: {info['pages']} pages, {info['num_problems']} problems")


if __name__ == "__main__":
    main()
