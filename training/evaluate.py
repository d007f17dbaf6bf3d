"""pass@1 of one or more models on held-out problems: greedy decoding with transformers (CPU is fine).

    python -m training.evaluate --model M [--model M2 ...] [--label L ...] --problems D/eval/heldout.parquet \
        --output OUT.json [--max-new-tokens 256] [--batch-size 8] [--limit N]

The prompt is the user turn of the SFT data (problem + the instruction suffix) through the model's chat
template; the answer is the last ``\\boxed{}`` of the completion, verified against the reference.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import torch
from transformers import AutoTokenizer, GenerationConfig

from distill.answers import last_boxed, verify_many
from distill.local_model import resolve_model
from training.recipes import load_model
from training.reporting import pipes_session

INSTRUCTION = "\nPlease reason step by step, and put your final answer within \\boxed{}."


def generate(model_path: str, prompts: Sequence[str], *, max_new_tokens: int, batch_size: int) -> list[str]:
    """Greedy completions of single-turn user prompts."""
    tokenizer = AutoTokenizer.from_pretrained(model_path, padding_side="left")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = load_model(model_path).eval()
    config = GenerationConfig(
        max_new_tokens=max_new_tokens,
        do_sample=False,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=model.generation_config.eos_token_id or tokenizer.eos_token_id,
    )
    completions: list[str] = []
    for start in range(0, len(prompts), batch_size):
        texts = [
            tokenizer.apply_chat_template(
                [{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True
            )
            for p in prompts[start : start + batch_size]
        ]
        inputs = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.inference_mode():
            output = model.generate(**inputs, generation_config=config)
        new_tokens = output[:, inputs["input_ids"].shape[1] :]
        completions += tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
    return completions


def pass_at_1(
    model_path: str, problems: Sequence[dict[str, Any]], *, max_new_tokens: int = 256, batch_size: int = 8
) -> dict[str, Any]:
    """Greedy pass@1 over all problems. ``unscorable`` counts the items that could not be verified (gold
    unparseable or verification timed out); they count as not correct."""
    completions = generate(
        resolve_model(model_path),
        [p["problem"] + INSTRUCTION for p in problems],
        max_new_tokens=max_new_tokens,
        batch_size=batch_size,
    )
    preds = [last_boxed(text) for text in completions]
    verdicts = verify_many([(p["answer"], pred or "") for p, pred in zip(problems, preds, strict=True)])
    per_item = [
        {"id": p.get("id"), "answer": p["answer"], "pred": pred, "correct": verdict, "completion": text}
        for p, pred, verdict, text in zip(problems, preds, verdicts, completions, strict=True)
    ]
    correct = sum(verdict is True for verdict in verdicts)
    return {
        "pass_at_1": correct / len(problems) if problems else 0.0,
        "n": len(problems),
        "correct": correct,
        "unscorable": sum(verdict is None for verdict in verdicts),
        "per_item": per_item,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True, help="repeat to compare models")
    parser.add_argument("--label", action="append", help="one per --model (default: the model argument)")
    parser.add_argument("--problems", required=True, help="Parquet with problem and answer columns")
    parser.add_argument("--output", required=True, help="JSON report")
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--limit", type=int, help="evaluate only the first N problems")
    args = parser.parse_args(argv)
    labels = args.label or args.model
    if len(labels) != len(args.model) or len(set(labels)) != len(labels):
        parser.error("give one distinct --label per --model")

    problems = pq.read_table(args.problems, columns=["id", "problem", "answer"]).to_pylist()[: args.limit]
    report: dict[str, Any] = {"problems": str(Path(args.problems).resolve()), "results": {}}
    with pipes_session() as pipes:
        for label, model in zip(labels, args.model, strict=True):
            start = time.perf_counter()
            result = pass_at_1(
                model, problems, max_new_tokens=args.max_new_tokens, batch_size=args.batch_size
            )
            result = {"model": model, "runtime_s": round(time.perf_counter() - start, 2), **result}
            report["results"][label] = result
            summary = f"{label}: pass@1 {result['pass_at_1']:.3f} ({result['correct']}/{result['n']})"
            print(summary)
            if pipes is not None:
                pipes.log.info(summary)
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        if pipes is not None:
            pipes.report_asset_materialization(
                metadata={
                    **{f"pass_at_1/{label}": r["pass_at_1"] for label, r in report["results"].items()},
                    "n": len(problems),
                    "report": {"raw_value": str(output.resolve()), "type": "path"},
                }
            )
    return report


if __name__ == "__main__":
    main()
