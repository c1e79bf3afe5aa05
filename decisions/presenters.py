"""What a decision record shows, computed from its frozen result: no database access."""

from __future__ import annotations

from dataclasses import dataclass

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
