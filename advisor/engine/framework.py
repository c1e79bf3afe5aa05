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
from advisor.engine.plan import READINESS, Plan, compile_plan

SEVERITIES = ("high", "medium", "low")
# Figures the engine derives from the answers, usable in warning and practice conditions.
DERIVED_FIGURES = ("estimated_p99_ms", "estimated_drain_seconds", "estimated_net_drain_per_s")
# Placeholders a warning or practice message may use besides question and input keys.
MESSAGE_FIGURES = (
    "hops", "tail_p50_ms", "tail_p99_ms", "p_hit_any_pct", "drain_hours", "backlog_growth_per_hour",
)  # fmt: skip
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
    # When the question applies at all (ALWAYS unless the framework says otherwise); a
    # question that does not apply is folded away, never unanswered, and gives no points.
    applies_when: Condition = ALWAYS
    applies_note: str = ""
    # weight x this is the question's share of the normalisation scale (see scoring).
    max_points: float = 0.0

    @cached_property
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
    # Another input this one may not be below (a p99 is never under its p50).
    at_least: str | None = None


@dataclass(frozen=True)
class Premise:
    """A condition under which a pattern is an option for an interaction at all."""

    key: str
    title: str
    holds: Condition
    reason: str  # why the pattern is not an option when the premise does not hold


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
    premises: tuple[Premise, ...] = ()


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
    # (condition, message): the first that holds replaces `message`, so the text can say
    # exactly what is missing.
    message_cases: tuple[tuple[Condition, str], ...] = ()

    def message_for(self, answers: Mapping[str, Any]) -> str:
        for condition, message in self.message_cases:
            if condition(answers):
                return message
        return self.message


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
    # In place when this holds, whatever the capabilities say (e.g. a budget was entered).
    in_place_when: Condition | None = None

    def severity_for(self, answers: Mapping[str, Any]) -> str:
        for condition, severity in self.severity_cases:
            if condition(answers):
                return severity
        return self.severity


@dataclass(frozen=True)
class Readiness:
    """How a pattern loses ground for the practices it needs that the team does not run yet.

    For each pattern listed, every practice backed by a capability that applies, is missing
    and has a counted severity costs `severity_points[severity]`, times the factor of the
    team's answer to `experience` (`unanswered_factor` when unanswered), times `weight`.
    Applies only once the capabilities question is answered: before that, nothing is known.
    """

    title: str
    weight: float
    patterns: tuple[str, ...]
    severity_points: Mapping[str, float]
    experience: str | None
    factors: Mapping[str, float]
    unanswered_factor: float
    # Text of the contribution: {missing} is the list of practice titles, {experience} the
    # team's answer in words.
    why: str


@dataclass(frozen=True)
class TailLatencySettings:
    hops: str  # the integer question holding the number of synchronous hops
    p50_ms: str | None  # the numeric inputs for a hop's median and 99th percentile
    p99_ms: str | None
    default_p50_ms: float = 50.0
    default_p99_ratio: float = 5.0


@dataclass(frozen=True)
class BacklogSettings:
    messages: str  # the numeric inputs: backlog size, processing and arrival rates
    processing_rate: str
    arrival_rate: str | None


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
    tail_latency: TailLatencySettings | None
    backlog: BacklogSettings | None
    # The multi-choice question listing the practices the team runs (practices' capabilities).
    capabilities: str | None = None
    readiness: Readiness | None = None
    # The questions that must be answered before the scores count as advice.
    advice_requires: tuple[str, ...] = ()

    @cached_property
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
    def plan(self) -> Plan:
        """The framework compiled for scoring (see arithmetic)."""
        return compile_plan(self)

    @cached_property
    def factor_weights(self) -> dict[str, float]:
        """Every weighted scoring factor: the questions, then readiness if there is one."""
        weights = {question.key: question.weight for question in self.questions}
        if self.readiness is not None:
            weights[READINESS] = self.readiness.weight
        return weights

    def factor_title(self, key: str) -> str:
        """What people read for a scoring factor: a question's text, or readiness's title."""
        question = self.questions_by_key.get(key)
        if question is not None:
            return question.text
        if self.readiness is not None and key == READINESS:
            return self.readiness.title
        return key
