"""The full result of an answer set: scores (see `arithmetic` for how they are made and
normalised), warnings, practices, estimates, readiness, the target advice and sensitivity.
Plain Python, no Django, immutable results.

Viability
    A pattern is not an option when one of its premises does not hold or a hard rule rules
    it out. It keeps its score (so the team sees what it gave up) but ranks after every
    viable one and is never recommended. If every pattern is ruled out the framework's
    first pattern (sync in the default framework) is recommended and a `no_viable_pattern`
    warning says so.

Target advice
    What would lead once the practices the team lacks were in place: the answers re-scored
    with every capability the framework's practices need. Given only once the team has
    said which practices it runs.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from advisor.engine.errors import AnswerError
from advisor.engine.estimators import Backlog, TailLatency
from advisor.engine.figures import derived, estimates, figures
from advisor.engine.framework import Framework
from advisor.engine.sensitivity import analyse
from advisor.engine.tally import Tally, tally

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class RaisedWarning:
    code: str
    severity: str
    title: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "title": self.title,
                "message": self.message}  # fmt: skip


@dataclass(frozen=True)
class PracticeStatus:
    code: str
    title: str
    status: str  # "in_place" or "missing"
    severity: str
    message: str

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "status": self.status,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True)
class Target:
    """What would lead once the missing practices were in place, and what to start with."""

    recommendation: str
    scores: Mapping[str, float]
    margin: float | None
    changes: bool  # whether it differs from today's recommendation
    first: tuple[PracticeStatus, ...]  # the target pattern's missing practices, worst first

    def as_dict(self) -> dict:
        return {
            "recommendation": self.recommendation,
            "changes": self.changes,
            "scores": dict(self.scores),
            "margin": self.margin,
            "put_in_place_first": [
                {"code": p.code, "title": p.title, "severity": p.severity} for p in self.first
            ],
        }


@dataclass(frozen=True)
class Result:
    """Everything the advisor says about one answer set. Immutable."""

    framework_name: str
    framework_version: int
    answers: Mapping[str, Any]
    pattern: str  # the pattern warnings and practices are for
    tally: Tally
    warnings: tuple[RaisedWarning, ...]
    practices: tuple[PracticeStatus, ...]
    tail_latency: TailLatency | None
    backlog: Backlog | None
    unanswered: tuple[str, ...]
    sensitivity: Mapping[str, Any]
    # Questions the framework needs answered before its scores count as advice.
    advice_missing: tuple[str, ...] = ()
    # Every premise of every pattern, and whether it holds for these answers.
    premises: tuple[dict, ...] = ()
    target: Target | None = None

    @property
    def not_applicable(self) -> tuple[str, ...]:
        return self.tally.not_applicable

    @property
    def advised(self) -> bool:
        """Whether enough is answered for the recommendation to be advice at all."""
        return not self.advice_missing

    @property
    def recommendation(self) -> str:
        return self.tally.recommendation

    @property
    def ranking(self) -> tuple[str, ...]:
        return self.tally.ranking

    @property
    def scores(self) -> dict[str, float]:
        return self.tally.scores

    @property
    def margin(self) -> float | None:
        return self.tally.margin

    def as_dict(self) -> dict:
        """The JSON shape `manage.py advise` prints (see the framework SPEC)."""
        estimates: dict[str, Any] = {}
        if self.tail_latency is not None:
            estimates["tail_latency"] = self.tail_latency.as_dict()
        if self.backlog is not None:
            estimates["backlog"] = self.backlog.as_dict()
        return {
            "framework": {"name": self.framework_name, "version": self.framework_version},
            "recommendation": self.recommendation,
            "ranking": list(self.ranking),
            "scores": self.scores,
            "viable": dict(self.tally.viable),
            "vetoes": [veto.as_dict() for veto in self.tally.vetoes],
            "contributions": {
                pattern: [item.as_dict() for item in items]
                for pattern, items in self.tally.contributions.items()
            },
            "margin": self.margin,
            "sensitivity": self.sensitivity,
            "warnings": [warning.as_dict() for warning in self.warnings],
            "mitigations": [practice.as_dict() for practice in self.practices],
            "estimates": estimates,
            "unanswered": list(self.unanswered),
            "advice": {"given": self.advised, "missing": list(self.advice_missing)},
            "not_applicable": list(self.not_applicable),
            "premises": [dict(premise) for premise in self.premises],
            "readiness": _readiness_dict(self.tally),
            "target": self.target.as_dict() if self.target is not None else None,
            "normalisation": {
                "formula": "score = 50 + 50 * raw / scale",
                "scale": round(self.tally.scale, 6),
                "raw": dict(self.tally.raw),
            },
        }


def _readiness_dict(result_tally: Tally) -> dict | None:
    gaps = result_tally.readiness
    if gaps is None:
        return None
    return {
        gap.pattern: {
            "points": gap.points,
            "factor": gap.factor,
            "missing": [{"code": code, "title": title} for code, title in gap.missing],
        }
        for gap in gaps
    }


class _Placeholders(dict):
    """Message templates may name estimate figures; unknown names stay as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format(template: str, values: Mapping[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Placeholders(values))


def _practices(
    framework: Framework,
    pattern: str,
    known: Mapping[str, Any],
    shown: Mapping[str, Any],
    done: set[str],
) -> tuple[PracticeStatus, ...]:
    capabilities = set(known.get(framework.capabilities) or ()) if framework.capabilities else set()

    def in_place(practice) -> bool:
        if practice.code in done:
            return True
        if practice.capability is not None and practice.capability in capabilities:
            return True
        return practice.in_place_when is not None and practice.in_place_when(known)

    return tuple(
        PracticeStatus(
            code=practice.code,
            title=practice.title,
            status="in_place" if in_place(practice) else "missing",
            severity=practice.severity_for(known),
            message=_format(practice.message, shown),
        )
        for practice in framework.practices.get(pattern, ())
        if practice.when(known)
    )


def _target(
    framework: Framework, answers: Mapping[str, Any], today: Tally, known, done: set[str]
) -> Target | None:
    """What would lead once the practices the team lacks were in place.

    The answers are re-scored with every capability the practices need; the pattern that
    leads then is the target, and its own missing practices are what to put in place first.
    When those alone make it lead, the scores given are for exactly that."""
    if today.readiness is None:
        return None
    question = framework.questions_by_key[framework.capabilities]
    have = set(answers.get(framework.capabilities) or ())

    def with_capabilities(extra: set[str]) -> Tally:
        complete = dict(answers)
        complete[framework.capabilities] = tuple(
            choice for choice in question.choice_keys if choice in have | extra
        )
        return tally(framework, complete)

    every = {
        practice.capability
        for practices in framework.practices.values()
        for practice in practices
        if practice.capability is not None
    }
    then = with_capabilities(every)
    pattern = then.recommendation
    capability_of = {p.code: p.capability for p in framework.practices.get(pattern, ())}
    first = sorted(
        (
            practice
            for practice in _practices(framework, pattern, known, {}, done)
            if practice.status == "missing" and capability_of.get(practice.code) is not None
        ),
        key=lambda practice: SEVERITY_ORDER[practice.severity],
    )
    only = with_capabilities({capability_of[practice.code] for practice in first})
    if only.recommendation == pattern:
        then = only
    return Target(
        recommendation=pattern,
        scores=then.scores,
        margin=then.margin,
        changes=pattern != today.recommendation,
        first=tuple(first),
    )


def _premises(framework: Framework, answers: Mapping[str, Any]) -> tuple[dict, ...]:
    return tuple(
        {
            "pattern": pattern.key,
            "premise": premise.key,
            "title": premise.title,
            "holds": premise.holds(answers),
            "reason": premise.reason,
        }
        for pattern in framework.patterns
        for premise in pattern.premises
    )


def evaluate(
    framework: Framework,
    answers: Mapping[str, Any],
    *,
    pattern: str | None = None,
    done_practices: Iterable[str] = (),
    with_sensitivity: bool = True,
) -> Result:
    """The full result for validated `answers` (see answers.parse_answers).

    `pattern` asks for the warnings and practices of another pattern than the recommended
    one; `done_practices` are practice codes the team has recorded as done on a decision.
    """
    if pattern is not None and pattern not in framework.pattern_keys:
        raise AnswerError(
            "pattern",
            f"unknown pattern {pattern!r} (expected one of {', '.join(framework.pattern_keys)})",
        )
    result_tally = tally(framework, answers)
    effective = result_tally.effective_answers
    focus = pattern or result_tally.recommendation
    tail, backlog = estimates(framework, effective)
    shown = figures(effective, tail, backlog)
    known = derived(effective, tail, backlog)

    warnings = [
        RaisedWarning(rule.code, rule.severity, rule.title, _format(rule.message_for(known), shown))
        for rule in framework.warnings
        if focus in rule.patterns and rule.when(known)
    ]
    if result_tally.fallback:
        warnings.insert(
            0,
            RaisedWarning(
                "no_viable_pattern",
                "high",
                "Every pattern is ruled out",
                f"Every pattern is ruled out or not an option for these answers, so the advisor "
                f"falls back to {framework.pattern(result_tally.recommendation).name}. Re-check "
                f"the answers that rule patterns out: they may contradict each other.",
            ),
        )
    warnings.sort(key=lambda warning: SEVERITY_ORDER[warning.severity])

    practices = _practices(framework, focus, known, shown, set(done_practices))
    away = set(result_tally.not_applicable)
    unanswered = tuple(
        q.key for q in framework.questions if answers.get(q.key) is None and q.key not in away
    )
    advice_missing = tuple(
        key for key in framework.advice_requires if answers.get(key) is None and key not in away
    )
    return Result(
        framework_name=framework.name,
        framework_version=framework.version,
        answers=answers,
        pattern=focus,
        tally=result_tally,
        warnings=tuple(warnings),
        practices=practices,
        tail_latency=tail,
        backlog=backlog,
        unanswered=unanswered,
        sensitivity=analyse(framework, answers, result_tally) if with_sensitivity else {},
        advice_missing=advice_missing,
        premises=_premises(framework, effective),
        target=_target(framework, answers, result_tally, known, set(done_practices)),
    )
