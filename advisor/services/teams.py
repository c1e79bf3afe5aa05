"""Writes for teams and memberships."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from advisor import access
from advisor.models import Invitation, Membership, Role, Team

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


def lock_team(team_id: int) -> None:
    """Make changes to one team's members and invitations take turns.

    Each such change locks the team's row first and only then reads the memberships it
    decides on, so it sees whatever a change that finished while it waited wrote: a role
    taken away a moment ago, an owner who just left.
    """
    Team.objects.select_for_update().filter(pk=team_id).first()


def acting_member(by: Membership, action: str) -> Membership:
    """`by` as the database holds it now, allowed to do `action`. Call it with the team
    locked (`lock_team`): a page loaded before the member lost the right proves nothing."""
    current = Membership.objects.select_related("team", "user").filter(pk=by.pk).first()
    if current is None:
        raise PermissionDenied("You no longer belong to this team.")
    access.require(current, action)
    return current


def _current_member(member: Membership) -> Membership:
    current = Membership.objects.select_related("team", "user").filter(pk=member.pk).first()
    if current is None:
        raise ValidationError(f"{member.user.get_username()} no longer belongs to this team.")
    return current


def _ensure_an_owner_remains(member: Membership, new_role: str | None, message: str) -> None:
    """Refuse to leave the team without an owner when `member` takes `new_role` (None:
    leaves the team). Counted with the team locked, so two owners stepping down at once
    cannot both succeed."""
    owners = Membership.objects.filter(team_id=member.team_id, role=Role.OWNER).count()
    if member.role == Role.OWNER and new_role != Role.OWNER and owners <= 1:
        raise ValidationError(message)


def _withdraw_invitations_sent_by(member: Membership) -> int:
    """Someone who may no longer invite leaves no invitation of theirs open."""
    return Invitation.objects.filter(
        team_id=member.team_id, invited_by_id=member.user_id, state=Invitation.State.PENDING
    ).update(state=Invitation.State.WITHDRAWN, answered_at=timezone.now())


_NEEDS_AN_OWNER = "A team needs at least one owner: make someone else owner first."


def _same_team(member: Membership, by: Membership) -> None:
    if member.team_id != by.team_id:
        raise ValueError("A member can only be managed from their own team.")


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by: Membership) -> Membership:
    """Give `membership` the role `role`, as the member `by` (who must be allowed to manage
    members). A member who may no longer invite loses their pending invitations."""
    _same_team(membership, by)
    lock_team(by.team_id)
    acting_member(by, access.MANAGE)
    member = _current_member(membership)
    _ensure_an_owner_remains(member, role, _NEEDS_AN_OWNER)
    loses_invite = access.can(member.role, access.INVITE) and not access.can(role, access.INVITE)
    member.role = role
    member.save(update_fields=["role"])
    if loses_invite:
        _withdraw_invitations_sent_by(member)
    return member


@transaction.atomic
def membership_remove(*, membership: Membership, by: Membership) -> None:
    """Remove `membership` from its team, as the member `by`; its pending invitations go."""
    _same_team(membership, by)
    lock_team(by.team_id)
    acting_member(by, access.MANAGE)
    member = _current_member(membership)
    _ensure_an_owner_remains(member, None, _NEEDS_AN_OWNER)
    _withdraw_invitations_sent_by(member)
    member.delete()


@transaction.atomic
def membership_leave(*, membership: Membership) -> None:
    """The member leaves the team; its last owner must hand over first."""
    lock_team(membership.team_id)
    member = acting_member(membership, access.LEAVE)
    _ensure_an_owner_remains(
        member,
        None,
        f"You are the only owner of “{member.team.name}”: make someone else owner "
        "before you leave.",
    )
    _withdraw_invitations_sent_by(member)
    member.delete()


def current_team_remember(*, session, team: Team) -> None:
    """Make `team` the one the navigation shows and the home page opens."""
    if session.get(SESSION_TEAM_KEY) != team.pk:  # an unchanged session is not re-saved
        session[SESSION_TEAM_KEY] = team.pk
