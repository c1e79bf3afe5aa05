"""Turns an engine result into what the scoreboard shows, in plain words.

Pure functions of (framework, result): no database, no request. Templates only lay out what
these return.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.engine import Framework, Result
from advisor.engine.explain import leads
from advisor.engine.plan import READINESS

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
    reasons: tuple[str, ...]  # the hard rules that rule it out
    # The premises that do not hold for this interaction, as (title, reason): it is not an
    # option here at all, which is not the same as breaking a rule.
    premises: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Driver:
    question: str
    answer: str
    lead: float
    why: str


@dataclass(frozen=True)
class TargetAdvice:
    """What fits today and what would lead once the missing practices were in place."""

    today: str
    target: str
    changes: bool
    margin: float | None
    first: tuple[dict, ...]  # practices to put in place first: title, severity, label


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
    # Questions that do not apply to these answers: neither answered nor unanswered.
    not_applicable: tuple[str, ...] = ()
    target: TargetAdvice | None = None

    @property
    def answered_phrase(self) -> str:
        """ "7 of 16 questions answered", with the questions that do not apply left out."""
        phrase = f"{self.answered_count} of {self.question_count} questions answered"
        away = len(self.not_applicable)
        if away:
            phrase += f"; {away} more {'does' if away == 1 else 'do'} not apply and "
            phrase += f"{'is' if away == 1 else 'are'} not asked"
        return phrase


def answer_label(framework: Framework, key: str, value: Any) -> str:
    if key == READINESS and isinstance(value, (list, tuple)):
        return ", ".join(_practice_title(framework, code) for code in value) or "none"
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


def _practice_title(framework: Framework, code: str) -> str:
    for practices in framework.practices.values():
        for practice in practices:
            if practice.code == code:
                return practice.title
    return code


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:,.0f} seconds"
    if seconds < 2 * 3600:
        return f"{seconds / 60:,.0f} minutes"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:,.1f} hours"
    return f"{seconds / 86400:,.1f} days"


def _flip_sentence(framework: Framework, flip: dict, names: dict[str, str]) -> str:
    question = framework.questions_by_key.get(flip["question"])
    winner = names[flip["recommendation"]]
    if flip["margin"] == 0:
        by = ", drawing level and winning on the framework's tie-break order"
    elif flip["margin"] is None:
        by = ""
    else:
        by = f" (by {flip['margin']:g} point{'' if flip['margin'] == 1 else 's'})"
    if question is None:  # a factor that is not a question, such as readiness
        return f"If “{framework.factor_title(flip['question'])}” changed, {winner} would win{by}."
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


def _pattern_rows(framework: Framework, result: Result) -> tuple[PatternRow, ...]:
    tally = result.tally
    rules: dict[str, list[str]] = {}
    premises: dict[str, list[tuple[str, str]]] = {}
    for veto in tally.vetoes:
        if veto.kind == "premise":
            premises.setdefault(veto.pattern, []).append((veto.title, veto.reason))
        else:
            rules.setdefault(veto.pattern, []).append(veto.reason)
    return tuple(
        PatternRow(
            key=key,
            name=framework.pattern(key).name,
            summary=framework.pattern(key).summary,
            score=tally.normalised(key),
            viable=tally.viable[key],
            recommended=key == result.recommendation and result.advised,
            reasons=tuple(rules.get(key, ())),
            premises=tuple(premises.get(key, ())),
        )
        for key in result.ranking
    )


def _drivers(framework: Framework, result: Result, runner_up: str) -> tuple[Driver, ...]:
    found = leads(
        framework, result.tally, result.answers, favoured=result.recommendation, other=runner_up
    )
    drivers = []
    for lead in found[:MAX_DRIVERS]:
        # Readiness's reason names the practices the runner-up lacks; say whose they are.
        if lead.question == READINESS:
            answer = f"for {framework.pattern(runner_up).name}"
        else:
            answer = answer_label(framework, lead.question, lead.answer)
        drivers.append(Driver(framework.factor_title(lead.question), answer, lead.lead, lead.why))
    return tuple(drivers)


def _estimates(result: Result) -> tuple[str, ...]:
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
        elif backlog.drain_seconds == 0:
            estimates.append("There is no backlog to drain.")
        else:
            estimates.append(f"The backlog drains in about {_duration(backlog.drain_seconds)}.")
    return tuple(estimates)


def _critical_weight(framework: Framework, result: Result, names: dict[str, str]) -> str | None:
    weights = result.sensitivity.get("weights", [])
    if not weights:
        return None
    top = weights[0]
    title = framework.factor_title(top["question"])
    how = f"weighted {top['crossover_weight']:g} instead of {top['weight']:g}"
    if top["relative_change"] > 1:
        return (
            f"No factor's weight is close to changing the advice: the nearest is "
            f"“{title}”, which would have to be {how} for "
            f"{names[top['flips_to']]} to take over."
        )
    rival = names[top["flips_to"]]
    return f"The advice hinges on how much “{title}” counts: {how}, {rival} would take over."


def _target_advice(result: Result, names: dict[str, str]) -> TargetAdvice | None:
    target = result.target
    if target is None or not result.advised:
        return None
    return TargetAdvice(
        today=names[result.recommendation],
        target=names[target.recommendation],
        changes=target.changes,
        margin=target.margin,
        first=tuple(
            {
                "title": p.title,
                "severity": p.severity,
                "severity_label": SEVERITY_LABELS[p.severity],
            }
            for p in target.first
        ),
    )


def capability_backed(framework: Framework, pattern: str) -> set[str]:
    """The codes of the pattern's practices the questionnaire asks about (by capability)."""
    return {p.code for p in framework.practices.get(pattern, ()) if p.capability is not None}


def build_scoreboard(framework: Framework, result: Result) -> Scoreboard:
    tally = result.tally
    asked = capability_backed(framework, result.pattern)
    names = {pattern.key: pattern.name for pattern in framework.patterns}
    viable = [key for key in result.ranking if tally.viable[key]]
    runner_up = next((key for key in viable if key != result.recommendation), None)
    flips = result.sensitivity.get("answer_flips", [])
    texts = {question.key: question.text for question in framework.questions}
    away = tuple(key for key in result.not_applicable if key in texts)
    question_count = len(framework.questions) - len(away)
    return Scoreboard(
        recommendation=result.recommendation,
        recommendation_name=names[result.recommendation],
        runner_up_name=names[runner_up] if runner_up else None,
        margin=result.margin,
        fallback=tally.fallback,
        patterns=_pattern_rows(framework, result),
        drivers=_drivers(framework, result, runner_up) if runner_up is not None else (),
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
                # A practice no capability stands for is never asked: it is to do, not missing.
                "asked": p.code in asked,
                "code": p.code,
            }
            for p in result.practices
        ),
        estimates=_estimates(result),
        unanswered=tuple(texts[key] for key in result.unanswered),
        answered_count=question_count - len(result.unanswered),
        question_count=question_count,
        tied_with=tuple(names[key] for key in result.sensitivity.get("tied_with", ())),
        flips=tuple(_flip_sentence(framework, flip, names) for flip in flips[:MAX_FLIPS]),
        more_flips=max(0, len(flips) - MAX_FLIPS),
        critical_weight=_critical_weight(framework, result, names),
        high_warning_count=sum(1 for w in result.warnings if w.severity == "high"),
        advice_missing=tuple(texts[key] for key in result.advice_missing),
        not_applicable=tuple(texts[key] for key in away),
        target=_target_advice(result, names),
    )
