from distill.core.kinds import TeacherInput
from distill.core.records import TranslatedRow
from distill.cot.generate import cot_messages
from distill.llm.prompts import Prompt
from tests.rows import stage_row


def test_cot_messages_use_the_versioned_prompt_and_options():
    prompt = Prompt.load("configs/prompts/cot_distill.yaml")
    row = stage_row(TranslatedRow, "x", problem="Which is prime?", options=["A. 4", "B. 5"])
    messages = cot_messages(prompt, row)
    assert messages == [
        {
            "role": "user",
            "content": "Which is prime?\nA. 4\nB. 5\nPlease reason step by step, and put your final answer within \\boxed{}.",
        }
    ]
    assert prompt.version == "cot-distill-v1"


def test_realign_prompt_grounds_the_teacher_in_the_reference():
    prompt = Prompt.load("configs/prompts/cot_realign.yaml")
    row = stage_row(TranslatedRow, "x", problem="2+3?", solution="2+3=5", answer="5")
    system, user = cot_messages(prompt, row)
    assert (
        system["role"] == "system" and "2+3=5" in user["content"] and "Reference answer: 5" in user["content"]
    )


def test_the_teacher_reads_the_source_text_when_asked_and_the_english_otherwise():
    prompt = Prompt.load("configs/prompts/cot_realign.yaml")
    row = stage_row(
        TranslatedRow,
        "x",
        problem="Which is prime?",
        options=["A. 4", "B. 5"],
        solution="5 is prime.",
        problem_original="哪个是质数？",
        options_original=["A. 4", "B. 5"],
        solution_original="5 是质数。",
        translated=True,
    )
    _, english = cot_messages(prompt, row)
    _, source = cot_messages(prompt, row, TeacherInput.ORIGINAL)
    assert "Which is prime?\nA. 4" in english["content"] and "5 is prime." in english["content"]
    assert "哪个是质数？\nA. 4\nB. 5" in source["content"] and "5 是质数。" in source["content"]
    assert "Which" not in source["content"]
    untranslated = stage_row(TranslatedRow, "y", problem="What is 2+3?", problem_original="What is 2+3?")
    assert cot_messages(prompt, untranslated, TeacherInput.ORIGINAL) == cot_messages(prompt, untranslated)
