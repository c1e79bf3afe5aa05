"""A framework compiled for scoring: its questions as rows of point vectors, its premises
and hard rules, and what readiness counts. Built once per framework (`Framework.plan`) and
read by the arithmetic in `arithmetic`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # the model imports this module to compile itself
    from advisor.engine.framework import Framework

READINESS = "readiness"  # the contribution key of operational readiness


class Veto(NamedTuple):
    """A pattern that is not an option: a hard rule ("rule") or an unmet premise ("premise")."""

    pattern: str
    rule: str
    reason: str
    title: str = ""
    kind: str = "rule"

    def as_dict(self) -> dict:
        return {
            "pattern": self.pattern,
            "rule": self.rule,
            "kind": self.kind,
            "title": self.title,
            "reason": self.reason,
        }


class Effect(NamedTuple):
    """One compiled effect of a choice: points as full vectors in pattern order."""

    condition: Any  # a compiled test of the answers, or None for the default
    weighted: tuple[float, ...]
    unweighted: tuple[float, ...]
    why: str


class Row(NamedTuple):
    key: str
    kind: str
    share: float  # weight x the largest absolute points: the row's part of the scale
    options: Any  # choice -> effects; for integers [(min, max, effects)]


class ReadinessPractice(NamedTuple):
    code: str
    title: str
    capability: str
    when: Any
    severity_for: Any
    most: float  # the most it can cost: its highest reachable severity's points


@dataclass(frozen=True)
class ReadinessPlan:
    weight: float
    positions: tuple[int, ...]  # the patterns it applies to
    practices: tuple[tuple[ReadinessPractice, ...], ...]  # per position above
    severity_points: Mapping[str, float]
    experience: str | None
    factors: Mapping[str, float]
    unanswered_factor: float
    # The most readiness can take from one pattern before weight and factor (every practice
    # missing, at its worst), and its part of the normalisation scale.
    most: float
    share: float
    # The answers the practices' conditions read: a change to one re-checks which apply.
    questions: frozenset[str]

    @cached_property
    def question_order(self) -> tuple[str, ...]:
        return tuple(sorted(self.questions))


@dataclass(frozen=True)
class Plan:
    patterns: tuple[str, ...]
    rows: tuple[Row, ...]
    # The distinct applies_when tests, each with the questions it decides.
    conditional: tuple[tuple[Any, tuple[str, ...]], ...]
    applicability_keys: frozenset[str]  # questions an applies_when refers to
    dependents: Mapping[str, tuple[int, ...]]  # key -> rows whose points can change with it
    rules: tuple[tuple[Any, tuple[int, ...], tuple[Veto, ...]], ...]  # condition, out, vetoes
    rule_questions: tuple[frozenset[str], ...]  # per rule, the questions its condition reads
    ruling_keys: frozenset[str]  # questions premises and hard rules refer to
    capabilities: str | None
    readiness: ReadinessPlan | None
    multi_cache: dict = field(default_factory=dict, compare=False, repr=False)
    needs_cache: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def readiness_swing(self) -> dict[str, float]:
        """For each question readiness depends on: the most one change of its answer can
        move a pattern's readiness points."""
        ready = self.readiness
        if ready is None:
            return {}
        factors = [ready.unanswered_factor, *ready.factors.values()]
        per_capability = max(
            (
                sum(p.most for p in practices if p.capability == capability)
                for practices in ready.practices
                for capability in {p.capability for p in practices}
            ),
            default=0.0,
        )
        # A question the practices' conditions read can move everything (the share is the
        # whole of it); otherwise one capability moves only the practices it backs, and
        # experience only the factor.
        swing = dict.fromkeys(ready.questions, ready.share)
        if self.capabilities not in ready.questions:
            swing[self.capabilities] = ready.weight * max(factors) * per_capability
        if ready.experience and ready.experience not in ready.questions:
            swing[ready.experience] = ready.weight * (max(factors) - min(factors)) * ready.most
        return swing

    @cached_property
    def fast_rows(self) -> tuple:
        """The rows as plain tuples for `score`: (key, single-choice options or None, share,
        row). A single-choice option is (cases, default effect), cases being (test, effect)
        pairs tried in order."""
        rows = []
        for row in self.rows:
            single = None
            if row.kind == "single":
                single = {
                    choice: (
                        tuple((e.condition, e) for e in effects if e.condition is not None),
                        next(e for e in effects if e.condition is None),
                    )
                    for choice, effects in row.options.items()
                }
            rows.append((row.key, single, row.share, row))
        return tuple(rows)

    @cached_property
    def pair_gains(self) -> tuple:
        """Per row, per pair of patterns (a, b): the most b can get over a from the row's
        points (best[row][a][b]), and from one choice of a multi-choice row (toggle)."""
        size = range(len(self.patterns))
        best, toggle = [], []
        for vectors in self.row_vectors:
            best.append([[max(v[b] - v[a] for v in vectors) for b in size] for a in size])
            toggle.append([[max(abs(v[b] - v[a]) for v in vectors) for b in size] for a in size])
        return best, toggle

    @cached_property
    def rules_reading(self) -> dict[str, frozenset[int]]:
        """For each question, the premises and hard rules (by index) whose condition reads it."""
        reading: dict[str, set[int]] = {}
        for index, questions in enumerate(self.rule_questions):
            for key in questions:
                reading.setdefault(key, set()).add(index)
        return {key: frozenset(indexes) for key, indexes in reading.items()}

    @cached_property
    def row_of(self) -> dict[str, int]:
        return {row.key: index for index, row in enumerate(self.rows)}

    @cached_property
    def row_vectors(self) -> tuple[tuple[tuple[float, ...], ...], ...]:
        """Every point vector each row can give (per choice for a multi-choice row)."""
        vectors = []
        for row in self.rows:
            if row.kind == "integer":
                groups = [effects for _low, _high, effects in row.options]
            else:
                groups = list(row.options.values())
            vectors.append(tuple(effect.weighted for effects in groups for effect in effects))
        return tuple(vectors)


def _vector(order: tuple[str, ...], points: Mapping[str, float], factor: float) -> tuple:
    return tuple(points.get(pattern, 0.0) * factor for pattern in order)


def compile_plan(framework: Framework) -> Plan:
    order = framework.pattern_keys

    def effects_of(effects, weight: float) -> tuple[Effect, ...]:
        return tuple(
            Effect(
                None if not effect.when.text else effect.when.test,
                _vector(order, effect.points, weight),
                _vector(order, effect.points, 1.0),
                effect.why,
            )
            for effect in effects
        )

    rows, dependents = [], {}
    for index, question in enumerate(framework.questions):
        if question.kind == "integer":
            options: Any = [
                (band.minimum, band.maximum, effects_of(band.effects, question.weight))
                for band in question.bands
            ]
        else:
            options = {c.key: effects_of(c.effects, question.weight) for c in question.choices}
        share = question.weight * question.max_points
        rows.append(Row(question.key, question.kind, share, options))
        referenced = {question.key} | question.applies_when.questions
        for option in question.choices or question.bands:
            for effect in option.effects:
                referenced |= effect.when.questions
        for key in referenced:
            dependents.setdefault(key, set()).add(index)

    rules, ruling, rule_questions = [], set(), []
    for pattern in framework.patterns:
        for premise in pattern.premises:
            veto = Veto(pattern.key, premise.key, premise.reason, premise.title, "premise")
            rules.append((premise.holds.negated().test, (order.index(pattern.key),), (veto,)))
            ruling |= premise.holds.questions
            rule_questions.append(premise.holds.questions)
    for rule in framework.viability:
        vetoes = tuple(Veto(p, rule.key, rule.reason, rule.title) for p in rule.rules_out)
        rules.append((rule.when.test, tuple(order.index(p) for p in rule.rules_out), vetoes))
        ruling |= rule.when.questions
        rule_questions.append(rule.when.questions)

    return Plan(
        patterns=order,
        rows=tuple(rows),
        conditional=_grouped_applicability(framework),
        applicability_keys=frozenset(
            key for question in framework.questions for key in question.applies_when.questions
        ),
        dependents={key: tuple(sorted(indexes)) for key, indexes in dependents.items()},
        rules=tuple(rules),
        rule_questions=tuple(rule_questions),
        ruling_keys=frozenset(ruling),
        capabilities=framework.capabilities,
        readiness=_readiness_plan(framework),
    )


def _grouped_applicability(framework: Framework) -> tuple:
    groups: dict[str, tuple[Any, list[str]]] = {}
    for question in framework.questions:
        condition = question.applies_when
        if condition.text:
            groups.setdefault(condition.text, (condition.test, []))[1].append(question.key)
    return tuple((test, tuple(keys)) for test, keys in groups.values())


def _readiness_plan(framework: Framework) -> ReadinessPlan | None:
    readiness = framework.readiness
    if readiness is None or framework.capabilities is None:
        return None
    order = framework.pattern_keys
    positions, practices, questions = [], [], set()
    for pattern in readiness.patterns:
        backed = tuple(
            ReadinessPractice(
                p.code,
                p.title,
                p.capability,
                p.when.test,
                _severity_of(p),
                max(
                    readiness.severity_points.get(severity, 0.0)
                    for severity in (p.severity, *(value for _, value in p.severity_cases))
                ),
            )
            for p in framework.practices.get(pattern, ())
            if p.capability is not None
        )
        for practice in framework.practices.get(pattern, ()):
            if practice.capability is None:
                continue  # not counted by readiness
            questions |= practice.when.questions
            for condition, _severity in practice.severity_cases:
                questions |= condition.questions
        positions.append(order.index(pattern))
        practices.append(backed)
    most = max((sum(p.most for p in backed) for backed in practices), default=0.0)
    top_factor = max([readiness.unanswered_factor, *readiness.factors.values()])
    return ReadinessPlan(
        weight=readiness.weight,
        positions=tuple(positions),
        practices=tuple(practices),
        severity_points=readiness.severity_points,
        experience=readiness.experience,
        factors=readiness.factors,
        unanswered_factor=readiness.unanswered_factor,
        most=most,
        share=readiness.weight * most * top_factor,
        questions=frozenset(questions),
    )


def _severity_of(practice) -> Any:
    """The practice's severity for given answers, as one closure over compiled tests."""
    cases = tuple((condition.test, severity) for condition, severity in practice.severity_cases)
    default = practice.severity
    if not cases:
        return lambda answers: default

    def severity(answers: Mapping[str, Any]) -> str:
        for test, value in cases:
            if test(answers):
                return value
        return default

    return severity
