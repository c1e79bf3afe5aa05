"""Engine benchmark: scores per second over generated answer sets, and sensitivity time.

    python bench/engine.py [--count 10000] [--seed 7]

Prints figures only; it never fails on a threshold. Goals: at least 20,000 scores/s in one
process (a score: points, readiness, premises and hard rules, ranking; the explanation of
each point is built when it is read), and a full sensitivity analysis within 1 ms median.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisor.engine import evaluate, load_framework, parse_answers, tally
from advisor.engine.sensitivity import analyse


def generate(framework, rng: random.Random, count: int) -> list:
    """Answer sets where each question is answered with probability 0.8."""
    sets = []
    for _ in range(count):
        raw = {}
        for question in framework.questions:
            if rng.random() > 0.8:
                continue
            if question.kind == "single":
                raw[question.key] = rng.choice(question.choice_keys)
            elif question.kind == "multi":
                raw[question.key] = [c for c in question.choice_keys if rng.random() < 0.4]
            else:
                raw[question.key] = rng.randint(question.minimum, min(question.maximum, 8))
        sets.append(parse_answers(framework, raw))
    return sets


def per_second(function, items) -> float:
    start = time.perf_counter()
    for item in items:
        function(item)
    return len(items) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()

    framework = load_framework("default")
    answer_sets = generate(framework, random.Random(options.seed), options.count)
    per_second(lambda a: tally(framework, a), answer_sets[:500])  # warm up

    scores = per_second(lambda a: tally(framework, a), answer_sets)
    results = per_second(lambda a: evaluate(framework, a, with_sensitivity=False), answer_sets)

    sample = answer_sets[:1000]
    timings = []
    for answers in sample:
        current = tally(framework, answers)
        start = time.perf_counter()
        analyse(framework, answers, current)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    full = per_second(lambda a: evaluate(framework, a), sample)

    print(f"answer sets:                     {options.count:,} (seed {options.seed})")
    print(f"scores/s (points, readiness, viability, ranking):     {scores:,.0f}  (goal >= 20,000)")
    print(f"results/s (plus warnings, practices, estimates, target): {results:,.0f}")
    print(f"full results with sensitivity/s:                      {full:,.0f}")
    print(
        f"sensitivity analysis: median {statistics.median(timings):.2f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)]:.2f} ms, max {timings[-1]:.2f} ms  (goal <= 1 ms)"
    )


if __name__ == "__main__":
    main()
