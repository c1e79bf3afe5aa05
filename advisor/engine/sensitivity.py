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

from advisor.engine.framework import Framework
from advisor.engine.scoring import Tally

EPSILON = 1e-9


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
    for question in framework.questions:
        points = current.unweighted.get(question.key)
        if points is None or question.weight == 0:
            continue
        best: tuple[float, str] | None = None
        for rival in rivals:
            lead = current.raw[top] - current.raw[rival]
            gap = points[position[top]] - points[position[rival]]
            if gap == 0:
                continue
            change = -lead / gap
            if question.weight + change <= 0:
                continue  # the rival would need a weight of zero or less
            if best is None or abs(change) < abs(best[0]):
                best = (change, rival)
        if best is None:
            continue
        change, rival = best
        crossovers.append(
            {
                "question": question.key,
                "weight": question.weight,
                "crossover_weight": round(question.weight + change, 3),
                "change": round(change, 3),
                "relative_change": round(abs(change) / question.weight, 3),
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


def _alternatives(framework: Framework, answers: Mapping[str, Any]):
    """(question, from, to) for every single change of one answer."""
    for question in framework.questions:
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


def _row_points(row: tuple, answers: Mapping[str, Any], size: int) -> list[float] | None:
    """Weighted points one scoring-table row gives each pattern, or None if unanswered."""
    key, kind, _weight, _share, options = row
    answer = answers.get(key)
    if answer is None:
        return None
    totals = [0.0] * size
    if kind == "multi":
        for choice in answer:
            for index, _points, weighted in options[choice][0][1]:
                totals[index] += weighted
        return totals
    if kind == "single":
        effects = options[answer]
    else:
        effects = next((e for low, high, e in options if low <= answer <= high), ())
    for condition, moves, _why in effects:
        if condition is None or condition(answers):
            for index, _points, weighted in moves:
                totals[index] += weighted
            break
    return totals


def answer_flips(framework: Framework, answers: Mapping[str, Any], current: Tally) -> list[dict]:
    """Re-score every single change of one answer, touching only the rows it can affect."""
    patterns = framework.pattern_keys
    size = len(patterns)
    table = framework.scoring_table
    dependents = framework.scoring_dependents
    shares = {row[0]: row[3] for row in table}
    rows = [_row_points(row, answers, size) for row in table]
    raw = [current.raw[pattern] for pattern in patterns]
    flips = []
    changed = dict(answers)
    for key, before, after in _alternatives(framework, answers):
        changed[key] = after
        scores = raw[:]
        for index in dependents.get(key, ()):
            old, new = rows[index], _row_points(table[index], changed, size)
            for position in range(size):
                scores[position] += (new[position] if new else 0.0) - (
                    old[position] if old else 0.0
                )
        scale = current.scale + (shares[key] if answers.get(key) is None else 0.0)
        viable = [True] * size
        for rule in framework.viability:
            if rule.when(changed):
                for pattern in rule.rules_out:
                    viable[patterns.index(pattern)] = False
        rounded = [round(value, 6) for value in scores]
        order = sorted((i for i in range(size) if viable[i]), key=lambda i: (-rounded[i], i))
        winner = patterns[order[0]] if order else patterns[0]
        if winner != current.recommendation:
            flips.append(
                {
                    "question": key,
                    "from": before,
                    "to": list(after) if isinstance(after, tuple) else after,
                    "recommendation": winner,
                    "margin": _margin(rounded, order, scale),
                }
            )
        if key in answers:
            changed[key] = answers[key]
        else:
            del changed[key]
    return flips


def _margin(raw: list[float], order: list[int], scale: float) -> float | None:
    """As Tally.margin: the lead of the first over the second viable pattern, 0-100 scale."""
    if len(order) < 2:
        return None
    if scale == 0:
        return 0.0

    def normalised(index: int) -> float:
        return round(50 + 50 * raw[index] / scale, 1)

    return round(normalised(order[0]) - normalised(order[1]), 1)


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
