"""Writes for teams and memberships."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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


def membership_add(*, team: Team, login: str, role: str) -> Membership:
    """Add the user whose username or e-mail is `login` to `team`."""
    user = _user_by_login(login.strip())
    if Membership.objects.filter(team=team, user=user).exists():
        raise ValidationError({"login": f"{user.get_username()} is already a member."})
    return Membership.objects.create(team=team, user=user, role=role)


def _user_by_login(login: str):
    """Exactly one account for a username (exact first, then any case) or an e-mail."""
    users = get_user_model().objects
    exact = users.filter(username=login).first()
    if exact is not None:
        return exact
    for matches in (users.filter(username__iexact=login), users.filter(email__iexact=login)):
        found = list(matches[:2])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValidationError(
                {"login": f"Several accounts match “{login}”: give the exact username."}
            )
    raise ValidationError({"login": f"No user is called or has the e-mail “{login}”."})


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
