"""Reading a framework definition: validating every part and compiling it to the model.

A framework file (JSON) holds the patterns, the questions with their choices and points,
the viability rules, the warning rules, each pattern's mitigations and the estimators'
defaults. Reading checks every part of it and reports the first problem with its path
inside the file, for example ``questions[3].choices[1].points.sync: expected a number``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from advisor.engine.conditions import (
    ALWAYS,
    Vocabulary,
    compile_condition,
)
from advisor.engine.framework import (
    DERIVED_FIGURES,
    QUESTION_KINDS,
    Band,
    Choice,
    Effect,
    Framework,
    NumericInput,
    Pattern,
    Question,
    Section,
)
from advisor.engine.framework_rules import RuleReader
from advisor.engine.json_reader import JsonReader as _Reader
from advisor.engine.plan import READINESS

# Files of format versions before this one are upgraded on reading (see upgrade_legacy).
LEGACY_BEFORE = 3


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
        if key == READINESS:
            raise question.child("key").fail(f"{READINESS!r} is kept for operational readiness")
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
    applies = reader.child("applies_when")
    common = {
        "key": key,
        "applies_when": compile_condition(applies.string(optional=True), vocabulary, applies.path),
        "applies_note": reader.child("applies_note").string(optional=True),
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


def upgrade_legacy(data: Any) -> Any:
    """Fill in what files of format versions 1 and 2 left implicit.

    Older definitions (frozen into decisions recorded with them) named neither the
    capabilities question, nor the answers the estimators read, nor the input a p99 may not
    be below: the engine used the keys of the framework SPEC. From version 3 a framework
    declares them, and nothing is filled in.
    """
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        return data
    if not isinstance(data.get("version"), int) or data["version"] >= LEGACY_BEFORE:
        return data
    keys = {q.get("key") for q in data["questions"] if isinstance(q, dict)}
    keys |= {i.get("key") for i in data.get("inputs") or () if isinstance(i, dict)}
    data = dict(data)
    if "capabilities" in keys:
        data.setdefault("capabilities", "capabilities")
    if "per_hop_p50_ms" in keys:
        data["inputs"] = [
            {**i, "at_least": "per_hop_p50_ms"}
            if isinstance(i, dict) and i.get("key") == "per_hop_p99_ms"
            else i
            for i in data["inputs"]
        ]
    estimators = data.get("estimators") or {}
    if not isinstance(estimators, dict):
        return data
    estimators = dict(estimators)
    if "chain_depth" in keys:  # the tail was estimated whenever the depth was answered
        tail = estimators.get("tail_latency")
        estimators["tail_latency"] = {
            "hops": "chain_depth",
            **{k: f"per_hop_{k}" for k in ("p50_ms", "p99_ms") if f"per_hop_{k}" in keys},
            **(tail if isinstance(tail, dict) else {}),
        }
    if "backlog" not in estimators and {"backlog_messages", "processing_rate_per_s"} <= keys:
        estimators["backlog"] = {
            "messages": "backlog_messages",
            "processing_rate": "processing_rate_per_s",
            "arrival_rate": "arrival_rate_per_s" if "arrival_rate_per_s" in keys else None,
        }
    data["estimators"] = estimators
    return data


def parse_framework(data: Any) -> Framework:
    """Validate and compile a framework definition (the parsed JSON)."""
    root = _Reader(upgrade_legacy(data), "").object()
    name = root.child("name").string()
    version = root.child("version").integer()
    inputs_reader = root.child("inputs")
    vocabulary = _vocabulary(root.child("questions"), inputs_reader)

    seen: set[str] = set()
    patterns = []
    pattern_readers = []
    for pattern in root.child("patterns").items():
        pattern.object()
        pattern_readers.append(pattern)
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
    rules = RuleReader(vocabulary, pattern_keys)
    patterns = [
        replace(pattern, premises=rules.premises(reader.child("premises")))
        for pattern, reader in zip(patterns, pattern_readers, strict=True)
    ]

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

    seen = set()
    questions = []
    for question in root.child("questions").items():
        question.child("key").key(seen, "question")
        questions.append(
            _read_question(question, pattern_keys, {s.key for s in sections}, vocabulary)
        )
    conditional = {question.key for question in questions if question.applies_when.text}
    for index, question in enumerate(questions):
        nested = question.applies_when.questions & conditional
        if nested:
            raise (
                root.child("questions")
                .child(index)
                .child("applies_when")
                .fail(f"may refer only to questions that always apply, not {sorted(nested)[0]!r}")
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
                at_least=numeric.child("at_least").string(optional=True) or None,
            )
        )
    input_keys = {numeric.key for numeric in inputs}
    for index, numeric in enumerate(inputs):
        if numeric.at_least is not None and numeric.at_least not in input_keys:
            raise (
                inputs_reader.child(index)
                .child("at_least")
                .fail(f"unknown input {numeric.at_least!r}")
            )

    capabilities_reader = root.child("capabilities")
    capabilities = capabilities_reader.string(optional=True) or None
    if capabilities is not None and capabilities not in vocabulary.multi:
        raise capabilities_reader.fail(f"unknown multi-choice question {capabilities!r}")
    capability_choices = vocabulary.multi.get(capabilities, frozenset()) if capabilities else ()
    tail_latency, backlog = rules.estimators(root.child("estimators"))

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
        viability=rules.viability(root.child("viability")),
        warnings=rules.warnings(root.child("warnings")),
        practices=rules.practices(root.child("practices"), capability_choices),
        tail_latency=tail_latency,
        backlog=backlog,
        capabilities=capabilities,
        readiness=rules.readiness(root.child("readiness"), capabilities),
        advice_requires=advice_requires,
    )
