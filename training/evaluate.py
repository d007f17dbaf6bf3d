"""pass@1 of one or more models on held-out problems: greedy decoding with transformers (CPU, or one GPU).

    python -m training.evaluate --model M [--label L] [--prompt P] [--model M2 --label L2 --prompt P2 ...] \\
        --output OUT.json [--problems D/eval/heldout.parquet ...] \\
        [--benchmark math500=50 --benchmark aime24 ...] [--max-level 1] [--limit N] \\
        [--max-new-tokens 256] [--batch-size 8]

Each model is asked with a versioned prompt file (``configs/prompts/*.yaml``): ``--prompt`` once for all
models, or once per ``--model`` in the same order; by default ``configs/prompts/cot_distill.yaml``, the user
turn of the SFT data. An arm should be evaluated with the prompt it was trained on (``student_eval`` passes
the SFT prompt for the base and SFT arms, the GRPO prompt, system turn included, for the GRPO arms): the
messages are the prompt's system turn when it has one and its user turn around the problem, exactly the
training view's, through the model's chat template; the report records each arm's prompt and its version.
The answer is read as the accuracy reward reads it (``training.rewards.extract_prediction``: last
``\\boxed{}``, else an ``<answer>`` tag or an explicit "the answer is ...") and verified with math-verify
against the reference; ``boxed_rate`` is the share of completions that followed the ``\\boxed{}`` format.
Results are broken down per problem set (``--problems`` file stem or benchmark name).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import AutoTokenizer, GenerationConfig

from distill.answers.bounded import verify_many
from distill.answers.normalize import last_boxed
from distill.dataset.views import Template
from distill.llm.local_model import resolve_model
from distill.llm.prompts import Prompt
from training.eval_sets import benchmark, read_problems
from training.recipes import load_model
from training.reporting import pipes_session
from training.rewards import extract_prediction

DEFAULT_PROMPT = str(Path(__file__).resolve().parents[1] / "configs" / "prompts" / "cot_distill.yaml")


@dataclass(frozen=True)
class Arm:
    """One evaluated model: its label in the report, the model (path, hub id or local alias), its prompt file."""

    label: str
    model: str
    prompt: str


def load_prompt(path: str | Path) -> Prompt:
    """A prompt file that the training views could have been built with (its only placeholder: ``{{problem}}``)."""
    prompt = Prompt.load(path)
    Template.of(prompt)
    return prompt


def conversation(prompt: Prompt, problem: str) -> list[dict[str, str]]:
    """The chat messages sent for one problem: the prompt's system turn when it has one, then its user turn
    around the problem (the SFT view's user turn, or the GRPO view's ``prompt``, for those views' prompts)."""
    return prompt.messages(problem=problem)


def generate(
    model_path: str, conversations: Sequence[list[dict[str, str]]], *, max_new_tokens: int, batch_size: int
) -> list[str]:
    """Greedy completions of chat conversations, batched by prompt length (less padding)."""
    tokenizer = AutoTokenizer.from_pretrained(model_path, padding_side="left")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    cuda = torch.cuda.is_available()
    model = (
        load_model(model_path, {"dtype": "bfloat16"} if cuda else None).to("cuda" if cuda else "cpu").eval()
    )
    config = GenerationConfig(
        max_new_tokens=max_new_tokens,
        do_sample=False,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=model.generation_config.eos_token_id or tokenizer.eos_token_id,
    )
    texts = [
        tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        for messages in conversations
    ]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    completions = [""] * len(texts)
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        inputs = tokenizer(
            [texts[i] for i in batch], return_tensors="pt", padding=True, add_special_tokens=False
        )
        inputs = inputs.to(model.device)
        with torch.inference_mode():
            output = model.generate(**inputs, generation_config=config)
        decoded = tokenizer.batch_decode(output[:, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
        for i, text in zip(batch, decoded, strict=True):
            completions[i] = text
    return completions


def _score(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    correct = sum(item["correct"] is True for item in items)
    return {"n": len(items), "correct": correct, "pass_at_1": correct / len(items) if items else 0.0}


def pass_at_1(
    model_path: str,
    problems: Sequence[dict[str, Any]],
    *,
    prompt: Prompt | None = None,
    max_new_tokens: int = 256,
    batch_size: int = 8,
) -> dict[str, Any]:
    """Greedy pass@1 over all problems asked with ``prompt`` (default: the SFT prompt), overall and per
    ``set``. ``unscorable`` counts the items that could not be verified (gold unparseable or verification
    timed out); they count as not correct."""
    prompt = prompt or load_prompt(DEFAULT_PROMPT)
    completions = generate(
        resolve_model(model_path),
        [conversation(prompt, p["problem"]) for p in problems],
        max_new_tokens=max_new_tokens,
        batch_size=batch_size,
    )
    preds = [extract_prediction(text) for text in completions]
    verdicts = verify_many([(p["answer"], pred or "") for p, pred in zip(problems, preds, strict=True)])
    per_item = [
        {
            "id": p["id"],
            "set": p["set"],
            "answer": p["answer"],
            "pred": pred,
            "correct": verdict,
            "boxed": last_boxed(text) is not None,
            "completion": text,
        }
        for p, pred, verdict, text in zip(problems, preds, verdicts, completions, strict=True)
    ]
    sets = dict.fromkeys(p["set"] for p in problems)
    return {
        **_score(per_item),
        "unscorable": sum(verdict is None for verdict in verdicts),
        "boxed_rate": sum(item["boxed"] for item in per_item) / len(per_item) if per_item else 0.0,
        "by_set": {name: _score([item for item in per_item if item["set"] == name]) for name in sets},
        "per_item": per_item,
    }


def _benchmark_arg(value: str) -> tuple[str, int]:
    name, _, limit = value.partition("=")
    return name, int(limit or 0)


def parse_args(argv: list[str] | None = None) -> tuple[argparse.Namespace, list[Arm]]:
    """The options, and the arms: each ``--model`` with its ``--label`` and ``--prompt`` (same order)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True, help="repeat to compare models")
    parser.add_argument("--label", action="append", help="one per --model (default: the model argument)")
    parser.add_argument(
        "--prompt",
        action="append",
        help="prompt YAML, once for all models or once per --model (default: cot_distill.yaml)",
    )
    parser.add_argument("--problems", action="append", default=[], help="Parquet/JSONL: id, problem, answer")
    parser.add_argument(
        "--benchmark",
        action="append",
        default=[],
        type=_benchmark_arg,
        help="bundled benchmark NAME or NAME=N (its first N problems)",
    )
    parser.add_argument("--max-level", type=int, help="keep problems up to this MATH level (1: easiest)")
    parser.add_argument(
        "--limit", type=int, default=0, help="evaluate only the first N problems of each file"
    )
    parser.add_argument("--output", required=True, help="JSON report")
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args(argv)
    labels = args.label or args.model
    if len(labels) != len(args.model) or len(set(labels)) != len(labels):
        parser.error("give one distinct --label per --model")
    prompts = args.prompt or [DEFAULT_PROMPT]
    if len(prompts) == 1:
        prompts = prompts * len(args.model)
    if len(prompts) != len(args.model):
        parser.error("give one --prompt for all models, or one per --model")
    if not args.problems and not args.benchmark:
        parser.error("no problems: give --problems and/or --benchmark")
    return args, [Arm(*arm) for arm in zip(labels, args.model, prompts, strict=True)]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args, arms = parse_args(argv)
    prompts = {arm.label: load_prompt(arm.prompt) for arm in arms}  # a bad file fails before any model runs
    problems = [p for path in args.problems for p in read_problems(path, args.limit, args.max_level)]
    problems += [p for name, limit in args.benchmark for p in benchmark(name, limit, args.max_level)]
    if not problems:
        raise SystemExit("no problems left to evaluate (empty files, or --max-level too low)")

    report: dict[str, Any] = {"problems": args.problems, "benchmarks": dict(args.benchmark), "results": {}}
    with pipes_session() as pipes:
        for arm in arms:
            start = time.perf_counter()
            prompt = prompts[arm.label]
            result = pass_at_1(
                arm.model,
                problems,
                prompt=prompt,
                max_new_tokens=args.max_new_tokens,
                batch_size=args.batch_size,
            )
            report["results"][arm.label] = {
                "model": arm.model,
                "prompt": arm.prompt,
                "prompt_version": prompt.version,
                "runtime_s": round(time.perf_counter() - start, 2),
                **result,
            }
            summary = (
                f"{arm.label}: pass@1 {result['pass_at_1']:.3f} ({result['correct']}/{result['n']}), "
                f"prompt {prompt.version}"
            )
            print(summary, flush=True)
            if pipes is not None:
                pipes.log.info(summary)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
