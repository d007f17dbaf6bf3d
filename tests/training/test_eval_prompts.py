"""Each arm of student_eval is asked with the prompt it was trained on: the GRPO arms with the GRPO view's
``prompt`` (system turn included), the SFT and base arms with the SFT view's user turn; the evaluator
records the prompt version per arm. No model runs: generation and verification are stubbed."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

import training.evaluate as evaluate
from assets.resources import DatasetResource
from distill.dataset import views
from distill.llm.prompts import Prompt
from training.arms import ARM_STAGES, PromptMismatch, arm_prompts
from training.eval_sets import benchmark

PROBLEM = "What is $2 + 3$?"
VIEW_PROMPTS = {"sft": DatasetResource().sft_prompt, "grpo": DatasetResource().grpo_prompt}
INSTRUCTION = "\nPlease reason step by step, and put your final answer within \\boxed{}."


def training_views(dataset: DatasetResource, problem: str) -> dict[str, list[dict[str, str]]]:
    """The prompt turns the trainers see for ``problem``: SFT's user turn (the messages before the answer)
    and GRPO's ``prompt`` column, built by the dataset's own view builders from the configured prompts."""
    sft = views.Template.of(Prompt.load(dataset.sft_prompt))
    sft_user = views.messages(["user"], [sft.user(pa.array([problem]))]).to_pylist()[0]
    problems = pa.table(
        {"id": ["p0"], "text": [problem], "answer": ["5"], "collection": ["c"], "pass_rate": [0.5]}
    )
    grpo = views.grpo_table(problems, views.Template.of(Prompt.load(dataset.grpo_prompt)))
    return {"sft": sft_user, "grpo": grpo.column("prompt").to_pylist()[0]}


def test_each_arm_gets_the_messages_of_its_training_prompt(tmp_path):
    dataset = DatasetResource()
    trained = training_views(dataset, PROBLEM)
    prompts = arm_prompts(ARM_STAGES, VIEW_PROMPTS, tmp_path)
    sent = {arm: evaluate.conversation(evaluate.load_prompt(path), PROBLEM) for arm, path in prompts.items()}

    assert sent["grpo"] == sent["rl"] == trained["grpo"]
    assert [m["role"] for m in sent["grpo"]] == ["system", "user"]
    assert sent["grpo"][0]["content"] == Prompt.load("configs/prompts/grpo.yaml").system
    assert "<answer>" in sent["grpo"][0]["content"]
    assert sent["sft"] == sent["base"] == trained["sft"]
    assert sent["sft"] == [{"role": "user", "content": PROBLEM + INSTRUCTION}]


def test_the_evaluator_sends_each_models_prompt_and_records_its_version(tmp_path, monkeypatch):
    problems = benchmark("arith", 2)
    sent: dict[str, list] = {}

    def fake_generate(model_path, conversations, *, max_new_tokens, batch_size):
        sent[model_path] = list(conversations)
        answers = [
            next(p["answer"] for p in problems if p["problem"] in c[-1]["content"]) for c in conversations
        ]
        return [f"<think>...</think><answer>{answer}</answer>" for answer in answers]  # R1 format, no box

    monkeypatch.setattr(evaluate, "generate", fake_generate)
    monkeypatch.setattr(evaluate, "verify_many", lambda pairs: [gold == pred for gold, pred in pairs])
    sft, grpo = "configs/prompts/cot_distill.yaml", "configs/prompts/grpo.yaml"
    output = tmp_path / "eval.json"
    arms = ["--model", "m-sft", "--label", "sft", "--prompt", sft, "--model", "m-grpo", "--label", "grpo"]
    report = evaluate.main([*arms, "--prompt", grpo, "--benchmark", "arith=2", "--output", str(output)])

    for model, path in (("m-sft", sft), ("m-grpo", grpo)):
        assert sent[model] == [Prompt.load(path).messages(problem=p["problem"]) for p in problems]
    results = json.loads(output.read_text())["results"]
    assert results == report["results"]
    assert {label: (r["prompt"], r["prompt_version"]) for label, r in results.items()} == {
        "sft": (sft, "cot-distill-v1"),
        "grpo": (grpo, "grpo-v1"),
    }
    assert all(r["correct"] == 2 and r["boxed_rate"] == 0 for r in results.values())  # <answer> is read


def test_prompts_align_with_models_or_default_to_the_sft_prompt():
    common = ["--benchmark", "arith", "--output", "x.json"]
    _, arms = evaluate.parse_args(["--model", "a", "--model", "b", *common])
    assert [a.prompt for a in arms] == [evaluate.DEFAULT_PROMPT] * 2
    assert Prompt.load(evaluate.DEFAULT_PROMPT) == Prompt.load(DatasetResource().sft_prompt)
    _, arms = evaluate.parse_args(["--model", "a", "--model", "b", "--prompt", "p.yaml", *common])
    assert [(a.label, a.prompt) for a in arms] == [("a", "p.yaml"), ("b", "p.yaml")]
    pairs = "--model a --label x --prompt p --model b --label y --prompt q".split()
    _, arms = evaluate.parse_args([*pairs, *common])
    assert arms == [evaluate.Arm("x", "a", "p"), evaluate.Arm("y", "b", "q")]
    with pytest.raises(SystemExit):
        evaluate.parse_args([*"--model a --model b --model c --prompt p --prompt q".split(), *common])


def test_a_prompt_other_than_the_one_the_dataset_was_built_with_fails(tmp_path):
    dataset = DatasetResource()
    info = {"version": "v", "provenance": {"sft_prompt": ["cot-distill-v1"], "grpo_prompt": ["grpo-v0"]}}
    (tmp_path / "dataset_info.json").write_text(json.dumps(info))
    assert arm_prompts(["base", "sft"], VIEW_PROMPTS, tmp_path) == {
        "base": dataset.sft_prompt,
        "sft": dataset.sft_prompt,
    }
    with pytest.raises(PromptMismatch, match="grpo view was built with prompt grpo-v0"):
        arm_prompts(["sft", "grpo"], VIEW_PROMPTS, tmp_path)


def test_a_prompt_with_another_placeholder_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: bad\nuser: '{{problem}} in {{language}}'\n")
    with pytest.raises(ValueError, match="may only use"):
        evaluate.load_prompt(path)
