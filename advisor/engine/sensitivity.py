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

from collections.abc import Iterable, Mapping
from typing import Any

from advisor.engine.arithmetic import (
    EPSILON,
    margin,
    rank,
)
from advisor.engine.framework import Framework
from advisor.engine.rescoring import Rescorer, settled_questions
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


def _alternatives(framework: Framework, answers: Mapping[str, Any], skip: Iterable[str] = ()):
    """(question, from, to) for every single change of one answer, but those of `skip`."""
    skip = set(skip)
    for question in framework.questions:
        if question.key in skip:
            continue
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
    rescorer = Rescorer(plan, answers, scored)
    settled = settled_questions(plan, scored, rescorer.before)
    flips = []
    # Questions that do not apply change nothing; settled ones cannot change the advice.
    for key, was, after in _alternatives(framework, answers, settled | set(scored.away)):
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
