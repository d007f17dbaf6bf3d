"""pass@1 of one or more models on held-out problems: greedy decoding with transformers (CPU, or one GPU).

    python -m training.evaluate --model M [--model M2 ...] [--label L ...] --output OUT.json \\
        [--problems D/eval/heldout.parquet ...] [--benchmark math500=50 --benchmark aime24 ...] \\
        [--max-level 1] [--limit N] [--max-new-tokens 256] [--batch-size 8]

The prompt is the user turn of the SFT data (problem + the instruction suffix) through the model's chat
template. The answer is read as the accuracy reward reads it (``training.rewards.extract_prediction``: last
``\\boxed{}``, else an ``<answer>`` tag or an explicit "the answer is ...") and verified with math-verify
against the reference; ``boxed_rate`` is the share of completions that followed the ``\\boxed{}`` format.
Results are broken down per problem set (``--problems`` file stem or benchmark name).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import AutoTokenizer, GenerationConfig

from distill.answers import last_boxed, verify_many
from distill.local_model import resolve_model
from training.eval_sets import benchmark, read_problems
from training.recipes import load_model
from training.reporting import pipes_session
from training.rewards import extract_prediction

INSTRUCTION = "\nPlease reason step by step, and put your final answer within \\boxed{}."


def generate(model_path: str, prompts: Sequence[str], *, max_new_tokens: int, batch_size: int) -> list[str]:
    """Greedy completions of single-turn user prompts, batched by prompt length (less padding)."""
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
        tokenizer.apply_chat_template(
            [{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True
        )
        for p in prompts
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
    model_path: str, problems: Sequence[dict[str, Any]], *, max_new_tokens: int = 256, batch_size: int = 8
) -> dict[str, Any]:
    """Greedy pass@1 over all problems, overall and per ``set``. ``unscorable`` counts the items that could
    not be verified (gold unparseable or verification timed out); they count as not correct."""
    completions = generate(
        resolve_model(model_path),
        [p["problem"] + INSTRUCTION for p in problems],
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


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True, help="repeat to compare models")
    parser.add_argument("--label", action="append", help="one per --model (default: the model argument)")
    parser.add_argument("--problems", action="append", default=[], help="Parquet/JSONL: id, problem, answer")
    parser.add_argument("--benchmark", action="append", default=[], type=_benchmark_arg,
                        help="bundled benchmark NAME or NAME=N (its first N problems)")  # fmt: skip
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
    problems = [p for path in args.problems for p in read_problems(path, args.limit, args.max_level)]
    problems += [p for name, limit in args.benchmark for p in benchmark(name, limit, args.max_level)]
    if not problems:
        parser.error("no problems: give --problems and/or --benchmark")

    report: dict[str, Any] = {"problems": args.problems, "benchmarks": dict(args.benchmark), "results": {}}
    with pipes_session() as pipes:
        for label, model in zip(labels, args.model, strict=True):
            start = time.perf_counter()
            result = pass_at_1(
                model, problems, max_new_tokens=args.max_new_tokens, batch_size=args.batch_size
            )
            report["results"][label] = {
                "model": model,
                "runtime_s": round(time.perf_counter() - start, 2),
                **result,
            }
            summary = f"{label}: pass@1 {result['pass_at_1']:.3f} ({result['correct']}/{result['n']})"
            print(summary, flush=True)
            if pipes is not None:
                pipes.log.info(summary)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
