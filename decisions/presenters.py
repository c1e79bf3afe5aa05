"""What a decision record shows, computed from its frozen result: no database access."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from advisor.engine import Framework
from advisor.presenters import answer_label
from decisions.models import Decision


@dataclass(frozen=True)
class OptionRow:
    key: str
    name: str
    score: float
    viable: bool
    chosen: bool
    recommended: bool
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    reasons: tuple[str, ...]


def considered_options(framework: Framework, decision: Decision) -> tuple[OptionRow, ...]:
    """The four patterns as the team saw them when recording: frozen scores, in rank order."""
    result = decision.result
    reasons: dict[str, list[str]] = {}
    for veto in result.get("vetoes", []):
        reasons.setdefault(veto["pattern"], []).append(veto["reason"])
    rows = []
    for key in result.get("ranking", []):
        try:
            pattern = framework.pattern(key)
            name, pros, cons = pattern.name, pattern.pros, pattern.cons
        except KeyError:  # a pattern the current framework no longer has
            name, pros, cons = key, (), ()
        rows.append(
            OptionRow(
                key=key, name=name, score=result["scores"][key],
                viable=result["viable"][key], chosen=key == decision.chosen_option,
                recommended=key == decision.recommended_option, pros=pros, cons=cons,
                reasons=tuple(reasons.get(key, ())),
            )
        )  # fmt: skip
    return tuple(rows)


def pattern_name(framework: Framework, key: str) -> str:
    try:
        return framework.pattern(key).name
    except KeyError:
        return key


def answer_rows(framework: Framework, answers: dict) -> tuple[tuple[str, str], ...]:
    rows = []
    for question in framework.questions:
        if answers.get(question.key) is not None:
            rows.append((question.text, answer_label(framework, question.key,
                                                     answers[question.key])))  # fmt: skip
    for numeric in framework.inputs:
        if answers.get(numeric.key) is not None:
            rows.append((numeric.label, f"{answers[numeric.key]:g} {numeric.unit}".strip()))
    return tuple(rows)


FIELD_LABELS = {
    "title": "Title", "status": "Status", "decided_on": "Decided on",
    "deciders": "Decision-makers", "consulted": "Consulted", "informed": "Informed",
    "context": "Context and problem statement", "drivers": "Decision drivers",
    "chosen_option": "Chosen option", "justification": "Justification",
    "good_consequences": "Good consequences", "bad_consequences": "Bad consequences",
    "confirmation": "Confirmation", "links": "Links", "supersedes": "Supersedes",
    "recommendation": "Advisor's recommendation", "framework": "Framework",
}  # fmt: skip


def revision_diff(framework: Framework, old: dict[str, Any], new: dict[str, Any]) -> list[dict]:
    """Field by field, what changed between two revisions, answers and scores included."""
    changes = []
    for field, label in FIELD_LABELS.items():
        before, after = old.get(field), new.get(field)
        if before == after:
            continue
        if isinstance(before, str) and isinstance(after, str) and "\n" in before + after:
            lines = list(difflib.unified_diff(
                before.splitlines(), after.splitlines(), lineterm="", n=1
            ))[2:]  # fmt: skip
            changes.append({"label": label, "lines": lines})
        else:
            changes.append({"label": label, "before": _plain(before), "after": _plain(after)})
    old_answers, new_answers = old.get("answers", {}), new.get("answers", {})
    for question in framework.questions:
        a, b = old_answers.get(question.key), new_answers.get(question.key)
        if a != b:
            changes.append({
                "label": f"Answer: {question.text}",
                "before": "not answered" if a is None else answer_label(framework, question.key, a),
                "after": "not answered" if b is None else answer_label(framework, question.key, b),
            })  # fmt: skip
    old_scores, new_scores = old.get("scores", {}), new.get("scores", {})
    for key in sorted(set(old_scores) | set(new_scores)):
        if old_scores.get(key) != new_scores.get(key):
            changes.append({
                "label": f"Score: {pattern_name(framework, key)}",
                "before": _plain(old_scores.get(key)), "after": _plain(new_scores.get(key)),
            })  # fmt: skip
    return changes


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)
