"""Turns an engine result into what the scoreboard shows, in plain words.

Pure functions of (framework, result): no database, no request. Templates only lay out what
these return.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join

from advisor.engine import Framework, Result
from advisor.questionnaire import NONE_YET, error_sentence

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
        by = f" (by {flip['margin']:g} points)"
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
            recommended=key == result.recommendation,
            reasons=tuple(reasons.get(key, ())),
        )
        for key in result.ranking
    )
    viable = [key for key in result.ranking if tally.viable[key]]
    runner_up = next((key for key in viable if key != result.recommendation), None)

    drivers = ()
    if runner_up is not None:
        # Per answered question: how many raw points it gives the winner over the runner-up.
        position = {key: index for index, key in enumerate(framework.pattern_keys)}
        leads = []
        for question in framework.questions:
            points = tally.unweighted.get(question.key)
            if points is None:
                continue
            # In score points (0-100), so the leads are comparable with the margin.
            lead = (
                (points[position[result.recommendation]] - points[position[runner_up]])
                * question.weight
                * 50
                / tally.scale
            )
            if lead > 0:
                whys = [c.why for c in tally.contributions[result.recommendation]
                        if c.question == question.key]  # fmt: skip
                leads.append(
                    Driver(
                        question=question.text,
                        answer=answer_label(framework, question.key, result.answers[question.key]),
                        lead=round(lead, 1),
                        why=whys[0] if whys else "",
                    )
                )
        drivers = tuple(sorted(leads, key=lambda d: -d.lead)[:MAX_DRIVERS])

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
    )


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    checked: bool
    id: str


@dataclass(frozen=True)
class QuestionBlock:
    key: str
    kind: str  # "single", "multi", "integer" or "number" (an estimator input)
    text: str
    help: str
    example: str
    options: tuple[Option, ...]  # choices, for single and multi
    value: Any  # as entered, for integer and number
    error: str
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class SectionBlock:
    key: str
    title: str
    intro: str
    questions: tuple[QuestionBlock, ...]


def questionnaire_sections(
    framework: Framework, answers: dict, errors: dict[str, str] | None = None
) -> tuple[SectionBlock, ...]:
    """The questions grouped by section, with what is chosen or entered and any problem."""
    errors = errors or {}

    def block(question) -> QuestionBlock:
        current = answers.get(question.key)
        options: tuple[Option, ...] = ()
        if question.kind == "single":
            choices = [(c.key, c.label) for c in question.choices] + [("", "Not answered")]
            options = tuple(
                Option(key, label, (current or "") == key, f"id_{question.key}_{index}")
                for index, (key, label) in enumerate(choices)
            )
        elif question.kind == "multi":
            chosen = set(current or ())
            options = (
                *(
                    Option(c.key, c.label, c.key in chosen, f"id_{question.key}_{index}")
                    for index, c in enumerate(question.choices)
                ),
                Option(NONE_YET, "None of these yet", current is not None and not chosen,
                       f"id_{question.key}_none"),
            )  # fmt: skip
        error = errors.get(question.key, "")
        return QuestionBlock(
            key=question.key, kind=question.kind, text=question.text, help=question.help,
            example=question.example, options=options,
            value="" if current is None or options else current,
            error=error_sentence(error) if error else "",
            minimum=question.minimum, maximum=question.maximum,
        )  # fmt: skip

    return tuple(
        SectionBlock(
            section.key,
            section.title,
            section.intro,
            tuple(block(q) for q in framework.questions if q.section == section.key),
        )
        for section in framework.sections
    )


def _plain_number(value: Any) -> str:
    """A number as a person would type it (500000, not 500000.0 or 5e+05); text as it was."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:f}".rstrip("0").rstrip(".")
    return str(value)


def estimator_inputs(
    framework: Framework, answers: dict, errors: dict[str, str] | None = None
) -> tuple[QuestionBlock, ...]:
    errors = errors or {}
    return tuple(
        QuestionBlock(
            key=numeric.key,
            kind="number",
            text=numeric.label,
            help=numeric.help,
            example="",
            options=(),
            value=_plain_number(answers.get(numeric.key)),
            error=error_sentence(errors[numeric.key]) if numeric.key in errors else "",
            minimum=numeric.minimum,
            maximum=numeric.maximum,
            unit=numeric.unit,
        )
        for numeric in framework.inputs
    )


def answer_differences(framework: Framework, theirs: dict, mine: dict) -> tuple[dict, ...]:
    """Where two answer sets differ, in framework order, with readable labels."""
    differences = []
    keys = [q.key for q in framework.questions] + [i.key for i in framework.inputs]
    labels = {q.key: q.text for q in framework.questions}
    labels.update({i.key: i.label for i in framework.inputs})
    for key in keys:
        a, b = theirs.get(key), mine.get(key)
        if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
            a, b = sorted(a or []), sorted(b or [])
        if a != b:
            differences.append(
                {
                    "question": labels[key],
                    "theirs": "not answered"
                    if a in (None, [])
                    else answer_label(framework, key, a),
                    "mine": "not answered" if b in (None, []) else answer_label(framework, key, b),
                }
            )
    return tuple(differences)


def error_boxes_oob(sections: tuple[SectionBlock, ...], inputs: tuple[QuestionBlock, ...]) -> str:
    """Every field's error box as an htmx out-of-band swap, so fixed fields clear too.

    Built here rather than in a template loop: it runs on every live re-score.
    """
    blocks = [q for section in sections for q in section.questions] + list(inputs)
    return format_html_join(
        "",
        '<div id="errors-{}" class="field-errors" hx-swap-oob="true" aria-live="polite">{}</div>',
        (
            (q.key, format_html('<div class="invalid-feedback d-block">{}</div>', q.error)
             if q.error else "")
            for q in blocks
        ),
    )  # fmt: skip
