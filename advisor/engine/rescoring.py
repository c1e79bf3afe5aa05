"""Re-scoring one changed answer, for the sensitivity analysis.

`Rescorer` starts from an answer set's scores and re-computes only what a change of one
answer can move; `settled_questions` finds the questions no single change of which can
overturn the recommendation, so they need not be re-scored at all. Both are checked
against re-scoring from scratch in the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.engine.arithmetic import (
    EPSILON,
    Plan,
    Scored,
    applicable,
    readiness_toggles,
    readiness_vector,
    row_points,
    ruled_out,
)


class Rescorer:
    """Re-scores one changed answer from the current scores, touching only what can move:
    the rows that depend on the question (and those whose `applies_when` it changes),
    readiness if it depends on it, and the premises and hard rules if they mention it."""

    def __init__(self, plan: Plan, answers: Mapping[str, Any], scored: Scored) -> None:
        self.plan, self.answers, self.scored = plan, answers, scored
        self.effective = scored.effective
        self.base = dict(scored.effective)
        # What each row gives now: the effects the score chose (None where unanswered).
        self.before: list = [None] * len(plan.rows)
        for row, _answer, effect in scored.chosen:
            self.before[plan.row_of[row.key]] = effect
        self.zero = (0.0,) * len(plan.patterns)
        self.away = frozenset(scored.away)
        ready = plan.readiness
        self.readiness_keys = frozenset()
        if ready is not None:
            self.readiness_keys = ready.questions | {plan.capabilities, ready.experience}
        self.readiness_before = scored.readiness if scored.readiness is not None else self.zero
        self.rule_state = [bool(condition(self.effective)) for condition, _, _ in plan.rules]
        self._toggles: dict[str, tuple[float, ...]] | None = None

    def capability_points(self, capability: str) -> tuple[float, ...]:
        """Readiness points each pattern gets back when `capability` is put in place."""
        if self._toggles is None:
            self._toggles = readiness_toggles(self.plan, self.effective)
        return self._toggles.get(capability, self.zero)

    def viable(self, key: str, effective: Mapping[str, Any]) -> list[bool]:
        """Viability with only the premises and rules that read `key` re-checked."""
        plan = self.plan
        state = self.rule_state
        changed = plan.rules_reading.get(key, ())
        if not changed:
            return self.scored.viable
        viable = [True] * len(plan.patterns)
        for index, (condition, positions, _vetoes) in enumerate(plan.rules):
            holds = condition(effective) if index in changed else state[index]
            if holds:
                for position in positions:
                    viable[position] = False
        return viable

    def rescore(self, key: str, after: Any) -> tuple[list[float], list[bool], float]:
        plan, scored = self.plan, self.scored
        rows = plan.rows
        indexes: Any = plan.dependents.get(key, ())
        effective = self.base
        effective[key] = after
        if key in plan.applicability_keys:
            # applies_when reads only questions that always apply, so the base answers
            # decide it; only when the set of questions that apply moves is more needed.
            away = frozenset(
                k for test, keys in plan.conditional if not test(effective) for k in keys
            )
            moved = self.away.symmetric_difference(away)
            if moved:
                self._restore(key)
                changed = dict(self.answers)
                changed[key] = after
                effective, _away = applicable(plan, changed)
                # Rows that fold or unfold, and rows whose cases read them.
                indexes = set(indexes).union(*(plan.dependents.get(k, ()) for k in moved))
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
        if (
            key == plan.capabilities
            and scored.readiness is not None
            and key not in plan.readiness.questions
            and effective is self.base
        ):
            # Capabilities put in place or dropped: only the practices they back move.
            now, then = set(after), set(self.effective[key])
            changes = [(c, 1.0) for c in now - then] + [(c, -1.0) for c in then - now]
            for capability, sign in changes:
                back = self.capability_points(capability)
                raw = [r + sign * b for r, b in zip(raw, back, strict=True)]
        elif key in self.readiness_keys or (key in plan.applicability_keys and plan.readiness):
            now = readiness_vector(plan, effective)
            if (now is None) != (scored.readiness is None):
                scale += plan.readiness.share if now is not None else -plan.readiness.share
            now = now if now is not None else self.zero
            raw = [r + (n - o) for r, n, o in zip(raw, now, self.readiness_before, strict=True)]
        if effective is self.base:
            viable = self.viable(key, effective)
            self._restore(key)
        else:
            viable = ruled_out(plan, effective)[0]
        return raw, viable, scale

    def _restore(self, key: str) -> None:
        if key in self.effective:
            self.base[key] = self.effective[key]
        else:
            del self.base[key]


def settled_questions(plan: Plan, scored: Scored, before: list) -> set[str]:
    """Questions no single change of which can overturn the recommendation.

    A change of question q can gain a rival on the recommendation at most what each row q
    moves could gain (the best of the row's point vectors against the one it gives now),
    plus what readiness could. When that is short of every rival's gap, q is settled. The
    rivals are the other options, and also the patterns ruled out now when q is read by a
    premise or hard rule (changing it might let them back in). A question that could rule
    the recommendation out, or change which questions apply, is never settled.
    """
    top = scored.order[0]
    if scored.fallback:
        return set()
    others = [i for i in range(len(plan.patterns)) if i != top]
    options = [position for position, i in enumerate(others) if scored.viable[i]]
    everyone = list(range(len(others)))
    raw = scored.raw
    best, toggle = plan.pair_gains
    gains: list[list[float]] = []  # per row, per other pattern: the most a change gains it
    toggles: list[list[float]] = []  # the same for one toggled choice of a multi-choice row
    for index, row in enumerate(plan.rows):
        current = before[index]
        ahead = best[index][top]
        if current is None:
            gains.append([ahead[r] for r in others])
        else:
            now = current.weighted
            gains.append([ahead[r] - (now[r] - now[top]) for r in others])
        toggles.append(
            [toggle[index][top][r] for r in others] if row.kind == "multi" else gains[-1]
        )
    unsettled = set(plan.applicability_keys)
    for key, rules in plan.rules_reading.items():
        if any(top in plan.rules[rule][1] for rule in rules):
            unsettled.add(key)  # it could rule the recommendation out
    if plan.readiness is not None and scored.readiness is None:
        unsettled.add(plan.capabilities)  # answering it brings in readiness
    settled = set()
    for key, indexes in plan.dependents.items():
        if key in unsettled:
            continue
        # Readiness can move a rival up and the recommendation down.
        extra = 2 * plan.readiness_swing.get(key, 0.0) if scored.readiness is not None else 0.0
        reachable = False
        for position in everyone if key in plan.ruling_keys else options:
            gain = extra
            for index in indexes:
                if plan.rows[index].key == key:
                    gain += toggles[index][position]
                elif before[index] is not None:
                    gain += gains[index][position]
            if gain + EPSILON >= raw[top] - raw[others[position]]:
                reachable = True
                break
        if not reachable:
            settled.add(key)
    return settled
