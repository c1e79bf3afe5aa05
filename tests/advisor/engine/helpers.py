"""Small helpers for engine tests: no database, no Django."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

from advisor.engine import evaluate, load_framework, parse_answers, parse_framework
from advisor.engine.framework_files import FRAMEWORKS_DIR


@cache
def default_framework():
    return load_framework("default")


def default_source() -> dict:
    """A fresh, editable copy of the default framework's JSON."""
    return copy.deepcopy(json.loads((FRAMEWORKS_DIR / "default.json").read_text()))


def run(answers: dict, *, pattern: str | None = None, framework=None, **kwargs):
    framework = framework or default_framework()
    return evaluate(framework, parse_answers(framework, answers), pattern=pattern, **kwargs)


def warning_codes(answers: dict, pattern: str) -> set[str]:
    return {warning.code for warning in run(answers, pattern=pattern).warnings}


def practice(answers: dict, pattern: str, code: str, **kwargs):
    found = [p for p in run(answers, pattern=pattern, **kwargs).practices if p.code == code]
    return found[0] if found else None


def with_weight(question: str, weight: float):
    """The default framework with one factor's weight changed (a question, or readiness)."""
    source = default_source()
    if question == "readiness":
        source["readiness"]["weight"] = weight
    for item in source["questions"]:
        if item["key"] == question:
            item["weight"] = weight
    return parse_framework(source)


SCENARIO_DIRS = [
    Path(__file__).resolve().parents[3].parent / "shared" / "framework" / "examples",
    Path(__file__).resolve().parent / "scenarios",
]


def scenario_files() -> list[Path]:
    """The shared examples, plus the copies kept with the tests for a checkout without them."""
    seen: dict[str, Path] = {}
    for directory in SCENARIO_DIRS:
        for path in sorted(directory.glob("*.json")):
            seen.setdefault(path.name, path)
    return [seen[name] for name in sorted(seen)]
