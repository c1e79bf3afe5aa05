"""Writes for teams and memberships. Keyword-only functions named <entity>_<action>."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from advisor.models import Membership, Role, Team

SESSION_TEAM_KEY = "current_team_id"


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "team"
    slug, suffix = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


@transaction.atomic
def team_create(*, name: str, owner) -> Team:
    """Create a team with `owner` as its first owner."""
    team = Team.objects.create(name=name.strip(), slug=_unique_slug(name))
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    return team


def membership_add(*, team: Team, login: str, role: str) -> Membership:
    """Add the user whose username or e-mail is `login` to `team`."""
    user_model = get_user_model()
    login = login.strip()
    user = (
        user_model.objects.filter(username__iexact=login).first()
        or user_model.objects.filter(email__iexact=login).exclude(email="").first()
    )
    if user is None:
        raise ValidationError({"login": f"No user is called or has the e-mail “{login}”."})
    if Membership.objects.filter(team=team, user=user).exists():
        raise ValidationError({"login": f"{user.get_username()} is already a member."})
    return Membership.objects.create(team=team, user=user, role=role)


def _ensure_another_owner_remains(membership: Membership) -> None:
    if membership.role != Role.OWNER:
        return
    others = Membership.objects.filter(team_id=membership.team_id, role=Role.OWNER).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise ValidationError("A team needs at least one owner: make someone else owner first.")


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    # Lock the team's owner rows so two owners demoting each other cannot both succeed.
    list(Membership.objects.select_for_update().filter(team_id=membership.team_id, role=Role.OWNER))
    if role != Role.OWNER:
        _ensure_another_owner_remains(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    list(Membership.objects.select_for_update().filter(team_id=membership.team_id, role=Role.OWNER))
    _ensure_another_owner_remains(membership)
    membership.delete()


def current_team_remember(*, session, team: Team) -> None:
    """Make `team` the one the navigation shows and the home page opens."""
    if session.get(SESSION_TEAM_KEY) != team.pk:  # an unchanged session is not re-saved
        session[SESSION_TEAM_KEY] = team.pk
