"""Reading a framework's rules: premises, hard rules, warnings, practices, readiness and the
estimators' settings. Each reader checks its part and reports problems with their path.
"""

from __future__ import annotations

import string
from collections.abc import Iterable

from advisor.engine.conditions import Condition, Vocabulary, compile_condition
from advisor.engine.framework import (
    DERIVED_FIGURES,
    MESSAGE_FIGURES,
    SEVERITIES,
    BacklogSettings,
    Practice,
    Premise,
    Readiness,
    TailLatencySettings,
    ViabilityRule,
    WarningRule,
)
from advisor.engine.json_reader import JsonReader as _Reader


def _not_negative(reader: _Reader, *, default: float | None = None) -> float:
    if reader.value is None and default is not None:
        return default
    value = reader.number()
    if value < 0:
        raise reader.fail("expected a number of zero or more")
    return value


class RuleReader:
    """What every rule reader needs: the vocabulary of conditions and the pattern keys."""

    def __init__(self, vocabulary: Vocabulary, patterns: tuple[str, ...]) -> None:
        self.vocabulary = vocabulary
        self.patterns = patterns

    def condition(self, reader: _Reader) -> Condition:
        return compile_condition(reader.string(optional=True), self.vocabulary, reader.path)

    def severity(self, reader: _Reader) -> str:
        value = reader.string()
        if value not in SEVERITIES:
            raise reader.fail(f"expected one of {', '.join(SEVERITIES)}")
        return value

    def pattern_list(self, reader: _Reader) -> tuple[str, ...]:
        keys = reader.strings()
        for index, key in enumerate(keys):
            if key not in self.patterns:
                raise reader.child(index).fail(f"unknown pattern {key!r}")
        return keys

    def message(self, reader: _Reader) -> str:
        """A message template: text with {placeholders} naming answers or estimate figures."""
        text = reader.string()
        vocabulary = self.vocabulary
        allowed = (
            set(vocabulary.choices)
            | set(vocabulary.multi)
            | set(vocabulary.numeric)
            | set(MESSAGE_FIGURES)
        )
        try:
            fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
        except ValueError as error:
            raise reader.fail(f"cannot read the message template ({error})") from None
        for name in fields:
            if name not in allowed:
                raise reader.fail(f"unknown placeholder {{{name}}} in the message")
        return text

    def cases(self, reader: _Reader, value: str, read) -> tuple:
        """An optional list of {"when": condition, value: ...}: the first that holds wins."""
        if reader.value is None:
            return ()
        return tuple(
            (self.condition(case.object().child("when")), read(case.child(value)))
            for case in reader.items()
        )

    def premises(self, reader: _Reader) -> tuple[Premise, ...]:
        if reader.value is None:
            return ()
        seen: set[str] = set()
        return tuple(
            Premise(
                key=premise.object().child("key").key(seen, "premise"),
                title=premise.child("title").string(),
                holds=self.condition(premise.child("holds")),
                reason=premise.child("reason").string(),
            )
            for premise in reader.items()
        )

    def viability(self, reader: _Reader) -> tuple[ViabilityRule, ...]:
        seen: set[str] = set()
        return tuple(
            ViabilityRule(
                key=rule.object().child("key").key(seen, "viability rule"),
                when=self.condition(rule.child("when")),
                rules_out=self.pattern_list(rule.child("rules_out")),
                reason=rule.child("reason").string(),
                title=rule.child("title").string(optional=True),
            )
            for rule in reader.items()
        )

    def warnings(self, reader: _Reader) -> tuple[WarningRule, ...]:
        seen: set[str] = set()
        return tuple(
            WarningRule(
                code=rule.object().child("code").key(seen, "warning"),
                title=rule.child("title").string(),
                severity=self.severity(rule.child("severity")),
                patterns=self.pattern_list(rule.child("patterns")),
                when=self.condition(rule.child("when")),
                message=self.message(rule.child("message")),
                message_cases=self.cases(rule.child("message_cases"), "message", self.message),
            )
            for rule in reader.items()
        )

    def practices(self, reader: _Reader, capabilities: Iterable[str]) -> dict:
        reader.object()
        known = frozenset(capabilities)
        practices: dict[str, tuple[Practice, ...]] = {}
        for pattern_key in self.patterns:
            listed = reader.child(pattern_key)
            seen: set[str] = set()
            read = []
            for practice in listed.items() if listed.value is not None else ():
                practice.object()
                capability_reader = practice.child("capability")
                capability = capability_reader.string(optional=True) or None
                if capability is not None and capability not in known:
                    raise capability_reader.fail(f"unknown capability {capability!r}")
                in_place = practice.child("in_place_when")
                when = self.condition(practice.child("when"))
                cases = self.cases(practice.child("cases"), "severity", self.severity)
                estimated = when.questions.union(*(c.questions for c, _ in cases)) & set(
                    DERIVED_FIGURES
                )
                if capability is not None and estimated:
                    # Readiness counts such practices from the answers alone.
                    raise practice.fail(
                        f"a practice backed by a capability cannot depend on the estimate "
                        f"{sorted(estimated)[0]!r}"
                    )
                read.append(
                    Practice(
                        code=practice.child("code").key(seen, "practice"),
                        title=practice.child("title").string(),
                        capability=capability,
                        severity=self.severity(practice.child("severity")),
                        when=when,
                        severity_cases=cases,
                        message=self.message(practice.child("message")),
                        in_place_when=self.condition(in_place) if in_place.value else None,
                    )
                )
            practices[pattern_key] = tuple(read)
        for extra in reader.value:
            if extra not in self.patterns:
                raise reader.child(extra).fail(f"unknown pattern {extra!r}")
        return practices

    def readiness(self, reader: _Reader, capabilities: str | None) -> Readiness | None:
        if reader.value is None:
            return None
        reader.object()
        if capabilities is None:
            raise reader.fail("readiness needs the framework's capabilities question")
        experience_reader = reader.child("experience")
        experience = experience_reader.string(optional=True) or None
        choices = self.vocabulary.choices.get(experience, frozenset()) if experience else ()
        if experience is not None and experience not in self.vocabulary.choices:
            raise experience_reader.fail(f"unknown single-choice question {experience!r}")
        factors_reader = reader.child("factors")
        factors = {}
        if factors_reader.value is not None:
            factors_reader.object()
            for choice in factors_reader.value:
                if choice not in choices:
                    raise factors_reader.child(choice).fail(f"{choice!r} is not a choice")
                factors[choice] = _not_negative(factors_reader.child(choice))
        # Every answer needs its factor: the normalisation scale is bounded by the largest.
        for choice in sorted(choices):
            if choice not in factors:
                raise factors_reader.fail(f"expected a factor for the choice {choice!r}")
        points_reader = reader.child("severity_points").object()
        severity_points = {}
        for severity in points_reader.value:
            if severity not in SEVERITIES:
                raise points_reader.child(severity).fail(f"expected one of {', '.join(SEVERITIES)}")
            severity_points[severity] = _not_negative(points_reader.child(severity))
        weight = reader.child("weight").number()
        if weight < 0:
            raise reader.child("weight").fail("expected a weight of zero or more")
        why = reader.child("why").string()
        try:
            why.format(missing="", experience="")
        except (KeyError, IndexError, ValueError):
            raise reader.child("why").fail("only {missing} and {experience} may be named") from None
        return Readiness(
            title=reader.child("title").string(),
            weight=weight,
            patterns=self.pattern_list(reader.child("patterns")),
            severity_points=severity_points,
            experience=experience,
            factors=factors,
            unanswered_factor=_not_negative(reader.child("unanswered_factor"), default=1.0),
            why=why,
        )

    def estimators(self, reader: _Reader) -> tuple:
        """The tail-latency and backlog estimators: which answers they read, and defaults."""
        if reader.value is None:
            return None, None
        reader.object()
        numeric = self.vocabulary.numeric

        def field(parent: _Reader, name: str, *, optional: bool = False) -> str | None:
            child = parent.child(name)
            key = child.string(optional=optional) or None
            if key is not None and key not in numeric:
                raise child.fail(f"unknown number question or input {key!r}")
            return key

        tail = reader.child("tail_latency")
        tail_settings = None
        if tail.value is not None:
            tail.object()
            tail_settings = TailLatencySettings(
                hops=field(tail, "hops"),
                p50_ms=field(tail, "p50_ms", optional=True),
                p99_ms=field(tail, "p99_ms", optional=True),
                default_p50_ms=tail.child("default_p50_ms").number(optional=True, default=50.0),
                default_p99_ratio=tail.child("default_p99_ratio").number(
                    optional=True, default=5.0
                ),
            )
        backlog = reader.child("backlog")
        backlog_settings = None
        if backlog.value is not None:
            backlog.object()
            backlog_settings = BacklogSettings(
                messages=field(backlog, "messages"),
                processing_rate=field(backlog, "processing_rate"),
                arrival_rate=field(backlog, "arrival_rate", optional=True),
            )
        return tail_settings, backlog_settings
