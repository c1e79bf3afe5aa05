"""Advice mix: how often each pattern wins over random answer sets, and how the judgement
rules bear on it.

    python bench/advice_mix.py [--count 20000] [--seed 7] [--framework default]

Answer sets are generated as in bench/engine.py (each question answered with probability
0.8, each capability with probability 0.4). Rows, for the framework given:
- the share of answer sets each pattern is recommended for, against an even share (one in
  as many as there are patterns): a ratio far from 1 says the framework leans that way;
- how often a pattern is recommended although one of its premises fails, against how often
  that premise fails (goal: never, as a pattern whose premise fails is not an option);
- how often readiness changes the advice, among the answer sets that say which practices
  the team runs.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisor.engine import evaluate, load_framework
from bench.common import Goal, Row, add_output_argument, report
from bench.engine import generate

NEVER = Goal("never (0)", "figure", at_most=0)


def measure(count: int, seed: int, framework_name: str) -> list[Row]:
    framework = load_framework(framework_name)
    answer_sets = generate(framework, random.Random(seed), count)
    wins: Counter[str] = Counter()
    failing = failing_and_won = with_target = changed = 0
    for answers in answer_sets:
        result = evaluate(framework, answers, with_sensitivity=False)
        wins[result.recommendation] += 1
        failed = {premise["pattern"] for premise in result.premises if not premise["holds"]}
        failing += len(failed)
        failing_and_won += result.recommendation in failed
        if result.target is not None:
            with_target += 1
            changed += result.target.changes

    even = 100 / len(framework.patterns)
    about = f"Advice mix: framework {framework.name} v{framework.version}, {count:,} answer sets"
    rows = [
        Row(f"Advice mix: {pattern.name} recommended", 100 * wins[pattern.key] / count, "%",
            even, "an even share", note=f"{about} (seed {seed})." if index == 0 else "")
        for index, pattern in enumerate(framework.patterns)
    ]  # fmt: skip
    rows.append(
        Row(
            "Advice mix: a pattern recommended although its premise fails",
            failing_and_won,
            "",
            failing,
            "times a failing premise ruled a pattern out",
            NEVER,
        )
    )
    if with_target:
        rows.append(
            Row(
                "Advice mix: readiness changes the advice",
                changed,
                "answer sets",
                with_target,
                "answer sets naming the practices in place",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--framework", default="default")
    add_output_argument(parser)
    options = parser.parse_args()
    report(measure(options.count, options.seed, options.framework), options)


if __name__ == "__main__":
    main()
