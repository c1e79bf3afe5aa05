"""Scoring an answer set against a framework: plain Python, no Django, immutable results.

How a score is made
    Each answered question gives every pattern some points: the choice's points (the first
    of its `cases` whose condition holds, else its default) times the question's weight.
    The contributions listed for a pattern add up to its raw score exactly.

How scores are normalised to 0-100
    score = 50 + 50 * raw / scale, where scale is the sum, over the answered questions, of
    weight x the largest absolute points any of the question's answers gives any pattern.
    No pattern can leave 0..100, 50 means "no lean either way", and because every pattern
    shares the same scale the ranking is the ranking of the raw scores.

Viability
    A viability rule whose condition holds rules patterns out. A ruled-out pattern keeps
    its score (so the team sees what it gave up) but ranks after every viable one and is
    never recommended. If every pattern is ruled out the framework's first pattern (sync
    in the default framework) is recommended and a `no_viable_pattern` warning says so.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from advisor.engine.errors import AnswerError
from advisor.engine.estimators import Backlog, TailLatency, estimate_backlog, estimate_tail_latency
from advisor.engine.framework import Framework

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


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
    pattern: str
    rule: str
    reason: str
    title: str = ""

    def as_dict(self) -> dict:
        return {"pattern": self.pattern, "rule": self.rule, "title": self.title,
                "reason": self.reason}  # fmt: skip


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
class Tally:
    """The raw arithmetic of one answer set: what the sensitivity analysis re-runs."""

    raw: Mapping[str, float]
    # Unweighted points per answered question, in the framework's pattern order: what the
    # weight sensitivity needs.
    unweighted: Mapping[str, tuple[float, ...]]
    contributions: Mapping[str, tuple[Contribution, ...]]
    scale: float
    viable: Mapping[str, bool]
    vetoes: tuple[Veto, ...]
    ranking: tuple[str, ...]
    recommendation: str
    fallback: bool

    def normalised(self, pattern: str) -> float:
        if self.scale == 0:
            return 50.0
        return round(50 + 50 * self.raw[pattern] / self.scale, 1)

    @property
    def scores(self) -> dict[str, float]:
        return {pattern: self.normalised(pattern) for pattern in self.raw}

    @property
    def margin(self) -> float | None:
        """Points (0-100 scale) between the recommendation and the best other viable pattern."""
        viable = [p for p in self.ranking if self.viable[p]]
        if self.fallback or len(viable) < 2:
            return None
        return round(self.normalised(viable[0]) - self.normalised(viable[1]), 1)


def tally(framework: Framework, answers: Mapping[str, Any], *, explain: bool = True) -> Tally:
    """Score, rule out and rank: everything but warnings, practices and estimates.

    This is the hot path (the sensitivity analysis runs it dozens of times per answer set),
    so it works on the framework's flattened scoring table.
    """
    patterns = framework.pattern_keys
    size = len(patterns)
    raw = [0.0] * size
    unweighted: dict[str, tuple[float, ...]] = {}
    explained: list[list[Contribution]] = [[] for _ in patterns]
    scale = 0.0
    for key, kind, _weight, share, options in framework.scoring_table:
        answer = answers.get(key)
        if answer is None:
            continue
        scale += share
        if kind == "multi":
            chosen = [(choice, options[choice][0]) for choice in answer]
        else:
            if kind == "single":
                effects = options[answer]
            else:
                effects = next((e for low, high, e in options if low <= answer <= high), ())
            chosen = []
            for condition, points, why in effects:
                if condition is None or condition(answers):
                    chosen.append((answer, (condition, points, why)))
                    break
        totals = [0.0] * size
        for shown, (_condition, moves, why) in chosen:
            for index, points, weighted in moves:
                totals[index] += points
                raw[index] += weighted
                if explain and weighted:
                    explained[index].append(Contribution(key, shown, weighted, why))
        unweighted[key] = tuple(totals)

    viable = dict.fromkeys(patterns, True)
    vetoes = []
    for rule in framework.viability:
        if rule.when(answers):
            for pattern in rule.rules_out:
                viable[pattern] = False
                vetoes.append(Veto(pattern, rule.key, rule.reason, rule.title))

    scores = dict(zip(patterns, (round(points, 6) for points in raw), strict=True))
    ranking = tuple(sorted(patterns, key=lambda p: (not viable[p], -scores[p], patterns.index(p))))
    fallback = not viable[ranking[0]]
    if fallback:  # the fallback pattern heads the ranking it is recommended from
        ranking = (patterns[0], *(p for p in ranking if p != patterns[0]))
    return Tally(
        raw=scores,
        unweighted=unweighted,
        contributions={pattern: tuple(explained[i]) for i, pattern in enumerate(patterns)},
        scale=scale,
        viable=viable,
        vetoes=tuple(vetoes),
        ranking=ranking,
        recommendation=patterns[0] if fallback else ranking[0],
        fallback=fallback,
    )


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
            "normalisation": {
                "formula": "score = 50 + 50 * raw / scale",
                "scale": round(self.tally.scale, 6),
                "raw": dict(self.tally.raw),
            },
        }


class _Placeholders(dict):
    """Message templates may name estimate figures; unknown names stay as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format(template: str, values: Mapping[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Placeholders(values))


def _estimates(
    framework: Framework, answers: Mapping[str, Any]
) -> tuple[TailLatency | None, Backlog | None]:
    tail = None
    if answers.get("chain_depth") is not None:
        settings = framework.estimators.get("tail_latency", {})
        ratio = settings.get("default_p99_ratio", 5.0)
        p50, p99 = answers.get("per_hop_p50_ms"), answers.get("per_hop_p99_ms")
        if p50 is None:
            p50 = p99 / ratio if p99 is not None else settings.get("default_p50_ms", 50.0)
        if p99 is None:
            p99 = p50 * ratio
        tail = estimate_tail_latency(int(answers["chain_depth"]), p50, p99)
    backlog = None
    if (
        answers.get("backlog_messages") is not None
        and answers.get("processing_rate_per_s") is not None
    ):
        backlog = estimate_backlog(
            answers["backlog_messages"],
            answers["processing_rate_per_s"],
            answers.get("arrival_rate_per_s") or 0.0,
        )
    return tail, backlog


def _derived(answers: Mapping[str, Any], tail: TailLatency | None, backlog: Backlog | None):
    """The answers plus the figures warning and practice conditions may compare against."""
    derived = dict(answers)
    if tail is not None:
        derived["estimated_p99_ms"] = tail.p99_ms
    if backlog is not None and backlog.drain_seconds is not None:
        derived["estimated_drain_seconds"] = backlog.drain_seconds
    return derived


def _figures(answers: Mapping[str, Any], tail: TailLatency | None, backlog: Backlog | None):
    figures: dict[str, Any] = {
        key: f"{value:,.6g}" if isinstance(value, float) else value
        for key, value in answers.items()
        if value is not None
    }
    if tail is not None:
        figures.update(
            hops=tail.hops,
            tail_p50_ms=f"{tail.p50_ms:,.0f}",
            tail_p99_ms=f"{tail.p99_ms:,.0f}",
            p_hit_any_pct=f"{tail.p_hit_any_p99 * 100:.1f}",
        )
    if backlog is not None and backlog.drain_seconds is not None:
        figures["drain_hours"] = f"{backlog.drain_seconds / 3600:,.1f}"
    return figures


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
    from advisor.engine.sensitivity import analyse

    if pattern is not None and pattern not in framework.pattern_keys:
        raise AnswerError(
            "pattern",
            f"unknown pattern {pattern!r} (expected one of {', '.join(framework.pattern_keys)})",
        )
    result_tally = tally(framework, answers)
    focus = pattern or result_tally.recommendation
    tail, backlog = _estimates(framework, answers)
    figures = _figures(answers, tail, backlog)
    known = _derived(answers, tail, backlog)

    warnings = [
        RaisedWarning(rule.code, rule.severity, rule.title, _format(rule.message, figures))
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
                f"Every pattern breaks a hard rule for these answers, so the advisor falls back "
                f"to {framework.pattern(result_tally.recommendation).name}. Re-check the answers "
                f"that rule patterns out: they may contradict each other.",
            ),
        )
    warnings.sort(key=lambda warning: SEVERITY_ORDER[warning.severity])

    capabilities = set(answers.get("capabilities") or ())
    done = set(done_practices)
    practices = tuple(
        PracticeStatus(
            code=practice.code,
            title=practice.title,
            status="in_place"
            if practice.code in done
            or (practice.capability is not None and practice.capability in capabilities)
            else "missing",
            severity=practice.severity_for(known),
            message=_format(practice.message, figures),
        )
        for practice in framework.practices.get(focus, ())
        if practice.when(known)
    )
    unanswered = tuple(q.key for q in framework.questions if answers.get(q.key) is None)
    advice_missing = tuple(key for key in framework.advice_requires if answers.get(key) is None)
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
    )
