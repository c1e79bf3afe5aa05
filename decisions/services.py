"""Writes for decision records: recording, editing, amending, status changes, superseding.

Every write saves the decision and an immutable revision in one transaction. Saves carry
the version the editor started from; a save over a newer version raises `DecisionConflict`
instead of overwriting it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from advisor.engine import evaluate, parse_answers
from advisor.frameworks import get_framework
from advisor.models import Assessment, Interaction, Team
from advisor.presenters import answer_label
from decisions.models import TRANSITIONS, Decision, DecisionSequence, Revision, Status

EDITABLE_FIELDS = (
    "title", "decided_on", "consulted", "informed", "context", "drivers", "chosen_option",
    "justification", "good_consequences", "bad_consequences", "confirmation", "links",
)  # fmt: skip


AGAINST_ADVICE = "You chose against the advisor's recommendation: say why, for the record."


class DecisionConflict(Exception):
    """Someone saved the decision after the editor loaded it."""

    def __init__(self, current: Decision) -> None:
        self.current = current
        super().__init__(f"{current.reference} was saved by someone else in the meantime.")


def _sequence(team: Team) -> DecisionSequence:
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
    sequence = _sequence(team)
    sequence.last_number = F("last_number") + 1
    sequence.recorded = F("recorded") + 1
    sequence.changes = F("changes") + 1
    sequence.save(update_fields=["last_number", "recorded", "changes"])
    sequence.refresh_from_db(fields=["last_number"])
    return sequence.last_number


def _note_change(team_id: int) -> None:
    """Mark the team's log as changed, in the transaction that changes it."""
    DecisionSequence.objects.filter(team_id=team_id).update(changes=F("changes") + 1)


def decision_defaults(*, interaction: Interaction, draft: Assessment) -> dict[str, Any]:
    """What a new decision starts with: the advice, its strongest reasons, the pattern's
    consequences, and the draft revision they come from. Everything is editable."""
    framework = get_framework(draft.framework_name)
    result = evaluate(framework, parse_answers(framework, draft.answers), with_sensitivity=False)
    pattern = framework.pattern(result.recommendation)
    strongest = sorted(result.tally.contributions[result.recommendation], key=lambda c: -c.points)[
        :5
    ]
    questions = framework.questions_by_key
    drivers = "\n".join(
        f"- {questions[c.question].text} **{answer_label(framework, c.question, c.answer)}**: "
        f"{c.why}"
        for c in strongest
        if c.points > 0
    )
    context = (
        f"{interaction.source.name} calls {interaction.target.name} "
        f"({interaction.system.name}: {interaction.name})."
    )
    if interaction.description:
        context += f" {interaction.description}"
    return {
        "assessment_revision": draft.revision,
        "preview": result.as_dict(),
        "title": f"How {interaction.source.name} calls {interaction.target.name}: "
        f"{interaction.name}",
        "context": context,
        "drivers": drivers,
        "chosen_option": result.recommendation,
        "good_consequences": "\n".join(f"- {line}" for line in pattern.good_consequences),
        "bad_consequences": "\n".join(f"- {line}" for line in pattern.bad_consequences),
    }


def _editable(data: Mapping[str, Any]) -> dict[str, Any]:
    """The editable fields from form data: text fields default to "", the date to None."""
    values = {field: data.get(field) or "" for field in EDITABLE_FIELDS}
    values["decided_on"] = data.get("decided_on") or None
    values["title"] = " ".join(str(values["title"]).split())  # one line, whatever was sent
    return values


def _check_justification(data: Mapping[str, Any], recommended: str) -> None:
    if data["chosen_option"] != recommended and not str(data.get("justification", "")).strip():
        raise ValidationError({"justification": AGAINST_ADVICE})


def _snapshot(decision: Decision) -> dict[str, Any]:
    """The decision as a revision stores it (JSON-safe)."""
    data = {field: getattr(decision, field) for field in EDITABLE_FIELDS}
    data["decided_on"] = decision.decided_on.isoformat() if decision.decided_on else None
    data.update(
        status=decision.status,
        deciders=sorted(user.get_username() for user in decision.deciders.all()),
        supersedes=sorted(d.reference for d in decision.supersedes.all()),
        answers=decision.answers,
        scores=decision.result.get("scores", {}),
        recommendation=decision.recommended_option,
        framework={"name": decision.framework_name, "version": decision.framework_version},
    )
    return data


def _write_revision(decision: Decision, *, kind: str, author, note: str = "") -> Revision:
    return Revision.objects.create(
        decision=decision, version=decision.version, kind=kind, note=note, author=author,
        data=_snapshot(decision),
    )  # fmt: skip


@transaction.atomic
def decision_record(
    *,
    interaction: Interaction,
    user,
    data: Mapping[str, Any],
    deciders: Iterable = (),
    supersedes: Iterable[Decision] = (),
) -> Decision:
    """Record a decision from the interaction's current answers, frozen as they are now.

    `data["assessment_revision"]`, when given, is the draft revision the person saw; if the
    answers changed since, nothing is recorded (they would freeze advice nobody read).
    """
    draft = Assessment.objects.select_for_update().get(interaction=interaction)
    seen = data.get("assessment_revision")
    if seen is not None and seen != draft.revision:
        raise ValidationError(
            "The answers changed since this form was opened (someone saved the "
            "questionnaire). Check the new recommendation below, then record."
        )
    framework = get_framework(draft.framework_name)
    if data["chosen_option"] not in framework.pattern_keys:
        raise ValidationError({"chosen_option": "Choose one of the framework's patterns."})
    # Warnings and practices are those of the chosen pattern, whatever was recommended.
    result = evaluate(
        framework, parse_answers(framework, draft.answers), pattern=data["chosen_option"]
    )
    _check_justification(data, result.recommendation)
    team = interaction.system.team
    supersedes = list(supersedes)
    if any(old.team_id != team.pk for old in supersedes):
        raise ValidationError({"supersedes": "Only decisions of the same team can be superseded."})
    if any(old.status != Status.ACCEPTED for old in supersedes):
        raise ValidationError({"supersedes": "Only accepted decisions can be superseded."})
    decision = Decision.objects.create(
        team=team,
        number=decision_number_allocate(team=team),
        interaction=interaction,
        system_name=interaction.system.name,
        interaction_name=interaction.name,
        framework_name=framework.name,
        framework_version=framework.version,
        answers=draft.answers,
        result=result.as_dict(),
        recommended_option=result.recommendation,
        created_by=user,
        **_editable(data),
    )  # fmt: skip
    decision.deciders.set(deciders)
    decision.supersedes.set(supersedes)
    _write_revision(decision, kind=Revision.Kind.RECORDED, author=user)
    return decision


def _with_result_for(decision: Decision, changes: dict[str, Any]) -> dict[str, Any]:
    """When the chosen option changes, the record's warnings and practices follow it; the
    scores stay those of the frozen answers."""
    if changes["chosen_option"] == decision.chosen_option:
        return changes
    framework = get_framework(decision.framework_name)
    if changes["chosen_option"] not in framework.pattern_keys:
        raise ValidationError({"chosen_option": "Choose one of the framework's patterns."})
    if framework.version != decision.framework_version:
        # The rules have moved on since the record was made: keep its own warnings.
        return changes
    result = evaluate(
        framework, parse_answers(framework, decision.answers), pattern=changes["chosen_option"]
    ).as_dict()
    return {**changes, "result": {**decision.result, "warnings": result["warnings"],
                                  "mitigations": result["mitigations"]}}  # fmt: skip


def _refrozen(decision: Decision, chosen: str) -> dict[str, Any]:
    """The interaction's current answers and their result, to freeze into `decision`."""
    if decision.interaction_id is None:
        raise ValidationError("The interaction was deleted: there are no current answers.")
    draft = Assessment.objects.get(interaction_id=decision.interaction_id)
    framework = get_framework(draft.framework_name)
    if chosen not in framework.pattern_keys:
        raise ValidationError({"chosen_option": "Choose one of the framework's patterns."})
    result = evaluate(framework, parse_answers(framework, draft.answers), pattern=chosen)
    return {
        "answers": draft.answers,
        "result": result.as_dict(),
        "recommended_option": result.recommendation,
        "framework_name": framework.name,
        "framework_version": framework.version,
    }


def _save_over(decision: Decision, *, base_version: int, changes: Mapping[str, Any]) -> None:
    """Apply `changes` only if nobody saved since `base_version`; bump the version."""
    updated = Decision.objects.filter(pk=decision.pk, version=base_version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
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
    result, for a proposal whose questionnaire moved on before it was accepted.
    """
    if not decision.editable:
        raise ValidationError(
            f"{decision.reference} is {decision.get_status_display().lower()}: "
            f"amend or supersede it instead of editing it."
        )
    changes = _editable(data)
    if refreeze:
        changes.update(_refrozen(decision, changes["chosen_option"]))
        recommended = changes["recommended_option"]
    else:
        changes = _with_result_for(decision, changes)
        recommended = decision.recommended_option
    _check_justification(data, recommended)
    _save_over(decision, base_version=base_version, changes=changes)
    decision.deciders.set(deciders)
    _write_revision(decision, kind=Revision.Kind.EDITED, author=user, note=note)
    _note_change(decision.team_id)
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
    _check_justification(data, decision.recommended_option)
    _save_over(
        decision, base_version=base_version, changes=_with_result_for(decision, _editable(data))
    )
    decision.deciders.set(deciders)
    _write_revision(decision, kind=Revision.Kind.AMENDED, author=user, note=reason.strip())
    _note_change(decision.team_id)
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
    _write_revision(decision, kind=Revision.Kind.STATUS, author=user, note=note)
    if status == Status.ACCEPTED:
        for old in decision.supersedes.filter(status=Status.ACCEPTED).select_for_update():
            _save_over(old, base_version=old.version, changes={"status": Status.SUPERSEDED})
            _write_revision(
                old, kind=Revision.Kind.STATUS, author=user,
                note=f"Superseded by {decision.reference}.",
            )  # fmt: skip
    _note_change(decision.team_id)
    return decision
