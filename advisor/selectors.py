"""Reads for teams and memberships."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from advisor.models import Membership, Team
from advisor.services import SESSION_TEAM_KEY


def memberships_for_user(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name")


def team_members(team: Team) -> QuerySet[Membership]:
    return team.memberships.select_related("user").order_by("user__username")


def pick_current_membership(memberships: Sequence[Membership], session) -> Membership | None:
    """The membership of the team the user last worked in, else their first team's."""
    remembered = session.get(SESSION_TEAM_KEY)
    for membership in memberships:
        if membership.team_id == remembered:
            return membership
    return memberships[0] if memberships else None
