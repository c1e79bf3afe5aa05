"""What a decision record shows, computed from its frozen result: no database access."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advisor.engine import Framework
from advisor.presenters import answer_label
from decisions.models import Decision

NOT_AN_OPTION = "Not an option for this interaction"


@dataclass(frozen=True)
class Exclusion:
    """Why a pattern was not an option when the record was made: a hard rule it breaks
    ("rule"), or one of its premises that does not hold for this interaction ("premise")."""

    kind: str
    title: str
    reason: str

    @property
    def premise(self) -> bool:
        return self.kind == "premise"

    @property
    def sentence(self) -> str:
        """The exclusion on its own, as an option's note says it."""
        if self.premise:
            held = f"the premise “{self.title}” does not hold. " if self.title else ""
            return f"{NOT_AN_OPTION}: {held}{self.reason}"
        return self.detail

    @property
    def detail(self) -> str:
        """The exclusion after a headline that already says the choice was not an option."""
        if self.premise:
            held = f"The premise “{self.title}” does not hold. " if self.title else ""
            return f"{held}{self.reason}"
        if self.title:
            return f"Ruled out by the rule “{self.title}”: {self.reason}"
        return f"Ruled out: {self.reason}"


def exclusions_of(
    framework: Framework | None, result: Mapping[str, Any], pattern: str
) -> tuple[Exclusion, ...]:
    """`pattern`'s exclusions in a frozen result. Records frozen before premises existed
    hold vetoes without a kind (all hard rules) and sometimes without a title, which the
    record's `framework` then gives (without one, the reason speaks alone)."""
    return tuple(
        Exclusion(
            kind=veto.get("kind") or "rule",
            title=veto.get("title")
            or (_rule_title(framework, veto.get("rule", "")) if framework else ""),
            reason=veto["reason"],
        )
        for veto in result.get("vetoes", [])
        if veto["pattern"] == pattern
    )


def out_word(exclusions: tuple[Exclusion, ...]) -> str:
    """How a short label names a pattern that was not an option."""
    if exclusions and all(exclusion.premise for exclusion in exclusions):
        return "not an option"
    return "ruled out"


def _rule_title(framework: Framework, key: str) -> str:
    """The rule's title, or "" for a rule that has none (its reason then speaks alone)."""
    return next((rule.title for rule in framework.viability if rule.key == key), "")


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
    exclusions: tuple[Exclusion, ...]

    @property
    def out_word(self) -> str:
        return "" if self.viable else out_word(self.exclusions)


def considered_options(framework: Framework, decision: Decision) -> tuple[OptionRow, ...]:
    """The four patterns as the team saw them when recording: frozen scores, in rank order."""
    result = decision.result
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
                exclusions=exclusions_of(framework, result, key),
            )
        )  # fmt: skip
    return tuple(rows)


def pattern_name(framework: Framework, key: str) -> str:
    try:
        return framework.pattern(key).name
    except KeyError:
        return key


NOT_COUNTED = " (not counted: the question does not apply to this interaction)"


def answer_rows(
    framework: Framework, answers: dict, not_applicable: tuple[str, ...] | list[str] = ()
) -> tuple[tuple[str, str], ...]:
    """The answers in words; those to questions that did not apply are kept and marked."""
    rows = []
    for question in framework.questions:
        if answers.get(question.key) is not None:
            label = answer_label(framework, question.key, answers[question.key])
            if question.key in not_applicable:
                label += NOT_COUNTED
            rows.append((question.text, label))
    for numeric in framework.inputs:
        if answers.get(numeric.key) is not None:
            rows.append((numeric.label, f"{answers[numeric.key]:g} {numeric.unit}".strip()))
    return tuple(rows)
