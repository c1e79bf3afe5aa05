"""Engine benchmark: scores per second over generated answer sets, and what the sensitivity
analysis costs.

    python bench/engine.py [--count 10000] [--seed 7]

Measured in CPU time of this process (the engine is pure Python: nothing else runs while
it scores), the figure and its baseline taking turns. Baselines:

- throughput against a plain copy of the same answer sets (`dict(answers)`): the cheapest
  thing one can do with an answer set, so the ratio (how many copies one score costs) is
  the engine's own cost whatever the speed of the machine;
- the sensitivity analysis against one score of the same answer set: the analysis re-scores
  every single change of one answer, so its ratio says how many scores' worth it costs.

Goals: at least 20,000 scores/s in one process (a score: points, readiness, premises and
hard rules, ranking; the explanation of each point is built when it is read), and a full
sensitivity analysis within 1 ms median.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisor.engine import evaluate, load_framework, parse_answers, tally
from advisor.engine.sensitivity import analyse
from bench.common import Row, add_output_argument, figure_at_least, figure_at_most, report

COPY = "a plain dict copy of the same answers"
ROUNDS = 3  # each rate is the median of this many passes over the answer sets


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


def _rates(functions: dict, items: list) -> dict[str, float]:
    """Calls per CPU second of each function over `items`, the functions taking turns."""
    passes: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(ROUNDS):
        for name, function in functions.items():
            start = time.process_time()
            for item in items:
                function(item)
            passes[name].append(len(items) / (time.process_time() - start))
    return {name: sorted(rates)[len(rates) // 2] for name, rates in passes.items()}


def measure(count: int, seed: int) -> list[Row]:
    framework = load_framework("default")
    answer_sets = generate(framework, random.Random(seed), count)
    for answers in answer_sets[:500]:  # warm up
        tally(framework, answers)

    rates = _rates({"copy": dict, "score": lambda a: tally(framework, a)}, answer_sets)
    # Full results and analyses cost tens of scores each: a sample keeps the run short.
    sample = answer_sets[:1000]
    rates.update(_rates({"result": lambda a: evaluate(framework, a, with_sensitivity=False),
                         "copy of the sample": dict}, sample))  # fmt: skip
    scores, analyses = [], []
    for answers in sample:
        start = time.process_time()
        current = tally(framework, answers)
        middle = time.process_time()
        analyse(framework, answers, current)
        end = time.process_time()
        scores.append((middle - start) * 1000)
        analyses.append((end - middle) * 1000)
    full = _rates(
        {
            "result": lambda a: evaluate(framework, a, with_sensitivity=False),
            "full": lambda a: evaluate(framework, a),
        },
        sample[:300],
    )
    sets = f"{count:,} generated answer sets (seed {seed}), CPU time"
    return [
        Row("Engine: scores per second", rates["score"], "/s", rates["copy"], COPY,
            figure_at_least(20_000, "/s"), note=f"Engine rows: {sets}."),
        Row("Engine: full results per second (no sensitivity)", rates["result"], "/s",
            rates["copy of the sample"], COPY),
        Row("Sensitivity analysis, median", sorted(analyses)[len(analyses) // 2], "ms",
            sorted(scores)[len(scores) // 2], "one score of the same answers, median",
            figure_at_most(1, "ms")),
        Row("Sensitivity analysis, 95th percentile", sorted(analyses)[int(len(analyses) * 0.95)],
            "ms", sorted(scores)[int(len(scores) * 0.95)], "one score, 95th percentile"),
        Row("Engine: full results with sensitivity per second", full["full"], "/s",
            full["result"], "full results without sensitivity"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    add_output_argument(parser)
    options = parser.parse_args()
    report(measure(options.count, options.seed), options)


if __name__ == "__main__":
    main()
