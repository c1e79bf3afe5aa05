"""What the questionnaire form shows for each question: its choices or value, its problem,
and a conflict with answers saved elsewhere. Pure functions, like the presenters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from advisor.engine import Framework, check_answers
from advisor.presenters import answer_label
from advisor.questionnaire import (
    KEEP_MINE,
    NONE_YET,
    TAKE_THEIRS,
    error_sentence,
    jsonable,
    resolution_token,
    same_answer,
)

# Why a question is folded away when its framework gives no note of its own.
NOT_ASKED = "It does not apply to the answers given to the other questions."
NO_NOTE = SafeString("")


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    checked: bool
    id: str


@dataclass(frozen=True)
class ConflictNote:
    """A question changed differently here and in a save made elsewhere: both answers, in
    words, and the signed choices that settle it."""

    question: str
    theirs: str
    mine: str
    by: str
    keep_mine: str
    take_theirs: str


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
    conflict: ConflictNote | None = None
    # A question that does not apply to the answers is folded away with the note saying why.
    # Its answer is kept: posted back as `kept_values`, shown in words as `kept`.
    folded: bool = False
    folded_note: str = ""
    kept: str = ""
    kept_values: tuple[str, ...] = ()
    # What the system's map computes for this question, next to the field; `prefilled`
    # when the field shows the computed value because the question is not answered yet.
    map_note: SafeString = NO_NOTE
    prefilled: bool = False

    @property
    def feedback(self) -> SafeString:
        """What the question's message box holds: its problem, or the conflict to settle."""
        return _feedback(self.key, self.error, self.conflict)


@dataclass(frozen=True)
class SectionBlock:
    key: str
    title: str
    intro: str
    questions: tuple[QuestionBlock, ...]


@dataclass(frozen=True)
class ChainHint:
    """What the system's map computes for the question on synchronous hops: this
    interaction plus the longest synchronous chain below its receiver."""

    key: str  # the question it answers
    hops: int
    through_cycle: bool
    services: tuple[str, ...]  # along the path, from this interaction's caller down
    map_url: str
    prefill: bool  # the person may answer: an unanswered field shows the computed value

    def _hops(self) -> str:
        counted = f"{self.hops} synchronous hop{'' if self.hops == 1 else 's'}"
        return f"at least {counted}" if self.through_cycle else counted

    def _path(self) -> SafeString:
        path = format_html('<a href="{}">{}</a>', self.map_url, " → ".join(self.services))
        if self.through_cycle:
            return format_html("the path runs through a synchronous cycle: {}", path)
        return path

    def prefilled_note(self) -> SafeString:
        return format_html(
            "<strong>Computed from the map:</strong> {} ({}). It counts once you save; change "
            "it if the map misses a call.",
            self._hops(), self._path(),
        )  # fmt: skip

    def differs_note(self) -> SafeString:
        return format_html("The map counts {} below this call ({}).", self._hops(), self._path())


# A message box that shows something posts its question's key as `flagged`: the next live
# re-score then knows which boxes to clear without sending every box again.
_FLAGGED = '<input type="hidden" name="flagged" value="{}">'


def _feedback(key: str, error: str, conflict: ConflictNote | None) -> SafeString:
    if error:
        return format_html('<div class="invalid-feedback d-block">{}</div>' + _FLAGGED, error, key)
    if conflict is None:
        return SafeString("")
    return format_html(
        _FLAGGED + '<div class="conflict alert alert-warning p-2 mt-2 mb-0" role="alert">'
        '<p class="mb-1"><strong>Not saved: {} changed this too.</strong> '
        "Choose which answer to keep.</p>"
        '<dl class="conflict-answers mb-2">'
        "<dt>Theirs</dt><dd>{}</dd><dt>Yours</dt><dd>{}</dd></dl>"
        '<div class="d-flex flex-wrap gap-2">'
        '<button class="btn btn-sm btn-warning" type="submit" name="resolve" value="{}">'
        'Keep mine<span class="visually-hidden">: {}</span></button>'
        '<button class="btn btn-sm btn-outline-secondary" type="submit" name="resolve" '
        'value="{}">Take theirs<span class="visually-hidden">: {}</span></button>'
        "</div></div>",
        key, conflict.by, conflict.theirs, conflict.mine,
        conflict.keep_mine, conflict.mine, conflict.take_theirs, conflict.theirs,
    )  # fmt: skip


def _posted_values(value: Any) -> tuple[str, ...]:
    """An answer as the form fields that post it back unchanged."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(item) for item in value) or (NONE_YET,)
    return (str(value),)


def _question_block(
    framework: Framework, question, answers: dict, errors: dict, conflicts: dict, away,
    chain: ChainHint | None = None,
) -> QuestionBlock:  # fmt: skip
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
    # An answer with a problem stays open, where it can be put right: folded, it would be
    # posted back unchanged and keep every save from going through.
    folded = question.key in away and not error
    value = "" if current is None or options else current
    note, prefilled = NO_NOTE, False
    if chain is not None and chain.key == question.key and not folded:
        if current is None and chain.prefill:
            value, note, prefilled = chain.hops, chain.prefilled_note(), True
        elif not same_answer(current, chain.hops):
            note = chain.differs_note()
    return QuestionBlock(
        key=question.key, kind=question.kind, text=question.text, help=question.help,
        example=question.example, options=options, value=value,
        map_note=note, prefilled=prefilled,
        error=error_sentence(error) if error else "",
        minimum=question.minimum, maximum=question.maximum,
        conflict=conflicts.get(question.key),
        folded=folded, folded_note=(question.applies_note or NOT_ASKED) if folded else "",
        kept=_shown_answer(framework, question.key, current)
        if folded and current is not None else "",
        kept_values=_posted_values(current) if folded else (),
    )  # fmt: skip


def questionnaire_sections(
    framework: Framework,
    answers: dict,
    errors: dict[str, str] | None = None,
    conflicts: dict[str, ConflictNote] | None = None,
    not_applicable: tuple[str, ...] = (),
    chain: ChainHint | None = None,
) -> tuple[SectionBlock, ...]:
    """The questions grouped by section, with what is chosen or entered and any problem;
    the questions in `not_applicable` folded away, their answers kept; the question on
    synchronous hops with what the map computes (`chain`)."""
    errors = errors or {}
    conflicts = conflicts or {}
    away = set(not_applicable)
    return tuple(
        SectionBlock(
            section.key,
            section.title,
            section.intro,
            tuple(
                _question_block(framework, q, answers, errors, conflicts, away, chain)
                for q in framework.questions
                if q.section == section.key
            ),
        )
        for section in framework.sections
    )


def question_blocks(
    framework: Framework,
    keys: set[str],
    answers: dict,
    errors: dict[str, str] | None = None,
    conflicts: dict[str, ConflictNote] | None = None,
    not_applicable: tuple[str, ...] = (),
    chain: ChainHint | None = None,
) -> list[QuestionBlock]:
    """The blocks of the questions and inputs in `keys` only, in the framework's order: what
    a live re-score sends again, without building the rest of the form."""
    errors = errors or {}
    conflicts = conflicts or {}
    away = set(not_applicable)
    blocks = [_question_block(framework, q, answers, errors, conflicts, away, chain)
              for q in framework.questions if q.key in keys]  # fmt: skip
    blocks += [_input_block(i, answers, errors, conflicts) for i in framework.inputs
               if i.key in keys]  # fmt: skip
    return blocks


def folded_now(
    framework: Framework, errors: dict[str, str] | None, not_applicable: tuple[str, ...]
) -> set[str]:
    """The questions shown folded away: those that do not apply, unless their answer has a
    problem to put right."""
    questions = framework.questions_by_key
    return {key for key in not_applicable if key in questions and key not in (errors or {})}


def _plain_number(value: Any) -> str:
    """A number as a person would type it (500000, not 500000.0 or 5e+05); text as it was."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:f}".rstrip("0").rstrip(".")
    return str(value)


def _input_block(numeric, answers: dict, errors: dict, conflicts: dict) -> QuestionBlock:
    return QuestionBlock(
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
        conflict=conflicts.get(numeric.key),
    )


def estimator_inputs(
    framework: Framework,
    answers: dict,
    errors: dict[str, str] | None = None,
    conflicts: dict[str, ConflictNote] | None = None,
) -> tuple[QuestionBlock, ...]:
    errors = errors or {}
    conflicts = conflicts or {}
    return tuple(_input_block(numeric, answers, errors, conflicts) for numeric in framework.inputs)


def _shown_answer(framework: Framework, key: str, value: Any) -> str:
    if value is None:
        return "not answered"
    if key in framework.inputs_by_key:
        numeric = framework.inputs_by_key[key]
        return f"{_plain_number(value)} {numeric.unit}".strip()
    if isinstance(value, (list, tuple)) and not value:
        return "none of these yet"
    return answer_label(framework, key, value)


def conflict_notes(
    framework: Framework,
    interaction_id: int,
    keys: tuple[str, ...],
    *,
    theirs: dict,
    mine: dict,
    by: str,
) -> dict[str, ConflictNote]:
    """For each conflicting key: both answers in words and the two ways to settle it."""
    texts = _texts(framework)
    notes = {}
    for key in keys:
        saved = theirs.get(key)
        notes[key] = ConflictNote(
            question=texts.get(key, key),
            theirs=_shown_answer(framework, key, saved),
            mine=_shown_answer(framework, key, mine.get(key)),
            by=by or "someone else",
            keep_mine=resolution_token(interaction_id, key, KEEP_MINE, saved),
            take_theirs=resolution_token(interaction_id, key, TAKE_THEIRS, saved),
        )
    return notes


def error_boxes_oob(
    keys: list[str],
    errors: dict[str, str] | None = None,
    conflicts: dict[str, ConflictNote] | None = None,
) -> str:
    """The message boxes of `keys` as htmx out-of-band swaps: the ones with a problem or a
    conflict now, and the ones that showed one on the posting page (so they clear).

    Built here rather than in a template loop: it runs on every live re-score.
    """
    errors = errors or {}
    conflicts = conflicts or {}
    return format_html_join(
        "",
        '<div id="errors-{}" class="field-errors" hx-swap-oob="true" aria-live="polite">{}</div>',
        ((key, _feedback(key, error_sentence(errors[key]) if key in errors else "",
                         conflicts.get(key))) for key in keys),
    )  # fmt: skip


# --- answers given to another framework ---------------------------------------------------


@dataclass(frozen=True)
class FrameworkChange:
    """Answers given to another framework than the one the team scores with now: what the
    page says about carrying them over."""

    before: str  # "Crossroads default framework v2"
    now: str
    left_out: tuple[str, ...]  # the answers that do not fit, in words
    new_questions: tuple[str, ...]  # what the team's framework asks that the other did not


def framework_label(framework: Framework | None) -> str:
    """How a person reads a framework's identity: its title and version."""
    if framework is None:
        return "an earlier framework"
    return f"{framework.title} v{framework.version}"


def carry_over(
    now: Framework, before: Framework | None, answers: dict[str, Any]
) -> tuple[dict[str, Any], FrameworkChange]:
    """`answers`, given to the framework `before` (None when it is no longer known), as
    `now` takes them: the answers it accepts as they are, and what became of the others.

    An answer is carried over when `now` asks the same question (by key) and the answer is
    one of its choices or within its range; any other is left out, and named in words."""
    kept, problems = check_answers(now, answers)
    asked_before = {} if before is None else _texts(before)
    asked_now = _texts(now)
    left_out = []
    for key in problems:  # a key neither framework asks is nothing a person would recognise
        if key in asked_before:
            shown = _shown_answer(before, key, answers.get(key))
            left_out.append(f"“{asked_before[key]}” (was “{shown}”)")
        elif key in asked_now:
            left_out.append(f"“{asked_now[key]}” (an answer it does not offer)")
    new_questions = tuple(text for key, text in asked_now.items() if before is not None
                          and key not in asked_before)  # fmt: skip
    change = FrameworkChange(framework_label(before), framework_label(now), tuple(left_out),
                             new_questions)  # fmt: skip
    return jsonable(kept), change


def _texts(framework: Framework) -> dict[str, str]:
    texts = {question.key: question.text for question in framework.questions}
    texts.update({numeric.key: numeric.label for numeric in framework.inputs})
    return texts
