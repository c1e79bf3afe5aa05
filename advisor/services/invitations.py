"""Invitations: nobody joins a team without accepting.

An owner invites a user name or an e-mail; whether an account goes by it is never said, so
the form cannot be used to find out who has one. A user name reaches the account of exactly
that name; an e-mail reaches the one account with that address (none when several share
it). The person accepts or declines once signed in, before the invitation expires. Every
answer (accept, decline, withdraw) is one conditional UPDATE from pending, so whichever
lands first wins and the others are told what happened instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as format_date

from advisor import access
from advisor.models import Invitation, Membership, is_email_login
from advisor.services.teams import acting_member, lock_team

State = Invitation.State


@transaction.atomic
def invitation_create(*, by: Membership, login: str, role: str) -> Invitation:
    """Invite `login` to `by`'s team with `role`: an e-mail address when it has the shape
    of one (kept lower-cased), else a user name (kept exactly as typed).

    Refused, with a message for the login field, when a member of the team already goes by
    that login (the inviter sees the members anyway) or it already has a pending invitation.
    """
    login = login.strip()
    by_email = is_email_login(login)
    if by_email:
        login = login.lower()
    lock_team(by.team_id)
    team = acting_member(by, access.INVITE).team
    member = Q(user__email__iexact=login) if by_email else Q(user__username=login)
    if team.memberships.filter(member).exists():
        raise ValidationError({"login": f"“{login}” is already a member of this team."})
    # An expired invitation still holds its login's place in the one-pending constraint.
    team.invitations.filter(
        login=login, state=State.PENDING, expires_at__lte=timezone.now()
    ).update(state=State.EXPIRED)
    try:
        with transaction.atomic():
            return Invitation.objects.create(
                team=team, login=login, by_email=by_email, role=role, invited_by=by.user
            )
    except IntegrityError:  # the constraint: one pending invitation per team and login
        raise ValidationError(
            {"login": f"“{login}” already has a pending invitation to this team."}
        ) from None


def _answer(invitation: Invitation, state: str, user=None) -> bool:
    """Move the invitation from pending (and not expired, unless it is being withdrawn) to
    `state`, answered by `user` (the invited person; None when withdrawn); False if it was
    no longer pending."""
    if state == State.WITHDRAWN:
        pending = Invitation.objects.filter(state=State.PENDING)
    else:
        pending = Invitation.objects.pending()
    return bool(
        pending.filter(pk=invitation.pk).update(
            state=state, answered_by=user, answered_at=timezone.now()
        )
    )


def _close_the_others(invitation: Invitation, user, state: str) -> None:
    """An answer to one invitation answers the person's other invitations to that team (by
    user name and by e-mail, say) alike."""
    Invitation.objects.filter(team_id=invitation.team_id, state=State.PENDING).addressed_to(
        user
    ).update(state=state, answered_by=user, answered_at=timezone.now())


def _why_not_pending(invitation: Invitation) -> ValidationError:
    """What happened to an invitation the person tried to answer."""
    now = (
        Invitation.objects.filter(pk=invitation.pk)
        .values("state", "expires_at", "team__name")
        .first()
    )
    if now is None:  # gone with its team, deleted meanwhile
        if Invitation.team.is_cached(invitation):
            return ValidationError(
                f"The invitation to “{invitation.team.name}” no longer exists: the team was "
                "deleted."
            )
        return ValidationError("This invitation no longer exists: its team was deleted.")
    team = now["team__name"]
    if now["state"] in (State.PENDING, State.EXPIRED):  # not answered, so it has expired
        expired_on = format_date(timezone.localtime(now["expires_at"]), "j F Y")
        return ValidationError(
            f"This invitation to “{team}” expired on {expired_on}. Ask one of its owners to "
            "invite you again."
        )
    return ValidationError(
        {
            State.WITHDRAWN: f"“{team}” withdrew this invitation.",
            State.ACCEPTED: f"You already accepted this invitation to “{team}”.",
            State.DECLINED: f"You declined this invitation to “{team}”. Ask one of its owners "
            "to invite you again.",
        }[now["state"]]
    )


@dataclass(frozen=True)
class Acceptance:
    """The membership an accepted invitation leads to; `joined` is False when the person
    already belonged to the team (they keep the role they had)."""

    membership: Membership
    joined: bool


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Acceptance:
    """Join the team with the invited role, and close the user's other invitations to it.

    Someone who already belongs to the team keeps the role they have; the invitation is
    closed all the same.
    """
    lock_team(invitation.team_id)
    if not _answer(invitation, State.ACCEPTED, user):
        raise _why_not_pending(invitation)
    _close_the_others(invitation, user, State.ACCEPTED)
    existing = Membership.objects.filter(team_id=invitation.team_id, user=user).first()
    if existing is not None:
        return Acceptance(existing, joined=False)
    membership = Membership.objects.create(
        team_id=invitation.team_id, user=user, role=invitation.role
    )
    return Acceptance(membership, joined=True)


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user) -> None:
    """Decline the invitation, and the user's other invitations to the same team."""
    if not _answer(invitation, State.DECLINED, user):
        raise _why_not_pending(invitation)
    _close_the_others(invitation, user, State.DECLINED)


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, by: Membership) -> None:
    """Withdraw a pending invitation of `by`'s team (expired or not)."""
    if invitation.team_id != by.team_id:
        raise ValueError("An invitation can only be withdrawn by its own team.")
    lock_team(by.team_id)
    acting_member(by, access.INVITE)
    if not _answer(invitation, State.WITHDRAWN):
        raise ValidationError(f"The invitation for “{invitation.login}” was already answered.")
