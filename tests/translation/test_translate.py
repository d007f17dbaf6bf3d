import dataclasses

from distill.core.kinds import ErrorKind
from distill.core.records import ProblemRow
from distill.llm.client import TeacherClient, TeacherSettings
from distill.llm.ledger import SqliteLedger
from distill.llm.prompts import Prompt
from distill.translation.check import math_changes
from distill.translation.translate import needs_translation, translate_rows
from tests.rows import stage_row


def test_only_non_english_prose_needs_translation():
    assert needs_translation("已知集合 $A=\\{x \\mid x>2\\}$，则")
    assert needs_translation("Найдите наименьшее значение функции.")
    assert not needs_translation("Let $x^2 = 4$. Find x.")
    assert not needs_translation("$\\frac{1}{2}$")
    assert not needs_translation("Find $\\text{面积}$ of the triangle with sides 3, 4 and 5.")


def test_math_changes_flag_numbers_formulas_and_option_letters():
    assert math_changes("若 x=3, y=12", "If x = 3, y = 12") == {}
    assert math_changes("若 x=3, y=12", "If x = 3, y = 21") == {"numbers": "lost 12; added 21"}
    assert math_changes("已知 $\\frac{1}{2}$，求 $x$", "Given $\\frac{1}{3}$, find $x$") == {
        "numbers": "lost 2; added 3",
        "formulas": "lost \\frac{1}{2}; added \\frac{1}{3}",
    }
    assert math_changes("设 $a + b$ 与 \\(c\\)", "Let $a+b$ and $c$") == {}  # spacing and delimiters
    assert math_changes("$\\text{面积}=6$", "$\\text{area}=6$") == {}  # words inside formulas may change
    assert math_changes("１２个", "12 items") == {}  # full-width digits are the same numbers
    assert math_changes("B．两个", "C. two") == {"option_letter": "B -> C"}
    assert math_changes("B．两个", "two") == {"option_letter": "B -> none"}


def problem(pid: str, text: str, solution: str = "") -> ProblemRow:
    return stage_row(ProblemRow, pid, problem=text, solution=solution, options=["A．$1$", "B．两个"])


def _settings(local_teacher, local_model_dir, max_tokens: int) -> TeacherSettings:
    return TeacherSettings(
        base_url=local_teacher.base_url,
        model="local",
        served_model=str(local_model_dir),
        max_tokens=max_tokens,
        timeout_s=120,
    )


def test_translate_rows_sends_only_non_english_fields_and_keeps_originals(
    tmp_path, local_teacher, local_model_dir
):
    settings = _settings(local_teacher, local_model_dir, max_tokens=16)
    client = TeacherClient(settings, SqliteLedger(tmp_path / "l.sqlite"))
    rows = [
        problem("zh", "求函数 $y=x^2+2$ 的最小值。", "解：最小值为 2"),
        problem("en", "Find the minimum.", "It is 2."),
    ]
    rows[1].options = ["A. 1", "B. 2"]
    out, stats, flags = translate_rows(
        rows, client, Prompt.load("configs/prompts/translate.yaml"), 16, drop_flagged=False
    )
    assert stats.requested == 3  # problem, solution and option B of the Chinese row; option A is pure math
    zh, en = out
    assert (
        zh.translated
        and zh.problem_original == "求函数 $y=x^2+2$ 的最小值。"
        and zh.problem != zh.problem_original
    )
    assert zh.options[0] == "A．$1$" and zh.translation_prompt_version == "translate-v2"
    # Whatever the tiny model wrote, the flags are exactly what the check finds in it.
    pairs = {
        "problem": (rows[0].problem, zh.problem),
        "solution": (rows[0].solution, zh.solution),
        "option1": ("B．两个", zh.options[1]),
    }
    expected = [
        f"{name}: {kind} changed: {detail}"
        for name, (original, text) in pairs.items()
        for kind, detail in math_changes(original, text).items()
    ]
    assert zh.translation_flags == expected and sum(flags.values()) == len(expected)
    assert (
        not en.translated and en.problem == "Find the minimum." and en.problem_original == "Find the minimum."
    )


def test_a_translation_that_changed_the_math_is_asked_again_then_dropped_with_its_reason(
    tmp_path, local_teacher, local_model_dir
):
    settings = _settings(local_teacher, local_model_dir, max_tokens=8)
    ledger = SqliteLedger(tmp_path / "l.sqlite")
    client = TeacherClient(settings, ledger)
    retry = TeacherClient(dataclasses.replace(settings, temperature=0.0), ledger)
    # eight tokens cannot hold these numbers: the first answer and the retry both lose some
    rows = [stage_row(ProblemRow, "zh", problem="计算 123456789 加 987654321 再乘 555 的结果。", options=[])]
    prompt = Prompt.load("configs/prompts/translate.yaml")
    [row], stats, flags = translate_rows(rows, client, prompt, 8, retry=retry)
    assert stats.requested == 1 and flags["retried"] == 1 and ledger.count() == 2  # first answer and retry
    assert row.error_kind == ErrorKind.TRANSLATION_CHANGED and row.error.startswith("translation changed")
    assert row.translation_flags and flags["dropped: translation changed the mathematics"] == 1
    [kept], _, kept_flags = translate_rows(rows, client, prompt, 8, retry=retry, drop_flagged=False)
    assert kept.error is None and kept.translation_flags == row.translation_flags
    assert (
        ledger.count() == 2 and kept_flags["retried"] == 1
    )  # nothing asked twice: both answers from the ledger
