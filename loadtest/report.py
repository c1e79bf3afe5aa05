"""The load test's figures: one row per step of the simulated users' work, and the goal.

    python -m loadtest.report samples.json --out bench/loadtest.json

Reads the raw timings the locustfile wrote, prints the table and writes the same figures as
JSON. Percentiles are computed from every response time (not from locust's rounded
buckets). Exits 1 when the run itself did not complete (no timings, or the simulated users'
code failed); 0 otherwise, failed requests and missed goals included: a load test is a
measurement.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Each step of a simulated user's visit, in the order a user takes them.
LOGIN_FORM = "Log in: form"
LOGIN = "Log in: submit"
QUESTIONNAIRE = "Questionnaire: open"
RESCORE = "Questionnaire: re-score"
RECORD_FORM = "Record: form"
RECORD = "Record: submit"
LOG = "Decision log"
PDF = "Decision PDF"
STEPS = (LOGIN_FORM, LOGIN, QUESTIONNAIRE, RESCORE, RECORD_FORM, RECORD, LOG, PDF)

GOAL_P99_MS = 300.0
# Rendering a PDF is expected to be slow: only its errors count against the goal.
WITHOUT_LATENCY_GOAL = frozenset({PDF})


def percentile(ordered: list[float], fraction: float) -> float:
    """The `fraction` percentile of sorted values, interpolated between the nearest ranks."""
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _row(step: str, times: list[float], failures: int, seconds: float) -> dict[str, Any]:
    ordered = sorted(times)
    p99 = percentile(ordered, 0.99)
    latency_goal = step not in WITHOUT_LATENCY_GOAL
    met = failures == 0 and bool(ordered) and (not latency_goal or p99 <= GOAL_P99_MS)
    return {
        "step": step,
        "requests": len(ordered),
        "failures": failures,
        "throughput_rps": len(ordered) / seconds if seconds > 0 else 0.0,
        "p50_ms": percentile(ordered, 0.50),
        "p95_ms": percentile(ordered, 0.95),
        "p99_ms": p99,
        "max_ms": ordered[-1] if ordered else math.nan,
        "goal": f"0 errors, p99 ≤ {GOAL_P99_MS:.0f} ms" if latency_goal else "0 errors",
        "met": met,
    }


def summarize(raw: dict[str, Any]) -> dict[str, Any]:
    """The figures of one run from the locustfile's raw timings.

    `raw["samples"]` maps each step to [response time in ms, succeeded] pairs, and
    `raw["started"]`/`raw["ended"]` bound the measured run (seconds since the epoch).
    """
    samples: dict[str, list] = raw["samples"]
    seconds = max(float(raw["ended"]) - float(raw["started"]), 0.0)
    names = [step for step in STEPS if step in samples]
    names += sorted(set(samples) - set(STEPS))  # a step this table does not know yet
    rows = []
    for step in names:
        pairs = samples[step]
        rows.append(_row(step, [ms for ms, _ in pairs], sum(not ok for _, ok in pairs), seconds))
    every = [pair for step in names for pair in samples[step]]
    total = _row("Total", [ms for ms, _ in every], sum(not ok for _, ok in every), seconds)
    total["goal"] = "every step"
    total["met"] = bool(rows) and all(row["met"] for row in rows)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "settings": raw.get("settings", {}),
        "duration_s": seconds,
        "visits_completed": raw.get("visits_completed", 0),
        "rows": rows,
        "total": total,
        "goal_met": total["met"],
        "failure_messages": raw.get("failure_messages", {}),
        "harness_errors": raw.get("harness_errors", []),
        "cpu": raw.get("cpu", {}),
    }


def _for_json(value: Any) -> Any:
    """Figures to two decimals; JSON has no NaN, so one that could not be measured is null."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 2)
    if isinstance(value, dict):
        return {key: _for_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_for_json(item) for item in value]
    return value


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.0f}"


def format_table(summary: dict[str, Any]) -> str:
    """The figures as a plain-text table, with what the run was and where the CPU went."""
    header = ("step", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms", "goal",
              "met?")  # fmt: skip
    lines = []
    for row in [*summary["rows"], summary["total"]]:
        lines.append((
            row["step"], str(row["requests"]), str(row["failures"]),
            f"{row['throughput_rps']:.1f}", _ms(row["p50_ms"]), _ms(row["p95_ms"]),
            _ms(row["p99_ms"]), row["goal"], "met" if row["met"] else "NOT MET",
        ))  # fmt: skip
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]

    def render(cells) -> str:
        return "  ".join(
            cell.ljust(width) if i in (0, 7) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "-" * len(render(header))
    table = [render(header), rule, *map(render, lines[:-1]), rule, render(lines[-1])]
    settings = summary["settings"]
    intro = (
        f"Load test: {settings.get('users', '?')} users, {settings.get('visits', '?')} "
        f"visit(s) each, think time {settings.get('think', '?')} s, gunicorn "
        f"{settings.get('workers', '?')} workers, {summary['machine']['cpus']} CPUs; "
        f"{summary['visits_completed']} visits completed in {summary['duration_s']:.0f} s."
    )
    out = [intro, "", *table, ""]
    out.append(f"Goal (0 errors; p99 ≤ {GOAL_P99_MS:.0f} ms on every step but the PDF): "
               + ("met." if summary["goal_met"] else "NOT MET."))  # fmt: skip
    out += _cpu_lines(summary["cpu"], summary["duration_s"])
    for step, messages in summary["failure_messages"].items():
        for message, count in messages.items():
            out.append(f"Failure, {step}: {message} ({count} times)")
    for error in summary["harness_errors"]:
        out.append(f"Load test error: {error}")
    return "\n".join(out)


def _cpu_lines(cpu: dict[str, Any], seconds: float) -> list[str]:
    """Who used the CPU: on a shared machine, how much of it the server actually got."""
    if not cpu or seconds <= 0:
        return []
    parts = [
        f"{name} {used:.1f} s ({used / seconds:.2f} CPU)"
        for name, used in cpu.get("seconds", {}).items()
    ]
    return [
        f"CPU during the run: the machine was {cpu['busy_percent']:.0f}% busy "
        f"({cpu['cpus']} CPUs); CPU time: {', '.join(parts)}."
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", type=Path, help="the locustfile's raw timings (JSON)")
    parser.add_argument("--out", type=Path, required=True, help="where to write the figures")
    options = parser.parse_args(argv)
    try:
        raw = json.loads(options.samples.read_text())
    except (OSError, ValueError) as error:
        print(f"Load test: no timings to report ({error}).", file=sys.stderr)
        return 1
    summary = summarize(raw)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(_for_json(summary), indent=1, ensure_ascii=False) + "\n")
    print(format_table(summary))
    print(f"\nWritten to {options.out}.")
    ran = summary["total"]["requests"] > 0
    return 0 if ran and not summary["harness_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
