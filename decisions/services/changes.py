"""Changing a recorded decision: editing a proposal, amending an accepted decision, moving
it along its lifecycle."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from advisor.engine import evaluate, parse_answers
from advisor.frameworks import framework_for_record, framework_version_freeze
from decisions.content import all_option_texts, refill
from decisions.models import TRANSITIONS, Decision, Revision, Status
from decisions.search import refresh_search_text
from decisions.services.common import (
    CHOOSE_A_PATTERN,
    DecisionConflict,
    assess_current_answers,
    check_justification,
    editable,
    note_change,
    write_revision,
)


def option_texts_for(decision: Decision) -> dict[str, dict[str, str]]:
    """The pre-filled drivers and consequences of every option, from the frozen answers
    (none for an imported record, which froze no answers)."""
    if decision.imported:
        return {}
    framework = framework_for_record(decision)
    result = evaluate(framework, parse_answers(framework, decision.answers), with_sensitivity=False)
    return all_option_texts(framework, result)


def _imported_changes(decision: Decision, data: Mapping[str, Any]) -> dict[str, Any]:
    """The edited fields of an imported record: its chosen option in words (it names no
    pattern, and has no frozen assessment for a new choice to be scored against)."""
    changes = editable(data)
    changes["chosen_option"] = decision.chosen_option
    changes["chosen_title"] = " ".join(str(data.get("chosen_title") or "").split())[:300]
    return changes


def _with_result_for(decision: Decision, changes: dict[str, Any]) -> dict[str, Any]:
    """When the chosen option changes, the record's warnings and practices follow it, and
    text left as pre-filled follows too; the scores stay those of the frozen answers."""
    chosen = changes["chosen_option"]
    if chosen == decision.chosen_option:
        return changes
    framework = framework_for_record(decision)
    if chosen not in framework.pattern_keys:
        raise ValidationError({"chosen_option": CHOOSE_A_PATTERN})
    result = evaluate(framework, parse_answers(framework, decision.answers), pattern=chosen)
    changes, _ = refill(changes, all_option_texts(framework, result), chosen)
    fresh = result.as_dict()
    return {**changes, "result": {**decision.result, "warnings": fresh["warnings"],
                                  "mitigations": fresh["mitigations"]}}  # fmt: skip


def _refrozen(decision: Decision, changes: dict[str, Any], seen: int | None) -> dict[str, Any]:
    """The interaction's current answers and their result, frozen into `decision`.

    `seen` is the questionnaire revision when the form was opened: answers saved after it
    are refused, as when recording, so a re-freeze never takes answers nobody looked at.
    """
    if decision.interaction_id is None:
        raise ValidationError("The interaction was deleted: there are no current answers.")
    chosen = changes["chosen_option"]
    draft, framework, result = assess_current_answers(
        decision.interaction_id, seen=seen, chosen=chosen,
        changed="The questionnaire changed since this form was opened: open the interaction "
        "to read its new answers and advice, then re-freeze.",
    )  # fmt: skip
    changes, _ = refill(changes, all_option_texts(framework, result), chosen)
    return {
        **changes,
        "answers": draft.answers,
        "result": result.as_dict(),
        "recommended_option": result.recommendation if result.advised else "",
        "framework_name": framework.name,
        "framework_version": framework.version,
        "framework_frozen": framework_version_freeze(framework.name, framework.version),
    }


def _save_over(decision: Decision, *, base_version: int, changes: Mapping[str, Any]) -> None:
    """Apply `changes` only if nobody saved since `base_version`; bump the version."""
    updated = Decision.objects.filter(pk=decision.pk, version=base_version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now(),
        updated_on=timezone.localdate(),
    )  # fmt: skip
    if not updated:
        raise DecisionConflict(Decision.objects.get(pk=decision.pk))
    decision.refresh_from_db()


@transaction.atomic
def decision_update(
    *, decision: Decision, user, data: Mapping[str, Any], deciders: Iterable, base_version: int,
    note: str = "", refreeze: bool = False,
) -> Decision:  # fmt: skip
    """Edit a proposed decision in place (accepted ones are amended or superseded instead).

    `refreeze` replaces the frozen assessment with the interaction's current answers and
    result, for a proposal whose questionnaire moved on before it was accepted. An imported
    record has no assessment: its chosen option is text (`chosen_title`), nothing is scored
    again and no justification is asked for.
    """
    if not decision.editable:
        raise ValidationError(
            f"{decision.reference} is {decision.get_status_display().lower()}: "
            f"amend or supersede it instead of editing it."
        )
    if decision.imported:
        if refreeze:
            raise ValidationError(
                f"{decision.reference} was imported without an assessment: there is nothing "
                f"to re-freeze."
            )
        changes = _imported_changes(decision, data)
    else:
        if refreeze:
            changes = _refrozen(decision, editable(data), data.get("assessment_revision"))
        else:
            changes = _with_result_for(decision, editable(data))
        check_justification(data, changes.get("result", decision.result))
    _save_over(decision, base_version=base_version, changes=changes)
    decision.deciders.set(deciders)
    write_revision(decision, kind=Revision.Kind.EDITED, author=user, note=note)
    note_change(decision.team_id)
    refresh_search_text(decision)
    return decision


@transaction.atomic
def decision_amend(
    *, decision: Decision, user, data: Mapping[str, Any], deciders: Iterable, base_version: int,
    reason: str,
) -> Decision:  # fmt: skip
    """Change an accepted decision on the record: a revision that says why."""
    if decision.status != Status.ACCEPTED:
        raise ValidationError("Only accepted decisions are amended; edit proposed ones.")
    if not reason.strip():
        raise ValidationError({"reason": "An amendment needs a reason."})
    if decision.imported:
        changes = _imported_changes(decision, data)
    else:
        check_justification(data, decision.result)
        changes = _with_result_for(decision, editable(data))
    _save_over(decision, base_version=base_version, changes=changes)
    decision.deciders.set(deciders)
    write_revision(decision, kind=Revision.Kind.AMENDED, author=user, note=reason.strip())
    note_change(decision.team_id)
    refresh_search_text(decision)
    return decision


@transaction.atomic
def decision_change_status(
    *, decision: Decision, user, status: str, base_version: int, note: str = ""
) -> Decision:
    """Move a decision along its lifecycle. Accepting one supersedes the accepted decisions
    it replaces."""
    if status not in TRANSITIONS[decision.status]:
        allowed = " or ".join(Status(s).label.lower() for s in TRANSITIONS[decision.status])
        superseded = (
            " (it becomes superseded when a successor that names it is accepted)"
            if decision.status == Status.ACCEPTED else ""
        )  # fmt: skip
        raise ValidationError(
            f"{decision.reference} is {decision.get_status_display().lower()}; it can become "
            f"{allowed or 'nothing else'}{superseded}."
        )
    changes: dict[str, Any] = {"status": status}
    if status == Status.ACCEPTED and decision.decided_on is None:
        changes["decided_on"] = timezone.localdate()
    _save_over(decision, base_version=base_version, changes=changes)
    write_revision(decision, kind=Revision.Kind.STATUS, author=user, note=note)
    if status == Status.ACCEPTED:
        for old in decision.supersedes.filter(status=Status.ACCEPTED).select_for_update():
            _save_over(old, base_version=old.version, changes={"status": Status.SUPERSEDED})
            write_revision(
                old, kind=Revision.Kind.STATUS, author=user,
                note=f"Superseded by {decision.reference}.",
            )  # fmt: skip
    note_change(decision.team_id)
    return decision
