"""Advice mix: how often each pattern wins over random answer sets, and how the judgement
rules bear on it.

    python bench/advice_mix.py [--count 20000] [--seed 7] [--framework default]

Answer sets are generated as in bench/engine.py (each question answered with probability
0.8, each capability with probability 0.4). Prints, for the framework given:
- the share of answer sets each pattern is recommended for;
- for each premise, how often it fails and how often its pattern is recommended anyway
  (always 0: a pattern whose premise fails is not an option);
- how often readiness changes the advice (the target advice differs from today's).
Prints figures only; it never fails.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisor.engine import evaluate, load_framework
from bench.engine import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--framework", default="default")
    options = parser.parse_args()

    framework = load_framework(options.framework)
    answer_sets = generate(framework, random.Random(options.seed), options.count)
    wins: Counter[str] = Counter()
    failing: Counter[tuple[str, str]] = Counter()
    failing_and_won: Counter[tuple[str, str]] = Counter()
    with_target = changed = 0
    for answers in answer_sets:
        result = evaluate(framework, answers, with_sensitivity=False)
        wins[result.recommendation] += 1
        for premise in result.premises:
            if not premise["holds"]:
                key = (premise["pattern"], premise["title"])
                failing[key] += 1
                failing_and_won[key] += premise["pattern"] == result.recommendation
        if result.target is not None:
            with_target += 1
            changed += result.target.changes

    count = len(answer_sets)
    print(f"framework {framework.name} v{framework.version}, {count:,} answer sets "
          f"(seed {options.seed})")  # fmt: skip
    print("recommended for:")
    for pattern in framework.patterns:
        print(f"  {pattern.name:60s} {wins[pattern.key] / count:6.1%}")
    print("premises (fails for / recommended anyway):")
    for (pattern, title), fails in sorted(failing.items()):
        anyway = failing_and_won[(pattern, title)]
        print(f"  {framework.pattern(pattern).name}: {title:40s} {fails / count:6.1%} / {anyway}")
    if with_target:
        print(
            f"readiness changes the advice for {changed / with_target:.1%} of the answer sets "
            f"that say which practices the team runs"
        )


if __name__ == "__main__":
    main()
