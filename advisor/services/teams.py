"""Writes for teams and memberships."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from advisor import access
from advisor.models import Membership, Role, Team

SESSION_TEAM_KEY = "current_team_id"


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "team"
    slug, suffix = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def team_create(*, name: str, owner) -> Team:
    """Create a team with `owner` as its first owner."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                team = Team.objects.create(name=name.strip(), slug=_unique_slug(name))
                Membership.objects.create(team=team, user=owner, role=Role.OWNER)
                return team
        except IntegrityError:  # someone took the same slug a moment ago: pick the next one
            continue
    raise ValidationError("Could not find a free address for this team name; try another name.")


def _ensure_another_owner_remains(membership: Membership, message: str) -> None:
    """Refuse to leave the team without an owner. The team's owner rows are locked first so
    that two owners stepping down or leaving at once cannot both succeed."""
    owners = Membership.objects.select_for_update().filter(
        team_id=membership.team_id, role=Role.OWNER
    )
    if membership.role == Role.OWNER and not any(o.pk != membership.pk for o in owners):
        raise ValidationError(message)


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    if role != Role.OWNER:
        _ensure_another_owner_remains(
            membership, "A team needs at least one owner: make someone else owner first."
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    _ensure_another_owner_remains(
        membership, "A team needs at least one owner: make someone else owner first."
    )
    membership.delete()


@transaction.atomic
def membership_leave(*, membership: Membership) -> None:
    """The member leaves the team; its last owner must hand over first."""
    access.require(membership, access.LEAVE)
    _ensure_another_owner_remains(
        membership,
        f"You are the only owner of “{membership.team.name}”: make someone else owner "
        "before you leave.",
    )
    membership.delete()


def current_team_remember(*, session, team: Team) -> None:
    """Make `team` the one the navigation shows and the home page opens."""
    if session.get(SESSION_TEAM_KEY) != team.pk:  # an unchanged session is not re-saved
        session[SESSION_TEAM_KEY] = team.pk
