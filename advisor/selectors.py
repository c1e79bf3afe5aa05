"""Reads for teams and memberships."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from advisor.models import (
    Assessment,
    Interaction,
    Invitation,
    Membership,
    Service,
    System,
    Team,
)
from advisor.services import SESSION_TEAM_KEY


def memberships_for_user(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name")


def memberships_for_navigation(user) -> QuerySet[Membership]:
    """The user's memberships, each carrying `pending_invitations`: how many invitations
    wait for the user. The count rides on the query the navigation makes anyway (it does
    not depend on the row, so the database computes it once), so pages pay no extra query.
    """
    count = (
        invitations_for_user(user)
        .order_by()
        .values("state")
        .annotate(number=Count("pk"))
        .values("number")
    )
    return memberships_for_user(user).annotate(pending_invitations=Coalesce(Subquery(count), 0))


def team_members(team: Team) -> QuerySet[Membership]:
    return team.memberships.select_related("user").order_by("user__username")


def pending_invitations_for_team(team: Team) -> QuerySet[Invitation]:
    return team.invitations.pending().select_related("invited_by").order_by("created_at")


def invitations_for_user(user) -> QuerySet[Invitation]:
    """Pending invitations addressed to `user`, to teams they do not belong to yet."""
    already_in = Membership.objects.filter(team=OuterRef("team"), user=user)
    return (
        Invitation.objects.pending()
        .addressed_to(user)
        .exclude(Exists(already_in))
        .select_related("team", "invited_by")
        .order_by("created_at")
    )


def invitation_for_user(user, pk: int) -> Invitation | None:
    """The invitation `pk` if it is addressed to `user`, whatever its state."""
    return Invitation.objects.addressed_to(user).select_related("team").filter(pk=pk).first()


def pick_current_membership(memberships: Sequence[Membership], session) -> Membership | None:
    """The membership of the team the user last worked in, else their first team's."""
    remembered = session.get(SESSION_TEAM_KEY)
    for membership in memberships:
        if membership.team_id == remembered:
            return membership
    return memberships[0] if memberships else None


def systems_for_team(team: Team) -> QuerySet[System]:
    return team.systems.annotate(
        service_count=Count("services", distinct=True),
        interaction_count=Count("interactions", distinct=True),
    ).order_by("name")


def services_for_system(system: System) -> QuerySet[Service]:
    return system.services.order_by("name")


def interactions_for_system(system: System) -> QuerySet[Interaction]:
    return system.interactions.select_related("source", "target").order_by("name")


def draft_for_interaction(interaction: Interaction) -> Assessment:
    return Assessment.objects.select_related("updated_by").get(interaction=interaction)


def deletion_summary(
    *,
    system: System | None = None,
    service: Service | None = None,
    interaction: Interaction | None = None,
) -> dict[str, int]:
    """How many dependent objects a deletion would take with it."""
    if interaction is not None:
        interactions = Interaction.objects.filter(pk=interaction.pk)
    elif service is not None:
        interactions = Interaction.objects.filter(Q(source=service) | Q(target=service))
    else:
        interactions = Interaction.objects.filter(system=system)
    assessments = Assessment.objects.filter(interaction__in=interactions)
    summary = {
        "interactions": interactions.count(),
        "answered_drafts": assessments.exclude(answers={}).count(),
        "decisions": interactions.aggregate(count=Count("decisions"))["count"],
    }
    if system is not None:
        summary["services"] = system.services.count()
    return summary
