"""Reading a framework definition: validating every part and compiling it to the model.

A framework file (JSON) holds the patterns, the questions with their choices and points,
the viability rules, the warning rules, each pattern's mitigations and the estimators'
defaults. Reading checks every part of it and reports the first problem with its path
inside the file, for example ``questions[3].choices[1].points.sync: expected a number``.
"""

from __future__ import annotations

import string
from dataclasses import replace
from typing import Any

from advisor.engine.conditions import (
    ALWAYS,
    Condition,
    Vocabulary,
    compile_condition,
)
from advisor.engine.framework import (
    DERIVED_FIGURES,
    MESSAGE_FIGURES,
    QUESTION_KINDS,
    SEVERITIES,
    Band,
    Choice,
    Effect,
    Framework,
    NumericInput,
    Pattern,
    Practice,
    Question,
    Section,
    ViabilityRule,
    WarningRule,
)
from advisor.engine.json_reader import JsonReader as _Reader


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
