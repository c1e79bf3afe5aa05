"""Recording a decision from an interaction's current answers, frozen as they are."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from advisor.engine import Result, evaluate, parse_answers
from advisor.frameworks import framework_get, framework_version_freeze
from advisor.models import Assessment, Interaction
from decisions.content import OPTION_FIELDS, all_option_texts, refill
from decisions.models import Decision, Status
from decisions.services.common import assess_current_answers, check_justification, editable
from decisions.services.creation import FrozenAssessment, NewDecision, decisions_create


class AlreadyRecorded(Exception):
    """The form was posted before (Back and resubmit, a double click): its record exists."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(f"This form already recorded {decision.reference}.")


def _assess(draft: Assessment) -> tuple[Any, Result]:
    framework = framework_get(draft.framework_name, draft.framework_version)
    return framework, evaluate(
        framework, parse_answers(framework, draft.answers), with_sensitivity=False
    )


def decision_defaults(
    *, interaction: Interaction, draft: Assessment, chosen: str | None = None
) -> dict[str, Any]:
    """What a new decision starts with: the chosen option (the recommendation unless
    `chosen` says otherwise), the answers that argue for it, its consequences, and the draft
    revision they come from. Everything is editable.

    `option_texts` holds the option-dependent text for every pattern, so a form can tell
    pre-filled text from what the author wrote when the choice changes.
    """
    framework, result = _assess(draft)
    texts = all_option_texts(framework, result)
    chosen = chosen if chosen in framework.pattern_keys else result.recommendation
    context = (
        f"{interaction.source.name} calls {interaction.target.name} "
        f"({interaction.system.name}: {interaction.name})."
    )
    if interaction.description:
        context += f" {interaction.description}"
    return {
        "assessment_revision": draft.revision,
        "preview": result.as_dict(),
        "option_texts": texts,
        "record_token": uuid.uuid4(),
        "title": f"How {interaction.source.name} calls {interaction.target.name}: "
        f"{interaction.name}",
        "context": context,
        "chosen_option": chosen,
        **texts[chosen],
    }


def _existing(token, interaction: Interaction) -> Decision | None:
    """The decision this form recorded before: only ever one of the same interaction."""
    if token is None:
        return None
    return Decision.objects.filter(record_token=token, interaction=interaction).first()


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
    `data["record_token"]`, when given, is the form's one-time token: a second post of the
    same form raises `AlreadyRecorded` with the first record, and uses up no number.
    """
    token = data.get("record_token")
    done = _existing(token, interaction)
    if done is not None:
        raise AlreadyRecorded(done)
    try:
        return _record(
            interaction=interaction, user=user, data=data, deciders=deciders,
            supersedes=list(supersedes), token=token,
        )  # fmt: skip
    except IntegrityError:
        done = _existing(token, interaction)  # the same form, posted twice at once
        if done is not None:
            raise AlreadyRecorded(done) from None
        if token is not None and Decision.objects.filter(record_token=token).exists():
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: (  # a token from another interaction's form
                        "This form was already used to record a decision; open it again."
                    )
                }
            ) from None
        raise


@transaction.atomic
def _record(*, interaction, user, data, deciders, supersedes, token) -> Decision:
    chosen = data["chosen_option"]
    draft, framework, result = assess_current_answers(
        interaction.pk, seen=data.get("assessment_revision"), chosen=chosen,
        changed="The answers changed since this form was opened (someone saved the "
        "questionnaire). Check the new recommendation below, then record.",
    )  # fmt: skip
    frozen = result.as_dict()
    check_justification(data, frozen)
    team = interaction.system.team
    if any(old.team_id != team.pk for old in supersedes):
        raise ValidationError({"supersedes": "Only decisions of the same team can be superseded."})
    if any(old.status != Status.ACCEPTED for old in supersedes):
        raise ValidationError({"supersedes": "Only accepted decisions can be superseded."})
    # Text left as pre-filled for another option follows the option finally chosen.
    values = editable(data)
    # A form that was never pre-filled (no option was chosen for the team) gets the chosen
    # option's text; one the author emptied stays empty.
    never_filled = not any(str(values[field]).strip() for field in OPTION_FIELDS)
    values, _ = refill(values, all_option_texts(framework, result), chosen, fill_empty=never_filled)
    (decision,) = decisions_create(
        team=team,
        new=[
            NewDecision(
                fields={**values, "status": Status.PROPOSED},
                created_by=user,
                interaction=interaction,
                assessment=FrozenAssessment(
                    framework_name=framework.name,
                    framework_version=framework.version,
                    framework_frozen=framework_version_freeze(framework.name, framework.version),
                    answers=draft.answers,
                    result=frozen,
                    recommended_option=result.recommendation if result.advised else "",
                ),
                deciders=list(deciders),
                supersedes=[old.number for old in supersedes],
                record_token=token,
            )
        ],
    )
    return decision
