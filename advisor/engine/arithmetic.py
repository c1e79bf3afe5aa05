"""The scoring arithmetic, written once: the evaluator and the sensitivity analysis both use it.

A framework is compiled into a `Plan` (its questions flattened into rows of point vectors,
its premises, hard rules and readiness), and four steps turn answers into a ranking:

1. `applicable`: questions whose `applies_when` fails are set aside (no points, never
   unanswered), and every later step sees the answers without them.
2. `row_points`: each answered row gives every pattern weight x points (the first case whose
   condition holds, else the choice's default).
3. `readiness_points`: a pattern loses points for the practices it needs that the team does
   not run yet (see framework.Readiness).
4. `ruled_out` and `rank`: premises and hard rules mark patterns as not an option; the best
   viable pattern leads, and if none is viable the framework's first pattern is the fallback.

Scores are normalised with `normalise`: 50 + 50 x raw / scale, where the scale is the sum of
the shares of what was answered (weight x the largest absolute points a row can give).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # the model imports this module to compile itself
    from advisor.engine.framework import Framework

READINESS = "readiness"  # the contribution key of operational readiness
EPSILON = 1e-9


class Contribution(NamedTuple):
    """Points one answer gives one pattern (weight included), and why."""

    question: str
    answer: Any
    points: float
    why: str

    def as_dict(self) -> dict:
        answer = list(self.answer) if isinstance(self.answer, tuple) else self.answer
        return {"question": self.question, "answer": answer, "points": self.points, "why": self.why}


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
    weight: float
    share: float  # weight x the largest absolute points: the row's part of the scale
    options: Any  # choice -> effects; for integers [(min, max, effects)]


class ReadinessPractice(NamedTuple):
    code: str
    title: str
    capability: str
    when: Any
    severity_for: Any


@dataclass(frozen=True)
class ReadinessPlan:
    weight: float
    positions: tuple[int, ...]  # the patterns it applies to
    practices: tuple[tuple[ReadinessPractice, ...], ...]  # per position above
    severity_points: Mapping[str, float]
    experience: str | None
    factors: Mapping[str, float]
    unanswered_factor: float
    share: float
    why: str
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
        points = max(ready.severity_points.values(), default=0.0)
        most = max((points * len(practices) for practices in ready.practices), default=0.0)
        per_capability = max(
            (
                points * sum(1 for p in practices if p.capability == capability)
                for practices in ready.practices
                for capability in {p.capability for p in practices}
            ),
            default=0.0,
        )
        swing = dict.fromkeys(ready.questions, ready.weight * max(factors) * most)
        swing[self.capabilities] = ready.weight * max(factors) * per_capability
        if ready.experience:
            swing[ready.experience] = ready.weight * (max(factors) - min(factors)) * most
        return swing

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
        rows.append(Row(question.key, question.kind, question.weight, share, options))
        referenced = {question.key} | question.applies_when.questions
        for option in question.choices or question.bands:
            for effect in option.effects:
                referenced |= effect.when.questions
        for key in referenced:
            dependents.setdefault(key, set()).add(index)

    rules, ruling = [], set()
    for pattern in framework.patterns:
        for premise in pattern.premises:
            veto = Veto(pattern.key, premise.key, premise.reason, premise.title, "premise")
            failing = premise.holds
            rules.append(
                (
                    lambda answers, holds=failing: not holds(answers),
                    (order.index(pattern.key),),
                    (veto,),
                )
            )
            ruling |= premise.holds.questions
    for rule in framework.viability:
        vetoes = tuple(Veto(p, rule.key, rule.reason, rule.title) for p in rule.rules_out)
        rules.append((rule.when.test, tuple(order.index(p) for p in rule.rules_out), vetoes))
        ruling |= rule.when.questions

    return Plan(
        patterns=order,
        rows=tuple(rows),
        conditional=_grouped_applicability(framework),
        applicability_keys=frozenset(
            key for question in framework.questions for key in question.applies_when.questions
        ),
        dependents={key: tuple(sorted(indexes)) for key, indexes in dependents.items()},
        rules=tuple(rules),
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
            ReadinessPractice(p.code, p.title, p.capability, p.when.test, _severity_of(p))
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
    worst = max(
        (
            sum(max(readiness.severity_points.values(), default=0.0) for _ in backed)
            for backed in practices
        ),
        default=0.0,
    )
    top_factor = max([readiness.unanswered_factor, *readiness.factors.values()])
    return ReadinessPlan(
        weight=readiness.weight,
        positions=tuple(positions),
        practices=tuple(practices),
        severity_points=readiness.severity_points,
        experience=readiness.experience,
        factors=readiness.factors,
        unanswered_factor=readiness.unanswered_factor,
        share=readiness.weight * worst * top_factor,
        why=readiness.why,
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


def applicable(plan: Plan, answers: Mapping[str, Any]) -> tuple[Mapping[str, Any], tuple]:
    """The answers every later step sees, and the keys of the questions that do not apply."""
    if not plan.conditional:
        return answers, ()
    away: tuple[str, ...] = ()
    for test, keys in plan.conditional:
        if not test(answers):
            away += keys
    if not away:
        return answers, ()
    return {key: value for key, value in answers.items() if key not in away}, away


def row_points(plan: Plan, row: Row, answers: Mapping[str, Any]) -> Effect | None:
    """The effect an answered row applies (multi-choice answers summed), or None."""
    answer = answers.get(row.key)
    if answer is None:
        return None
    kind = row.kind
    if kind == "single":
        effects = row.options[answer]
    elif kind == "multi":
        cache_key = (row.key, answer)
        effect = plan.multi_cache.get(cache_key)
        if effect is None:
            chosen = [row.options[choice][0] for choice in answer]
            size = len(plan.patterns)
            effect = Effect(
                None,
                tuple(sum(e.weighted[i] for e in chosen) for i in range(size)),
                tuple(sum(e.unweighted[i] for e in chosen) for i in range(size)),
                "",
            )
            if len(plan.multi_cache) < 4096:
                plan.multi_cache[cache_key] = effect
        return effect
    else:
        effects = next((e for low, high, e in row.options if low <= answer <= high), ())
    for effect in effects:
        if effect.condition is None or effect.condition(answers):
            return effect
    return None


class ReadinessGap(NamedTuple):
    """What readiness took from one pattern: raw points, before weight, and what is missing."""

    pattern: str
    points: float  # weighted, as in the raw score
    unweighted: float
    missing: tuple[tuple[str, str], ...]  # (practice code, title)
    factor: float


# Per readiness pattern: the capability-backed practices that apply to these answers and
# count, as (capability, code, title, points). Only the capabilities answer and the
# experience factor are needed on top, so changing either re-uses it.
Needs = tuple[tuple[tuple[str, str, str, float], ...], ...]


def readiness_needs(plan: Plan, answers: Mapping[str, Any]) -> Needs:
    """Which practices count for these answers. Only the answers the practices' conditions
    read decide it, so it is remembered by those answers."""
    ready = plan.readiness
    cache_key = tuple(answers.get(key) for key in ready.question_order)
    needs = plan.needs_cache.get(cache_key)
    if needs is None:
        needs = _readiness_needs(ready, answers)
        if len(plan.needs_cache) < 4096:
            plan.needs_cache[cache_key] = needs
    return needs


def _readiness_needs(ready: ReadinessPlan, answers: Mapping[str, Any]) -> Needs:
    counted = ready.severity_points
    return tuple(
        tuple(
            (practice.capability, practice.code, practice.title, points)
            for practice in practices
            if practice.when(answers)
            and (points := counted.get(practice.severity_for(answers), 0.0))
        )
        for practices in ready.practices
    )


def readiness_factor(plan: Plan, answers: Mapping[str, Any]) -> float:
    ready = plan.readiness
    experience = answers.get(ready.experience) if ready.experience else None
    return ready.unanswered_factor if experience is None else ready.factors.get(experience, 1.0)


def readiness_gaps(
    plan: Plan, needs: Needs, capabilities: tuple[str, ...], factor: float
) -> tuple[ReadinessGap, ...]:
    ready = plan.readiness
    scale = factor * ready.weight
    gaps = []
    for position, needed in zip(ready.positions, needs, strict=True):
        missing = []
        unweighted = 0.0
        for capability, code, title, points in needed:
            if capability not in capabilities:
                missing.append((code, title))
                unweighted -= points
        gaps.append(
            ReadinessGap(
                plan.patterns[position],
                round(unweighted * scale, 6),
                unweighted * factor,
                tuple(missing),
                factor,
            )
        )
    return tuple(gaps)


def readiness_vector(plan: Plan, answers: Mapping[str, Any]) -> tuple[float, ...] | None:
    """Readiness points in pattern order (what `readiness_points` adds up, without saying
    what is missing), or None while the team has not said what it runs: the hot path."""
    ready = plan.readiness
    if ready is None:
        return None
    capabilities = answers.get(plan.capabilities)
    if capabilities is None:
        return None
    scale = readiness_factor(plan, answers) * ready.weight
    points = [0.0] * len(plan.patterns)
    for position, needed in zip(ready.positions, readiness_needs(plan, answers), strict=True):
        total = 0.0
        for capability, _code, _title, value in needed:
            if capability not in capabilities:
                total += value
        points[position] = round((0.0 - total) * scale, 6)
    return tuple(points)


def readiness_points(plan: Plan, answers: Mapping[str, Any]) -> tuple[ReadinessGap, ...] | None:
    """Each readiness pattern's gap, or None while the team has not said what it runs."""
    if plan.readiness is None or answers.get(plan.capabilities) is None:
        return None
    return readiness_gaps(
        plan, readiness_needs(plan, answers), answers[plan.capabilities],
        readiness_factor(plan, answers),
    )  # fmt: skip


def ruled_out(plan: Plan, answers: Mapping[str, Any]) -> tuple[list[bool], list[Veto]]:
    """Which patterns are options (premises and hard rules), and why the others are not."""
    viable = [True] * len(plan.patterns)
    vetoes: list[Veto] = []
    for condition, positions, rule_vetoes in plan.rules:
        if condition(answers):
            for position in positions:
                viable[position] = False
            vetoes.extend(rule_vetoes)
    return viable, vetoes


def rank(patterns: tuple[str, ...], raw: list[float], viable: list[bool]) -> tuple[int, ...]:
    """Positions best first: viable before ruled out, then by score, then framework order."""
    return tuple(sorted(range(len(patterns)), key=lambda i: (not viable[i], -raw[i], i)))


def normalise(raw: float, scale: float) -> float:
    if scale == 0:
        return 50.0
    return round(50 + 50 * raw / scale, 1)


def margin(raw: list[float], order: tuple[int, ...], viable: list[bool], scale: float):
    """The lead of the first over the second viable pattern, in 0-100 points."""
    options = [i for i in order if viable[i]]
    if len(options) < 2:
        return None
    return round(normalise(raw[options[0]], scale) - normalise(raw[options[1]], scale), 1)


class Scored(NamedTuple):
    """The arithmetic of one answer set, before anything is explained."""

    effective: Mapping[str, Any]  # the answers without the questions that do not apply
    away: tuple[str, ...]  # the questions that do not apply
    chosen: tuple[tuple[Row, Any, Effect], ...]  # (row, answer, effect) per answered row
    readiness: tuple[float, ...] | None  # readiness points in pattern order, if any
    raw: list[float]
    scale: float
    viable: list[bool]
    vetoes: list[Veto]
    order: tuple[int, ...]  # positions, best first
    fallback: bool


def score(plan: Plan, answers: Mapping[str, Any]) -> Scored:
    """Raw scores, scale, viability and ranking of validated answers.

    The hot path of the engine: single-choice rows are chosen inline, and the points are
    summed column by column at the end (in row order, so the sums are those of a loop).
    """
    effective, away = applicable(plan, answers)
    get = effective.get
    chosen = []
    vectors = []
    scale = 0.0
    for row in plan.rows:
        answer = get(row.key)
        if answer is None:
            continue
        if row.kind == "single":
            for effect in row.options[answer]:
                if effect.condition is None or effect.condition(effective):
                    break
        else:
            effect = row_points(plan, row, effective)
            if effect is None:
                continue
        scale += row.share
        chosen.append((row, answer, effect))
        vectors.append(effect.weighted)
    readiness = readiness_vector(plan, effective)
    if readiness is not None:
        scale += plan.readiness.share
        vectors.append(readiness)
    if vectors:
        raw = [round(sum(column), 6) for column in zip(*vectors, strict=True)]
    else:
        raw = [0.0] * len(plan.patterns)
    viable, vetoes = ruled_out(plan, effective)
    order = rank(plan.patterns, raw, viable)
    fallback = not viable[order[0]]
    if fallback:  # the framework's first pattern heads the ranking it is recommended from
        order = (0, *(i for i in order if i != 0))
    return Scored(
        effective, away, tuple(chosen), readiness, raw, scale, viable, vetoes, order, fallback
    )
