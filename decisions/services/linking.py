"""Linking a record to the interaction it decides on, after the fact.

An imported record comes from a file that knows nothing of the team's systems, and a
recorded decision whose interaction was deleted has lost its own. Either can be linked to
one of the team's interactions later: the interaction's page then lists it like any other
decision, and the record keeps the system and interaction names as it does when recorded.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from advisor.models import Interaction
from decisions.models import Decision, Revision
from decisions.services.common import note_change, write_revision


@transaction.atomic
def decision_link_interaction(*, decision: Decision, interaction: Interaction, user) -> Decision:
    """Link `decision` to `interaction` of the same team: a new version, with an "edited"
    revision that says which interaction it was linked to.

    A recorded decision that still has its interaction keeps it (its frozen answers are
    that interaction's); an imported record may be linked again to correct a choice.
    """
    system = interaction.system
    if system.team_id != decision.team_id:
        raise ValidationError("That interaction belongs to another team.")
    current = Decision.objects.select_for_update().only(
        "pk", "interaction_id", "interaction_name", "imported_from"
    ).get(pk=decision.pk)  # fmt: skip
    if current.interaction_id == interaction.pk:
        raise ValidationError(
            f"{decision.reference} is already linked to {interaction.name} ({system.name})."
        )
    if current.interaction_id is not None and not current.imported:
        raise ValidationError(
            f"{decision.reference} was recorded from {current.interaction_name}: its frozen "
            f"answers belong to that interaction."
        )
    Decision.objects.filter(pk=decision.pk).update(
        interaction=interaction, system_name=system.name[:120],
        interaction_name=interaction.name[:160], version=F("version") + 1,
        updated_at=timezone.now(), updated_on=timezone.localdate(),
    )  # fmt: skip
    decision.refresh_from_db()
    write_revision(
        decision, kind=Revision.Kind.EDITED, author=user,
        note=f"Linked to interaction {interaction.name} ({system.name}).",
    )  # fmt: skip
    note_change(decision.team_id)
    return decision
