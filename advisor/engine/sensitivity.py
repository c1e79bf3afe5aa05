"""How robust a recommendation is.

Weights
    For each answered question: how far its weight must move (up or down, never below zero)
    before another viable pattern overtakes the recommendation, and which one. Raw scores are
    linear in each weight, so the crossover is exact: if the recommendation T leads pattern P
    by D raw points and the question gives T d more unweighted points than P, P catches up
    when the weight moves by -D/d. The question needing the smallest relative change is the
    most critical.

Answers
    Every single change of one answer (another choice, a value in another band, adding or
    removing one capability, or answering an unanswered question) is re-scored; the ones
    that change the recommendation are listed with the new recommendation and its margin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.engine.arithmetic import (
    EPSILON,
    Plan,
    Scored,
    applicable,
    margin,
    rank,
    readiness_vector,
    row_points,
    ruled_out,
)
from advisor.engine.framework import Framework
from advisor.engine.tally import Tally


def weight_crossovers(framework: Framework, current: Tally) -> list[dict]:
    """For each answered question, the nearest weight at which another pattern takes over.

    At `crossover_weight` the two patterns tie; just past it the rival wins. Rivals already
    tied with the recommendation are left out here: `tied_with` in the analysis names them.
    """
    if current.fallback:
        return []
    top = current.recommendation
    position = {pattern: index for index, pattern in enumerate(framework.pattern_keys)}
    rivals = [
        p for p in current.ranking
        if p != top and current.viable[p] and current.raw[top] - current.raw[p] > EPSILON
    ]  # fmt: skip
    crossovers = []
    for key, weight in framework.factor_weights.items():
        points = current.unweighted.get(key)
        if points is None or weight == 0:
            continue
        best: tuple[float, str] | None = None
        for rival in rivals:
            lead = current.raw[top] - current.raw[rival]
            gap = points[position[top]] - points[position[rival]]
            if gap == 0:
                continue
            change = -lead / gap
            if weight + change <= 0:
                continue  # the rival would need a weight of zero or less
            if best is None or abs(change) < abs(best[0]):
                best = (change, rival)
        if best is None:
            continue
        change, rival = best
        crossovers.append(
            {
                "question": key,
                "weight": weight,
                "crossover_weight": round(weight + change, 3),
                "change": round(change, 3),
                "relative_change": round(abs(change) / weight, 3),
                "flips_to": rival,
            }
        )
    crossovers.sort(key=lambda item: (item["relative_change"], item["question"]))
    return crossovers


def tied_with(current: Tally) -> list[str]:
    """Viable patterns with exactly the recommendation's score (the framework's order decided)."""
    if current.fallback:
        return []
    top = current.recommendation
    return [
        p for p in current.ranking
        if p != top and current.viable[p] and abs(current.raw[top] - current.raw[p]) <= EPSILON
    ]  # fmt: skip


def _alternatives(framework: Framework, answers: Mapping[str, Any], away: tuple[str, ...]):
    """(question, from, to) for every single change of one answer to a question that applies."""
    for question in framework.questions:
        if question.key in away:
            continue  # changing it would change nothing
        current = answers.get(question.key)
        if question.kind == "single":
            for choice in question.choice_keys:
                if choice != current:
                    yield question.key, current, choice
        elif question.kind == "multi":
            chosen = tuple(current or ())
            for choice in question.choice_keys:
                if choice in chosen:
                    changed = tuple(c for c in chosen if c != choice)
                else:
                    changed = tuple(c for c in question.choice_keys if c in chosen or c == choice)
                yield question.key, list(chosen), changed
        else:
            current_band = question.band_for(current) if current is not None else None
            for band in question.bands:
                if band is not current_band:
                    yield question.key, current, band.minimum


class _Rescorer:
    """Re-scores one changed answer from the current scores, touching only what can move:
    the rows that depend on the question (and those whose `applies_when` it changes),
    readiness if it depends on it, and the premises and hard rules if they mention it."""

    def __init__(self, plan: Plan, answers: Mapping[str, Any], scored: Scored) -> None:
        self.plan, self.answers, self.scored = plan, answers, scored
        self.effective = scored.effective
        self.base = dict(scored.effective)
        self.before = [row_points(plan, row, self.effective) for row in plan.rows]
        self.zero = (0.0,) * len(plan.patterns)
        self.away = frozenset(scored.away)
        ready = plan.readiness
        self.readiness_keys = frozenset()
        if ready is not None:
            self.readiness_keys = ready.questions | {plan.capabilities, ready.experience}
        self.readiness_before = scored.readiness if scored.readiness is not None else self.zero

    def rescore(self, key: str, after: Any) -> tuple[list[float], list[bool], float]:
        plan, scored = self.plan, self.scored
        rows = plan.rows
        indexes: Any = plan.dependents.get(key, ())
        if key in plan.applicability_keys:
            changed = dict(self.answers)
            changed[key] = after
            effective, away = applicable(plan, changed)
            moved = self.away.symmetric_difference(away)
            if moved:
                indexes = set(indexes) | {plan.row_of[moved_key] for moved_key in moved}
        else:
            effective = self.base
            effective[key] = after
        raw = scored.raw
        scale = scored.scale
        for index in indexes:
            old, new = self.before[index], row_points(plan, rows[index], effective)
            if old is new:
                continue
            if old is None:
                scale += rows[index].share
            elif new is None:
                scale -= rows[index].share
            new_points = new.weighted if new else self.zero
            old_points = old.weighted if old else self.zero
            raw = [r + (n - o) for r, n, o in zip(raw, new_points, old_points, strict=True)]
        if key in self.readiness_keys or (key in plan.applicability_keys and plan.readiness):
            now = readiness_vector(plan, effective)
            if (now is None) != (scored.readiness is None):
                scale += plan.readiness.share if now is not None else -plan.readiness.share
            now = now if now is not None else self.zero
            raw = [r + (n - o) for r, n, o in zip(raw, now, self.readiness_before, strict=True)]
        viable = ruled_out(plan, effective)[0] if key in plan.ruling_keys else scored.viable
        if effective is self.base:
            if key in self.effective:
                self.base[key] = self.effective[key]
            else:
                del self.base[key]
        return raw, viable, scale


def _settled(plan: Plan, scored: Scored, before: list) -> set[str]:
    """Questions no single change of which can overturn the recommendation.

    For each viable rival, a change of question q can gain on the recommendation at most
    what each row q moves could gain (the best of the row's point vectors against the one
    it gives now) plus what readiness could. When that is short of the rival's gap for
    every rival, q is settled. Questions that can change what is an option, or which
    questions apply, are never settled.
    """
    top = scored.order[0]
    rivals = [i for i in range(len(plan.patterns)) if scored.viable[i] and i != top]
    if scored.fallback or not rivals:
        return set()
    raw = scored.raw
    vectors = plan.row_vectors
    gains: list[list[float]] = []  # per row, per rival: the most a change of the row gains
    toggles: list[list[float]] = []  # the same for one toggled choice of a multi-choice row
    zero = (0.0,) * len(plan.patterns)
    for index, row in enumerate(plan.rows):
        now = before[index].weighted if before[index] is not None else zero
        gains.append(
            [max(v[r] - v[top] for v in vectors[index]) - (now[r] - now[top]) for r in rivals]
        )
        if row.kind == "multi":
            toggles.append([max(abs(v[r] - v[top]) for v in vectors[index]) for r in rivals])
        else:
            toggles.append(gains[-1])
    ready = plan.readiness
    unsettled = plan.applicability_keys | plan.ruling_keys
    if ready is not None and scored.readiness is None:
        unsettled = unsettled | {plan.capabilities}  # answering it brings in readiness
    settled = set()
    for key, indexes in plan.dependents.items():
        if key in unsettled:
            continue
        # Readiness can move the rival up and the recommendation down.
        extra = 2 * plan.readiness_swing.get(key, 0.0) if scored.readiness is not None else 0.0
        reachable = False
        for position, rival in enumerate(rivals):
            gain = extra
            for index in indexes:
                table = toggles if plan.rows[index].key == key else gains
                if plan.rows[index].key != key and before[index] is None:
                    continue
                gain += table[index][position]
            if gain + EPSILON >= raw[top] - raw[rival]:
                reachable = True
                break
        if not reachable:
            settled.add(key)
    return settled


def _winner(raw: list[float], viable: list[bool]) -> int:
    """The position `rank` would put first, rounding (as scores are) only to break near-ties."""
    options = [i for i in range(len(raw)) if viable[i]]
    if not options:
        return 0  # the fallback
    best = max(raw[i] for i in options)
    near = [i for i in options if raw[i] > best - 2e-6]
    if len(near) == 1:
        return near[0]
    return max(near, key=lambda i: (round(raw[i], 6), -i))


def answer_flips(framework: Framework, answers: Mapping[str, Any], current: Tally) -> list[dict]:
    """Every single change of one answer that changes the recommendation."""
    plan = framework.plan
    patterns = plan.patterns
    scored = current.scored
    rescorer = _Rescorer(plan, answers, scored)
    settled = _settled(plan, scored, rescorer.before)
    flips = []
    for key, was, after in _alternatives(framework, answers, scored.away):
        if key in settled:
            continue
        raw, viable, scale = rescorer.rescore(key, after)
        winner = patterns[_winner(raw, viable)]
        if winner != current.recommendation:
            raw = [round(value, 6) for value in raw]
            flips.append(
                {
                    "question": key,
                    "from": was,
                    "to": list(after) if isinstance(after, tuple) else after,
                    "recommendation": winner,
                    "margin": margin(raw, rank(patterns, raw, viable), viable, scale),
                }
            )
    return flips


def analyse(framework: Framework, answers: Mapping[str, Any], current: Tally) -> dict:
    weights = weight_crossovers(framework, current)
    flips = answer_flips(framework, answers, current)
    return {
        "weights": weights,
        "most_critical_weight": weights[0]["question"] if weights else None,
        "tied_with": tied_with(current),
        "answer_flips": flips,
        "stable": not flips,
    }
