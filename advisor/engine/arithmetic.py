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
from typing import Any, NamedTuple

from advisor.engine.plan import (
    Effect,
    Plan,
    ReadinessPlan,
    Row,
    Veto,
)

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
    cache_key = tuple(map(answers.get, ready.question_order))
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
    return ready.unanswered_factor if experience is None else ready.factors[experience]


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


def readiness_toggles(plan: Plan, answers: Mapping[str, Any]) -> dict[str, tuple[float, ...]]:
    """For each capability the counted practices need: the readiness points each pattern
    gets back when the team puts it in place (what `readiness_vector` takes for it)."""
    ready = plan.readiness
    scale = readiness_factor(plan, answers) * ready.weight
    toggles: dict[str, list[float]] = {}
    for position, needed in zip(ready.positions, readiness_needs(plan, answers), strict=True):
        for capability, _code, _title, points in needed:
            vector = toggles.setdefault(capability, [0.0] * len(plan.patterns))
            vector[position] += points * scale
    return {capability: tuple(vector) for capability, vector in toggles.items()}


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
    for key, single, share, row in plan.fast_rows:
        answer = get(key)
        if answer is None:
            continue
        if single is not None:
            cases, effect = single[answer]
            if cases:
                for test, candidate in cases:
                    if test(effective):
                        effect = candidate
                        break
        else:
            effect = row_points(plan, row, effective)
            if effect is None:
                continue
        scale += share
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
