"""Speed of the accuracy reward against open-r1's, on (completion, answer) pairs built from MATH-500.

    .venv/bin/python -m benchmarks.rewards_bench [--pairs 1000] [--cot-chars 2000] [--workers 1 2]

Each MATH-500 problem gives two pairs: an R1-style completion (``<think>`` + ``--cot-chars`` of reasoning text
+ a final ``\\boxed{answer}``) with its own answer (correct) and with another problem's answer (wrong).
"open-r1" is a re-implementation, written here, of the accuracy reward of open-r1's ``src/open_r1/rewards.py``
(math-verify parses the gold and the whole completion in the calling process, with math-verify's own
signal-based timeouts); ours is ``training.rewards.AccuracyReward`` (last ``\\boxed{}`` extracted in the
caller, normalization and verification in ``workers`` processes with a per-item bound). "cold" includes
starting the worker processes, "warm" reuses them (as every training step after the first does).
Prints items/s and how often the two agree.
"""

from __future__ import annotations

import argparse
import logging
import time

from latex2sympy2_extended import NormalizationConfig
from math_verify import LatexExtractionConfig, parse, verify

from training.eval_sets import benchmark
from training.rewards import AccuracyReward


def open_r1_accuracy(completions: list[list[dict[str, str]]], solution: list[str]) -> list[float | None]:
    """open-r1's accuracy reward, re-implemented (its semantics, including 1.0 for an unparseable gold)."""
    rewards: list[float | None] = []
    for completion, sol in zip(completions, solution, strict=True):
        content = completion[0]["content"]
        gold = parse(sol, extraction_mode="first_match", extraction_config=[LatexExtractionConfig()])
        if not gold:
            rewards.append(1.0)
            continue
        answer = parse(
            content,
            extraction_config=[
                LatexExtractionConfig(
                    normalization_config=NormalizationConfig(
                        nits=False,
                        malformed_operators=False,
                        basic_latex=True,
                        equations=True,
                        boxed="all",
                        units=True,
                    ),
                    boxed_match_priority=0,
                    try_extract_without_anchor=False,
                )
            ],
            extraction_mode="first_match",
        )
        try:
            rewards.append(float(verify(gold, answer)))
        except Exception:
            rewards.append(0.0)
    return rewards


def make_pairs(n: int, cot_chars: int) -> tuple[list[list[dict[str, str]]], list[str]]:
    problems = benchmark("math500")
    completions, answers = [], []
    for i in range(n):
        p = problems[(i // 2) % len(problems)]
        reasoning = (p["problem"] + "\n") * (cot_chars // max(1, len(p["problem"])) + 1)
        text = f"<think>\n{reasoning[:cot_chars]}\n</think>\nThe final answer is $\\boxed{{{p['answer']}}}$."
        completions.append([{"role": "assistant", "content": text}])
        answers.append(p["answer"] if i % 2 == 0 else problems[(i // 2 + 7) % len(problems)]["answer"])
    return completions, answers


def timed(fn, *args, **kwargs) -> tuple[list, float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--cot-chars", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    for name in ("latex2sympy2_extended", "math_verify"):  # per-item deprecation and timeout notices
        logging.getLogger(name).setLevel(logging.ERROR)
    completions, answers = make_pairs(args.pairs, args.cot_chars)

    reference, seconds = timed(open_r1_accuracy, completions, [f"${a}$" for a in answers])
    print(f"{args.pairs} pairs, {args.cot_chars} reasoning chars each")
    print(
        f"{'open-r1 (re-implemented), 1 process':<40} {args.pairs / seconds:8.1f} items/s  ({seconds:.2f} s)"
    )
    for workers in args.workers:
        reward = AccuracyReward(workers=workers)
        ours, cold = timed(reward, completions, answer=answers)
        _, warm = timed(reward, completions, answer=answers)
        agree = sum(a == b for a, b in zip(ours, reference, strict=True)) / len(ours)
        label = f"ours, {workers} worker process{'es' if workers > 1 else ''}"
        print(
            f"{label:<40} {args.pairs / warm:8.1f} items/s  ({warm:.2f} s warm, {cold:.2f} s cold)"
            f"  agreement with open-r1 {agree:.3f}, None {ours.count(None)}"
        )


if __name__ == "__main__":
    main()
