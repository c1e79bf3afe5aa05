"""What every decision write shares: the editable fields, the justification rule, numbering
and the immutable revisions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from advisor.engine import Framework, Result, evaluate, parse_answers
from advisor.frameworks import framework_get
from advisor.models import Assessment, Team
from decisions.models import Decision, DecisionSequence, Revision
from decisions.presenters import exclusions_of

EDITABLE_FIELDS = (
    "title", "decided_on", "consulted", "informed", "context", "drivers", "chosen_option",
    "justification", "good_consequences", "bad_consequences", "confirmation", "links",
)  # fmt: skip

AGAINST_ADVICE = "You chose against the advisor's recommendation: say why, for the record."
CHOOSE_A_PATTERN = "Choose one of the framework's patterns."
# A ruled-out choice breaks one of the framework's hard rules: a word or two will not do.
RULED_OUT_MINIMUM = 40


def assess_current_answers(
    interaction_id: int, *, seen: int | None, chosen: str, changed: str
) -> tuple[Assessment, Framework, Result]:
    """The interaction's answers (locked until the transaction ends) evaluated for the
    `chosen` pattern, whose warnings and practices the record keeps, whatever was
    recommended. `seen` is the questionnaire revision the form was opened on: answers saved
    after it are refused with the message `changed`, so nothing freezes advice nobody read."""
    draft = Assessment.objects.select_for_update().get(interaction_id=interaction_id)
    if seen is not None and seen != draft.revision:
        raise ValidationError(changed)
    framework = framework_get(draft.framework_name, draft.framework_version)
    if chosen not in framework.pattern_keys:
        raise ValidationError({"chosen_option": CHOOSE_A_PATTERN})
    return draft, framework, evaluate(framework, parse_answers(framework, draft.answers),
                                      pattern=chosen)  # fmt: skip


class DecisionConflict(Exception):
    """Someone saved the decision after the editor loaded it."""

    def __init__(self, current: Decision) -> None:
        self.current = current
        super().__init__(f"{current.reference} was saved by someone else in the meantime.")


def sequence_locked(team: Team) -> DecisionSequence:
    """The team's sequence row, locked until the surrounding transaction ends."""
    try:
        with transaction.atomic():
            DecisionSequence.objects.get_or_create(team=team)
    except IntegrityError:  # created by a concurrent first decision: it exists now
        pass
    return DecisionSequence.objects.select_for_update().get(team=team)


def decision_number_allocate(*, team: Team) -> int:
    """The team's next decision number, for a decision created in the same transaction (it
    is counted as recorded). The sequence row stays locked until the transaction ends, so
    two people recording at once never get the same number."""
    sequence = sequence_locked(team)
    sequence.last_number = F("last_number") + 1
    sequence.recorded = F("recorded") + 1
    sequence.changes = F("changes") + 1
    sequence.save(update_fields=["last_number", "recorded", "changes"])
    sequence.refresh_from_db(fields=["last_number"])
    return sequence.last_number


def note_change(team_id: int) -> None:
    """Mark the team's log as changed, in the transaction that changes it."""
    DecisionSequence.objects.filter(team_id=team_id).update(changes=F("changes") + 1)


def editable(data: Mapping[str, Any]) -> dict[str, Any]:
    """The editable fields from form data: text fields default to "", the date to None."""
    values = {field: data.get(field) or "" for field in EDITABLE_FIELDS}
    for field, value in values.items():  # browsers post CRLF; records keep LF
        if isinstance(value, str):
            values[field] = value.replace("\r\n", "\n")
    values["decided_on"] = data.get("decided_on") or None
    values["title"] = " ".join(str(values["title"]).split())  # one line, whatever was sent
    return values


def check_justification(data: Mapping[str, Any], result: Mapping[str, Any]) -> None:
    """A choice against the advice needs a reason; a choice that was not an option (a hard
    rule rules it out, or one of its premises does not hold) needs a real one.

    `result` is the frozen result (its `recommendation`, `advice` and `vetoes`).
    """
    chosen = data["chosen_option"]
    justification = str(data.get("justification", "")).strip()
    # A hard rule and an unmet premise ask the same of the team: a real reason.
    exclusions = exclusions_of(None, result, chosen)
    if exclusions:
        if len(justification) < RULED_OUT_MINIMUM:
            why = " ".join(exclusion.sentence for exclusion in exclusions)
            given = f"yours has {len(justification)}" if justification else "none is given yet"
            raise ValidationError({"justification": (
                f"{why} Explain in at least {RULED_OUT_MINIMUM} characters ({given}) why the "
                f"team takes it anyway and how it will live with that."
            )})  # fmt: skip
        return
    advised = result.get("advice", {}).get("given", True)
    if advised and chosen != result.get("recommendation") and not justification:
        raise ValidationError({"justification": AGAINST_ADVICE})


def snapshot(decision: Decision) -> dict[str, Any]:
    """The decision as a revision stores it (JSON-safe)."""
    return snapshot_of(
        decision,
        deciders=[user.get_username() for user in decision.deciders.all()],
        supersedes=[d.reference for d in decision.supersedes.all()],
    )


def snapshot_of(decision: Decision, *, deciders: list[str], supersedes: list[str]) -> dict:
    """`snapshot` for a decision whose decision-makers' user names and superseded
    references are known without reading them back."""
    data = {field: getattr(decision, field) for field in EDITABLE_FIELDS}
    data["decided_on"] = decision.decided_on.isoformat() if decision.decided_on else None
    if decision.chosen_title:
        data["chosen_title"] = decision.chosen_title
    data.update(
        status=str(decision.status),
        deciders=sorted(deciders),
        supersedes=sorted(supersedes),
        answers=decision.answers,
        scores=decision.result.get("scores", {}),
        recommendation=decision.recommended_option,
        framework={"name": decision.framework_name, "version": decision.framework_version},
    )
    return data


def write_revision(decision: Decision, *, kind: str, author, note: str = "") -> Revision:
    return Revision.objects.create(
        decision=decision, version=decision.version, kind=kind, note=note, author=author,
        data=snapshot(decision),
    )  # fmt: skip
