"""The framework as data: loading, validating and compiling a framework definition.

A framework file (JSON) holds the patterns, the questions with their choices and points,
the viability rules, the warning rules, each pattern's mitigations and the estimators'
defaults. Loading checks every part of it and reports the first problem with its path
inside the file, for example ``questions[3].choices[1].points.sync: expected a number``.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from advisor.engine.conditions import (
    ALWAYS,
    Condition,
    Vocabulary,
    compile_condition,
)
from advisor.engine.errors import FrameworkError

SEVERITIES = ("high", "medium", "low")
# Figures the engine derives from the answers, usable in warning and practice conditions.
DERIVED_FIGURES = ("estimated_p99_ms", "estimated_drain_seconds")
# Placeholders a warning or practice message may use besides question and input keys.
MESSAGE_FIGURES = ("hops", "tail_p50_ms", "tail_p99_ms", "p_hit_any_pct", "drain_hours")
QUESTION_KINDS = ("single", "multi", "integer")


@dataclass(frozen=True)
class Effect:
    """Points a choice gives each pattern (before the question's weight), and why."""

    points: Mapping[str, float]
    why: str
    when: Condition = ALWAYS


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    help: str
    effects: tuple[Effect, ...]  # the first whose condition holds applies (see scoring)


@dataclass(frozen=True)
class Band:
    """A range of an integer question's values that scores alike."""

    minimum: int
    maximum: int
    label: str
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class Question:
    key: str
    section: str
    text: str
    help: str
    example: str
    kind: str
    weight: float
    choices: tuple[Choice, ...] = ()
    bands: tuple[Band, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    # weight x this is the question's share of the normalisation scale (see scoring).
    max_points: float = 0.0

    @property
    def choice_keys(self) -> tuple[str, ...]:
        return tuple(choice.key for choice in self.choices)

    def band_for(self, value: int) -> Band | None:
        for band in self.bands:
            if band.minimum <= value <= band.maximum:
                return band
        return None

    def max_abs_points(self) -> float:
        """The largest absolute points any answer can give any pattern (before weight)."""
        options = self.choices or self.bands
        best = 0.0
        for option in options:
            for effect in option.effects:
                best = max(best, *(abs(p) for p in effect.points.values()), 0.0)
        if self.kind == "multi":
            # Several choices add up: the scale is the best total for one pattern.
            totals: dict[str, float] = {}
            for choice in self.choices:
                for pattern, points in choice.effects[0].points.items():
                    totals[pattern] = totals.get(pattern, 0.0) + abs(points)
            best = max(totals.values(), default=0.0)
        return best


@dataclass(frozen=True)
class NumericInput:
    key: str
    label: str
    help: str
    unit: str
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Pattern:
    key: str
    name: str
    summary: str
    broker_based: bool
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    good_consequences: tuple[str, ...]
    bad_consequences: tuple[str, ...]


@dataclass(frozen=True)
class ViabilityRule:
    key: str
    when: Condition
    rules_out: tuple[str, ...]
    reason: str
    title: str


@dataclass(frozen=True)
class WarningRule:
    code: str
    severity: str
    patterns: tuple[str, ...]
    when: Condition
    message: str
    title: str


@dataclass(frozen=True)
class Practice:
    """A practice a pattern needs, checked against the team's capabilities."""

    code: str
    title: str
    capability: str | None
    severity: str
    when: Condition
    severity_cases: tuple[tuple[Condition, str], ...]
    message: str

    def severity_for(self, answers: Mapping[str, Any]) -> str:
        for condition, severity in self.severity_cases:
            if condition(answers):
                return severity
        return self.severity


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str


@dataclass(frozen=True)
class Framework:
    name: str
    version: int
    title: str
    description: str
    patterns: tuple[Pattern, ...]
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    inputs: tuple[NumericInput, ...]
    viability: tuple[ViabilityRule, ...]
    warnings: tuple[WarningRule, ...]
    practices: Mapping[str, tuple[Practice, ...]]
    estimators: Mapping[str, Mapping[str, float]]
    # The questions that must be answered before the scores count as advice.
    advice_requires: tuple[str, ...] = ()

    @property
    def pattern_keys(self) -> tuple[str, ...]:
        return tuple(pattern.key for pattern in self.patterns)

    def pattern(self, key: str) -> Pattern:
        for pattern in self.patterns:
            if pattern.key == key:
                return pattern
        raise KeyError(key)

    def question(self, key: str) -> Question:
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)

    @cached_property
    def questions_by_key(self) -> dict[str, Question]:
        return {question.key: question for question in self.questions}

    @cached_property
    def inputs_by_key(self) -> dict[str, NumericInput]:
        return {numeric.key: numeric for numeric in self.inputs}

    @cached_property
    def scoring_dependents(self) -> dict[str, tuple[int, ...]]:
        """For each question key, the scoring-table rows whose points can change with it:
        its own row and every row with a case that mentions it."""
        rows: dict[str, set[int]] = {}
        for index, question in enumerate(self.questions):
            rows.setdefault(question.key, set()).add(index)
            for option in question.choices or question.bands:
                for effect in option.effects:
                    for referenced in effect.when.questions:
                        rows.setdefault(referenced, set()).add(index)
        return {key: tuple(sorted(indexes)) for key, indexes in rows.items()}

    @cached_property
    def scoring_table(self) -> tuple:
        """The questions flattened for fast scoring: points as tuples in pattern order.

        One row per question: (key, kind, weight, scale share, options), where options maps
        a choice key (or, for integer questions, is a list of (min, max, effects)) to its
        effects as (condition or None, moved patterns, why).
        """
        order = self.pattern_keys

        def flat(effects: tuple[Effect, ...], weight: float) -> tuple:
            # Only the patterns an effect moves, as (index, points, points x weight).
            return tuple(
                (
                    None if effect.when is ALWAYS else effect.when,
                    tuple(
                        (index, effect.points[pattern], effect.points[pattern] * weight)
                        for index, pattern in enumerate(order)
                        if effect.points.get(pattern)
                    ),
                    effect.why,
                )
                for effect in effects
            )

        rows = []
        for question in self.questions:
            if question.kind == "integer":
                options: Any = [
                    (band.minimum, band.maximum, flat(band.effects, question.weight))
                    for band in question.bands
                ]
            else:
                options = {
                    choice.key: flat(choice.effects, question.weight) for choice in question.choices
                }
            rows.append(
                (
                    question.key,
                    question.kind,
                    question.weight,
                    question.weight * question.max_points,
                    options,
                )
            )
        return tuple(rows)


# --- reading ---------------------------------------------------------------------------


class _Reader:
    """Typed access to a JSON value that knows its own path, for precise messages."""

    def __init__(self, value: Any, path: str) -> None:
        self.value = value
        self.path = path

    def fail(self, problem: str) -> FrameworkError:
        return FrameworkError(self.path, problem)

    def child(self, key: str | int) -> _Reader:
        if isinstance(key, int):
            return _Reader(self.value[key], f"{self.path}[{key}]")
        return _Reader(self.value.get(key), f"{self.path}.{key}" if self.path else key)

    def object(self) -> _Reader:
        if not isinstance(self.value, dict):
            raise self.fail("expected an object")
        return self

    def items(self) -> list[_Reader]:
        if not isinstance(self.value, list):
            raise self.fail("expected a list")
        return [self.child(index) for index in range(len(self.value))]

    def string(self, *, optional: bool = False, default: str = "") -> str:
        if self.value is None and optional:
            return default
        if not isinstance(self.value, str) or (not optional and not self.value.strip()):
            raise self.fail("expected a non-empty string")
        return self.value

    def number(self, *, optional: bool = False, default: float = 0.0) -> float:
        if self.value is None and optional:
            return default
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise self.fail("expected a number")
        return float(self.value)

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail("expected a whole number")
        return self.value

    def boolean(self, *, default: bool = False) -> bool:
        if self.value is None:
            return default
        if not isinstance(self.value, bool):
            raise self.fail("expected true or false")
        return self.value

    def strings(self, *, optional: bool = False) -> tuple[str, ...]:
        if self.value is None and optional:
            return ()
        return tuple(item.string() for item in self.items())

    def key(self, seen: set[str], what: str) -> str:
        key = self.string()
        if key in seen:
            raise self.fail(f"duplicate {what} key {key!r}")
        seen.add(key)
        return key


def _read_effects(
    option: _Reader, patterns: tuple[str, ...], vocabulary: Vocabulary | None
) -> tuple[Effect, ...]:
    """A choice's default points plus its ordered `cases` (the first that holds wins)."""

    def points_of(reader: _Reader) -> dict[str, float]:
        reader.object()
        for name in reader.value:
            if name not in patterns:
                raise reader.child(name).fail(f"unknown pattern {name!r}")
        return {name: reader.child(name).number() for name in reader.value}

    effects = []
    for case in option.child("cases").items() if option.value.get("cases") is not None else ():
        case.object()
        when = case.child("when")
        effects.append(
            Effect(
                points=points_of(case.child("points")),
                why=case.child("why").string(),
                when=compile_condition(when.string(), vocabulary, when.path)
                if vocabulary
                else ALWAYS,
            )
        )
    effects.append(
        Effect(points=points_of(option.child("points")), why=option.child("why").string())
    )
    return tuple(effects)


def _vocabulary(questions: _Reader, inputs: _Reader) -> Vocabulary:
    """A first pass over the questions, so conditions can refer to any of them."""
    choices: dict[str, frozenset[str]] = {}
    multi: dict[str, frozenset[str]] = {}
    numeric: set[str] = set()
    for question in questions.items():
        question.object()
        key = question.child("key").string()
        kind = question.child("kind").string()
        if kind not in QUESTION_KINDS:
            raise question.child("kind").fail(f"expected one of {', '.join(QUESTION_KINDS)}")
        if kind == "integer":
            numeric.add(key)
            continue
        keys = frozenset(
            choice.object().child("key").string() for choice in question.child("choices").items()
        )
        (multi if kind == "multi" else choices)[key] = keys
    for numeric_input in inputs.items() if inputs.value is not None else ():
        numeric.add(numeric_input.object().child("key").string())
    numeric.update(DERIVED_FIGURES)
    return Vocabulary(choices=choices, multi=multi, numeric=frozenset(numeric))


def _message(reader: _Reader, vocabulary: Vocabulary) -> str:
    """A message template: text with {placeholders} naming answers or estimate figures."""
    text = reader.string()
    allowed = (
        set(vocabulary.choices) | set(vocabulary.multi) | set(vocabulary.numeric)
        | set(MESSAGE_FIGURES)
    )  # fmt: skip
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        raise reader.fail(f"cannot read the message template ({error})") from None
    for name in fields:
        if name not in allowed:
            raise reader.fail(f"unknown placeholder {{{name}}} in the message")
    return text


def _read_question(
    reader: _Reader, patterns: tuple[str, ...], sections: set[str], vocabulary: Vocabulary
) -> Question:
    key = reader.child("key").string()
    kind = reader.child("kind").string()
    section = reader.child("section").string()
    if section not in sections:
        raise reader.child("section").fail(f"unknown section {section!r}")
    weight = reader.child("weight").number()
    if weight < 0:
        raise reader.child("weight").fail("expected a weight of zero or more")
    common = {
        "key": key,
        "section": section,
        "text": reader.child("text").string(),
        "help": reader.child("help").string(),
        "example": reader.child("example").string(optional=True),
        "kind": kind,
        "weight": weight,
    }
    if kind == "integer":
        minimum = reader.child("min").integer()
        maximum = reader.child("max").integer()
        if maximum < minimum:
            raise reader.child("max").fail("expected max to be at least min")
        bands = []
        for band in reader.child("bands").items():
            band.object()
            bands.append(
                Band(
                    minimum=band.child("min").integer(),
                    maximum=band.child("max").integer(),
                    label=band.child("label").string(),
                    effects=_read_effects(band, patterns, vocabulary),
                )
            )
        covered = sorted((band.minimum, band.maximum) for band in bands)
        expected = minimum
        for low, high in covered:
            if low != expected or high < low:
                raise reader.child("bands").fail(
                    f"bands must cover {minimum}..{maximum} without gaps or overlaps"
                )
            expected = high + 1
        if expected != maximum + 1:
            raise reader.child("bands").fail(
                f"bands must cover {minimum}..{maximum} without gaps or overlaps"
            )
        question = Question(**common, bands=tuple(bands), minimum=minimum, maximum=maximum)
        return replace(question, max_points=question.max_abs_points())

    seen: set[str] = set()
    choices = []
    for choice in reader.child("choices").items():
        choice.object()
        choices.append(
            Choice(
                key=choice.child("key").key(seen, "choice"),
                label=choice.child("label").string(),
                help=choice.child("help").string(),
                effects=_read_effects(choice, patterns, vocabulary),
            )
        )
    if len(choices) < 2 and kind == "single":
        raise reader.child("choices").fail("expected at least two choices")
    if kind == "multi" and any(len(choice.effects) > 1 for choice in choices):
        raise reader.child("choices").fail("multi-choice answers cannot have cases")
    question = Question(**common, choices=tuple(choices))
    return replace(question, max_points=question.max_abs_points())


def parse_framework(data: Any) -> Framework:
    """Validate and compile a framework definition (the parsed JSON)."""
    root = _Reader(data, "").object()
    name = root.child("name").string()
    version = root.child("version").integer()

    seen: set[str] = set()
    patterns = []
    for pattern in root.child("patterns").items():
        pattern.object()
        consequences = pattern.child("consequences")
        if consequences.value is not None:
            consequences.object()
        patterns.append(
            Pattern(
                key=pattern.child("key").key(seen, "pattern"),
                name=pattern.child("name").string(),
                summary=pattern.child("summary").string(),
                broker_based=pattern.child("broker_based").boolean(),
                pros=pattern.child("pros").strings(optional=True),
                cons=pattern.child("cons").strings(optional=True),
                good_consequences=consequences.child("good").strings(optional=True)
                if consequences.value is not None
                else (),
                bad_consequences=consequences.child("bad").strings(optional=True)
                if consequences.value is not None
                else (),
            )
        )
    if not patterns:
        raise root.child("patterns").fail("expected at least one pattern")
    pattern_keys = tuple(pattern.key for pattern in patterns)

    seen = set()
    sections = []
    for section in root.child("sections").items():
        section.object()
        sections.append(
            Section(
                key=section.child("key").key(seen, "section"),
                title=section.child("title").string(),
                intro=section.child("intro").string(optional=True),
            )
        )

    inputs_reader = root.child("inputs")
    vocabulary = _vocabulary(root.child("questions"), inputs_reader)
    seen = set()
    questions = []
    for question in root.child("questions").items():
        question.child("key").key(seen, "question")
        questions.append(
            _read_question(question, pattern_keys, {s.key for s in sections}, vocabulary)
        )

    inputs = []
    for numeric in inputs_reader.items() if inputs_reader.value is not None else ():
        minimum = numeric.child("min").number()
        maximum = numeric.child("max").number()
        if maximum < minimum:
            raise numeric.child("max").fail("expected max to be at least min")
        key = numeric.child("key").key(seen, "question or input")
        inputs.append(
            NumericInput(
                key=key,
                label=numeric.child("label").string(),
                help=numeric.child("help").string(),
                unit=numeric.child("unit").string(optional=True),
                minimum=minimum,
                maximum=maximum,
            )
        )

    def pattern_list(reader: _Reader) -> tuple[str, ...]:
        keys = reader.strings()
        for index, key in enumerate(keys):
            if key not in pattern_keys:
                raise reader.child(index).fail(f"unknown pattern {key!r}")
        return keys

    def severity(reader: _Reader) -> str:
        value = reader.string()
        if value not in SEVERITIES:
            raise reader.fail(f"expected one of {', '.join(SEVERITIES)}")
        return value

    def condition(reader: _Reader) -> Condition:
        return compile_condition(reader.string(optional=True), vocabulary, reader.path)

    seen = set()
    viability = [
        ViabilityRule(
            key=rule.object().child("key").key(seen, "viability rule"),
            when=condition(rule.child("when")),
            rules_out=pattern_list(rule.child("rules_out")),
            reason=rule.child("reason").string(),
            title=rule.child("title").string(optional=True),
        )
        for rule in root.child("viability").items()
    ]

    seen = set()
    warnings = [
        WarningRule(
            code=rule.object().child("code").key(seen, "warning"),
            title=rule.child("title").string(),
            severity=severity(rule.child("severity")),
            patterns=pattern_list(rule.child("patterns")),
            when=condition(rule.child("when")),
            message=_message(rule.child("message"), vocabulary),
        )
        for rule in root.child("warnings").items()
    ]

    capabilities = vocabulary.multi.get("capabilities", frozenset())
    practices_reader = root.child("practices").object()
    practices: dict[str, tuple[Practice, ...]] = {}
    for pattern_key in pattern_keys:
        listed = practices_reader.child(pattern_key)
        seen = set()
        pattern_practices = []
        for practice in listed.items() if listed.value is not None else ():
            practice.object()
            capability_reader = practice.child("capability")
            capability = capability_reader.string(optional=True) or None
            if capability is not None and capability not in capabilities:
                raise capability_reader.fail(f"unknown capability {capability!r}")
            cases = []
            for case in practice.child("cases").items() if practice.value.get("cases") else ():
                case.object()
                cases.append((condition(case.child("when")), severity(case.child("severity"))))
            pattern_practices.append(
                Practice(
                    code=practice.child("code").key(seen, "practice"),
                    title=practice.child("title").string(),
                    capability=capability,
                    severity=severity(practice.child("severity")),
                    when=condition(practice.child("when")),
                    severity_cases=tuple(cases),
                    message=_message(practice.child("message"), vocabulary),
                )
            )
        practices[pattern_key] = tuple(pattern_practices)
    for extra in practices_reader.value:
        if extra not in pattern_keys:
            raise practices_reader.child(extra).fail(f"unknown pattern {extra!r}")

    estimators_reader = root.child("estimators")
    estimators: dict[str, dict[str, float]] = {}
    if estimators_reader.value is not None:
        estimators_reader.object()
        for estimator, settings in estimators_reader.value.items():
            settings_reader = estimators_reader.child(estimator).object()
            estimators[estimator] = {
                setting: settings_reader.child(setting).number() for setting in settings
            }

    advice_reader = root.child("advice_requires")
    advice_requires = advice_reader.strings(optional=True) if advice_reader.value else ()
    question_keys = {question.key for question in questions}
    for index, key in enumerate(advice_requires):
        if key not in question_keys:
            raise advice_reader.child(index).fail(f"unknown question {key!r}")

    return Framework(
        name=name,
        version=version,
        title=root.child("title").string(optional=True, default=name),
        description=root.child("description").string(optional=True),
        patterns=tuple(patterns),
        sections=tuple(sections),
        questions=tuple(questions),
        inputs=tuple(inputs),
        viability=tuple(viability),
        warnings=tuple(warnings),
        practices=practices,
        estimators=estimators,
        advice_requires=advice_requires,
    )


FRAMEWORKS_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "frameworks"


def load_framework(name_or_path: str | Path = "default") -> Framework:
    """Load a framework by name (from fixtures/frameworks/) or from a JSON file path."""
    path = Path(name_or_path)
    if path.suffix != ".json":
        path = FRAMEWORKS_DIR / f"{name_or_path}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        available = sorted(p.stem for p in FRAMEWORKS_DIR.glob("*.json"))
        raise FrameworkError(
            "", f"no framework {str(name_or_path)!r} (available: {', '.join(available)})"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FrameworkError(
            "", f"{path.name} is not valid JSON (line {error.lineno}: {error.msg})"
        ) from None
    return parse_framework(data)
