"""The framework as data: the compiled model the engine scores with.

`framework_reader` validates and compiles a definition into it; `framework_files` loads one
from disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from advisor.engine.conditions import (
    ALWAYS,
    Condition,
)

SEVERITIES = ("high", "medium", "low")
# Figures the engine derives from the answers, usable in warning and practice conditions.
DERIVED_FIGURES = ("estimated_p99_ms", "estimated_drain_seconds")
# Placeholders a warning or practice message may use besides question and input keys.
MESSAGE_FIGURES = ("hops", "tail_p50_ms", "tail_p99_ms", "p_hit_any_pct", "drain_hours")
QUESTION_KINDS = ("single", "multi", "integer")


@dataclass(frozen=True)
class Effect:
    """Points a choice gives each pattern (before the question's weight), and why."""

    points: Mapping[str, float]
    why: str
    when: Condition = ALWAYS


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    help: str
    effects: tuple[Effect, ...]  # the first whose condition holds applies (see scoring)


@dataclass(frozen=True)
class Band:
    """A range of an integer question's values that scores alike."""

    minimum: int
    maximum: int
    label: str
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class Question:
    key: str
    section: str
    text: str
    help: str
    example: str
    kind: str
    weight: float
    choices: tuple[Choice, ...] = ()
    bands: tuple[Band, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    # weight x this is the question's share of the normalisation scale (see scoring).
    max_points: float = 0.0

    @property
    def choice_keys(self) -> tuple[str, ...]:
        return tuple(choice.key for choice in self.choices)

    def band_for(self, value: int) -> Band | None:
        for band in self.bands:
            if band.minimum <= value <= band.maximum:
                return band
        return None

    def max_abs_points(self) -> float:
        """The largest absolute points any answer can give any pattern (before weight)."""
        options = self.choices or self.bands
        best = 0.0
        for option in options:
            for effect in option.effects:
                best = max(best, *(abs(p) for p in effect.points.values()), 0.0)
        if self.kind == "multi":
            # Several choices add up: the scale is the best total for one pattern.
            totals: dict[str, float] = {}
            for choice in self.choices:
                for pattern, points in choice.effects[0].points.items():
                    totals[pattern] = totals.get(pattern, 0.0) + abs(points)
            best = max(totals.values(), default=0.0)
        return best


@dataclass(frozen=True)
class NumericInput:
    key: str
    label: str
    help: str
    unit: str
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Pattern:
    key: str
    name: str
    summary: str
    broker_based: bool
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    good_consequences: tuple[str, ...]
    bad_consequences: tuple[str, ...]


@dataclass(frozen=True)
class ViabilityRule:
    key: str
    when: Condition
    rules_out: tuple[str, ...]
    reason: str
    title: str


@dataclass(frozen=True)
class WarningRule:
    code: str
    severity: str
    patterns: tuple[str, ...]
    when: Condition
    message: str
    title: str


@dataclass(frozen=True)
class Practice:
    """A practice a pattern needs, checked against the team's capabilities."""

    code: str
    title: str
    capability: str | None
    severity: str
    when: Condition
    severity_cases: tuple[tuple[Condition, str], ...]
    message: str

    def severity_for(self, answers: Mapping[str, Any]) -> str:
        for condition, severity in self.severity_cases:
            if condition(answers):
                return severity
        return self.severity


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str


@dataclass(frozen=True)
class Framework:
    name: str
    version: int
    title: str
    description: str
    patterns: tuple[Pattern, ...]
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    inputs: tuple[NumericInput, ...]
    viability: tuple[ViabilityRule, ...]
    warnings: tuple[WarningRule, ...]
    practices: Mapping[str, tuple[Practice, ...]]
    estimators: Mapping[str, Mapping[str, float]]
    # The questions that must be answered before the scores count as advice.
    advice_requires: tuple[str, ...] = ()

    @property
    def pattern_keys(self) -> tuple[str, ...]:
        return tuple(pattern.key for pattern in self.patterns)

    def pattern(self, key: str) -> Pattern:
        for pattern in self.patterns:
            if pattern.key == key:
                return pattern
        raise KeyError(key)

    def question(self, key: str) -> Question:
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)

    @cached_property
    def questions_by_key(self) -> dict[str, Question]:
        return {question.key: question for question in self.questions}

    @cached_property
    def inputs_by_key(self) -> dict[str, NumericInput]:
        return {numeric.key: numeric for numeric in self.inputs}

    @cached_property
    def scoring_dependents(self) -> dict[str, tuple[int, ...]]:
        """For each question key, the scoring-table rows whose points can change with it:
        its own row and every row with a case that mentions it."""
        rows: dict[str, set[int]] = {}
        for index, question in enumerate(self.questions):
            rows.setdefault(question.key, set()).add(index)
            for option in question.choices or question.bands:
                for effect in option.effects:
                    for referenced in effect.when.questions:
                        rows.setdefault(referenced, set()).add(index)
        return {key: tuple(sorted(indexes)) for key, indexes in rows.items()}

    @cached_property
    def scoring_table(self) -> tuple:
        """The questions flattened for fast scoring: points as tuples in pattern order.

        One row per question: (key, kind, weight, scale share, options), where options maps
        a choice key (or, for integer questions, is a list of (min, max, effects)) to its
        effects as (condition or None, moved patterns, why).
        """
        order = self.pattern_keys

        def flat(effects: tuple[Effect, ...], weight: float) -> tuple:
            # Only the patterns an effect moves, as (index, points, points x weight).
            return tuple(
                (
                    None if effect.when is ALWAYS else effect.when,
                    tuple(
                        (index, effect.points[pattern], effect.points[pattern] * weight)
                        for index, pattern in enumerate(order)
                        if effect.points.get(pattern)
                    ),
                    effect.why,
                )
                for effect in effects
            )

        rows = []
        for question in self.questions:
            if question.kind == "integer":
                options: Any = [
                    (band.minimum, band.maximum, flat(band.effects, question.weight))
                    for band in question.bands
                ]
            else:
                options = {
                    choice.key: flat(choice.effects, question.weight) for choice in question.choices
                }
            rows.append(
                (
                    question.key,
                    question.kind,
                    question.weight,
                    question.weight * question.max_points,
                    options,
                )
            )
        return tuple(rows)
