"""Turns an engine result into what the scoreboard shows, in plain words.

Pure functions of (framework, result): no database, no request. Templates only lay out what
these return.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.engine import Framework, Result
from advisor.engine.explain import leads

SEVERITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}
MAX_DRIVERS = 5
MAX_FLIPS = 6


@dataclass(frozen=True)
class PatternRow:
    key: str
    name: str
    summary: str
    score: float
    viable: bool
    recommended: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Driver:
    question: str
    answer: str
    lead: float
    why: str


@dataclass(frozen=True)
class Scoreboard:
    recommendation: str
    recommendation_name: str
    runner_up_name: str | None
    margin: float | None
    fallback: bool
    patterns: tuple[PatternRow, ...]
    drivers: tuple[Driver, ...]
    warnings: tuple[dict, ...]
    practices: tuple[dict, ...]
    estimates: tuple[str, ...]
    unanswered: tuple[str, ...]
    answered_count: int
    question_count: int
    tied_with: tuple[str, ...]
    flips: tuple[str, ...]
    more_flips: int
    critical_weight: str | None
    high_warning_count: int = 0
    # Questions the framework needs answered before the leader counts as a recommendation.
    advice_missing: tuple[str, ...] = ()


def answer_label(framework: Framework, key: str, value: Any) -> str:
    questions = framework.questions_by_key
    question = questions.get(key)
    if question is None:
        return str(value)
    if question.kind == "integer":
        return str(value)
    labels = {choice.key: choice.label for choice in question.choices}
    if isinstance(value, (list, tuple)):
        return ", ".join(labels.get(item, item) for item in value) or "none"
    return labels.get(value, str(value))


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:,.0f} seconds"
    if seconds < 2 * 3600:
        return f"{seconds / 60:,.0f} minutes"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:,.1f} hours"
    return f"{seconds / 86400:,.1f} days"


def _flip_sentence(framework: Framework, flip: dict, names: dict[str, str]) -> str:
    question = framework.questions_by_key[flip["question"]]
    winner = names[flip["recommendation"]]
    if flip["margin"] == 0:
        by = ", drawing level and winning on the framework's tie-break order"
    elif flip["margin"] is None:
        by = ""
    else:
        by = f" (by {flip['margin']:g} point{'' if flip['margin'] == 1 else 's'})"
    if question.kind == "multi":
        before, after = set(flip["from"] or ()), set(flip["to"])
        labels = {choice.key: choice.label for choice in question.choices}
        if after - before:
            added = labels[next(iter(after - before))]
            return f"If the team had “{added}” in place, {winner} would win{by}."
        removed = labels[next(iter(before - after))]
        return f"Without “{removed}”, {winner} would win{by}."
    to = answer_label(framework, question.key, flip["to"])
    if question.kind == "integer":
        band = question.band_for(flip["to"])
        to = band.label if band else to
    if flip["from"] is None:
        return f"Answering “{question.text}” with “{to}” would make {winner} win{by}."
    return f"If “{question.text}” were “{to}”, {winner} would win{by}."


def build_scoreboard(framework: Framework, result: Result) -> Scoreboard:
    tally = result.tally
    names = {pattern.key: pattern.name for pattern in framework.patterns}
    reasons: dict[str, list[str]] = {}
    for veto in tally.vetoes:
        reasons.setdefault(veto.pattern, []).append(veto.reason)
    patterns = tuple(
        PatternRow(
            key=key,
            name=names[key],
            summary=framework.pattern(key).summary,
            score=tally.normalised(key),
            viable=tally.viable[key],
            recommended=key == result.recommendation and result.advised,
            reasons=tuple(reasons.get(key, ())),
        )
        for key in result.ranking
    )
    viable = [key for key in result.ranking if tally.viable[key]]
    runner_up = next((key for key in viable if key != result.recommendation), None)

    drivers = ()
    if runner_up is not None:
        drivers = tuple(
            Driver(
                question=framework.questions_by_key[lead.question].text,
                answer=answer_label(framework, lead.question, lead.answer),
                lead=lead.lead,
                why=lead.why,
            )
            for lead in leads(
                framework, tally, result.answers, favoured=result.recommendation, other=runner_up
            )[:MAX_DRIVERS]
        )

    estimates = []
    if result.tail_latency is not None:
        tail = result.tail_latency
        estimates.append(
            f"A chain of {tail.hops} synchronous hop{'s' if tail.hops != 1 else ''}: "
            f"{tail.p_hit_any_p99 * 100:.1f}% of requests meet at least one hop's slowest 1%; "
            f"end to end about {tail.p50_ms:,.0f} ms typical and {tail.p99_ms:,.0f} ms "
            f"for the slowest 1%."
        )
    if result.backlog is not None:
        backlog = result.backlog
        if not backlog.drains:
            estimates.append("The backlog never drains: processing does not outpace new arrivals.")
        else:
            estimates.append(
                f"The backlog drains in about {backlog.drain_seconds:,.0f} s "
                f"({_duration(backlog.drain_seconds)})."
            )

    flips = result.sensitivity.get("answer_flips", [])
    weights = result.sensitivity.get("weights", [])
    critical = None
    if weights:
        top = weights[0]
        question = framework.questions_by_key[top["question"]]
        how = f"weighted {top['crossover_weight']:g} instead of {top['weight']:g}"
        if top["relative_change"] > 1:
            critical = (
                f"No question's weight is close to changing the advice: the nearest is "
                f"“{question.text}”, which would have to be {how} for "
                f"{names[top['flips_to']]} to take over."
            )
        else:
            critical = (
                f"The advice hinges on how much “{question.text}” counts: {how}, "
                f"{names[top['flips_to']]} would take over."
            )
    return Scoreboard(
        recommendation=result.recommendation,
        recommendation_name=names[result.recommendation],
        runner_up_name=names[runner_up] if runner_up else None,
        margin=result.margin,
        fallback=tally.fallback,
        patterns=patterns,
        drivers=drivers,
        warnings=tuple(
            {
                "title": w.title,
                "message": w.message,
                "severity": w.severity,
                "severity_label": SEVERITY_LABELS[w.severity],
                "code": w.code,
            }
            for w in result.warnings
        ),
        practices=tuple(
            {
                "title": p.title,
                "message": p.message,
                "severity": p.severity,
                "severity_label": SEVERITY_LABELS[p.severity],
                "in_place": p.status == "in_place",
                "code": p.code,
            }
            for p in result.practices
        ),
        estimates=tuple(estimates),
        unanswered=tuple(framework.questions_by_key[key].text for key in result.unanswered),
        answered_count=len(framework.questions) - len(result.unanswered),
        question_count=len(framework.questions),
        tied_with=tuple(names[key] for key in result.sensitivity.get("tied_with", ())),
        flips=tuple(_flip_sentence(framework, flip, names) for flip in flips[:MAX_FLIPS]),
        more_flips=max(0, len(flips) - MAX_FLIPS),
        critical_weight=critical,
        high_warning_count=sum(1 for w in result.warnings if w.severity == "high"),
        advice_missing=tuple(framework.questions_by_key[key].text for key in result.advice_missing),
    )
