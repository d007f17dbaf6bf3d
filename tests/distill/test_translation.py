from distill.ledger import SqliteLedger
from distill.prompts import Prompt
from distill.records import ProblemRow
from distill.teacher import TeacherClient, TeacherSettings
from distill.translation import lost_numbers, needs_translation, translate_rows


def test_only_cjk_text_needs_translation():
    assert needs_translation("已知集合 $A=\\{x \\mid x>2\\}$，则")
    assert not needs_translation("Let $x^2 = 4$. Find x.")
    assert not needs_translation("$\\frac{1}{2}$")


def test_lost_numbers_flags_changed_math():
    assert lost_numbers("若 x=3, y=12", "If x = 3, y = 12") == []
    assert lost_numbers("若 x=3, y=12", "If x = 3, y = 21") == ["12"]


def problem(pid: str, text: str, solution: str = "") -> ProblemRow:
    return ProblemRow(id=pid, collection="c", source_file="f.pdf", source_sha256="s", page_start=1, page_end=1,
                      problem=text, solution=solution, options=["A．$1$", "B．两个"])  # fmt: skip


def test_translate_rows_sends_only_chinese_fields_and_keeps_originals(
    tmp_path, local_teacher, local_model_dir
):
    settings = TeacherSettings(base_url=local_teacher.base_url, model="local", served_model=str(local_model_dir),
                               max_tokens=16, timeout_s=120)  # fmt: skip
    client = TeacherClient(settings, SqliteLedger(tmp_path / "l.sqlite"))
    rows = [
        problem("zh", "求函数的最小值。", "解：最小值为 2"),
        problem("en", "Find the minimum.", "It is 2."),
    ]
    rows[1].options = ["A. 1", "B. 2"]
    out, stats, _ = translate_rows(rows, client, Prompt.load("configs/prompts/translate.yaml"), 16)
    assert stats.requested == 3  # problem, solution and option B of the Chinese row; option A is pure math
    zh, en = out
    assert zh.translated and zh.problem_original == "求函数的最小值。" and zh.problem != zh.problem_original
    assert zh.options[0] == "A．$1$" and zh.translation_prompt_version == "translate-v1"
    assert (
        not en.translated and en.problem == "Find the minimum." and en.problem_original == "Find the minimum."
    )
