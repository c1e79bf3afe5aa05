"""Invitations: nobody joins a team without accepting.

An owner invites a user name or an e-mail; whether an account goes by it is never said, so
the form cannot be used to find out who has one. The person it names accepts or declines
once signed in. Every answer (accept, decline, withdraw) is one conditional UPDATE from
pending, so whichever lands first wins and the others are told what happened instead.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from advisor import access
from advisor.models import Invitation, Membership, Team

State = Invitation.State


def invitation_create(*, by: Membership, login: str, role: str) -> Invitation:
    """Invite `login` (a user name or an e-mail) to `by`'s team with `role`.

    Refused, with a message for the login field, when a member of the team already goes by
    that login (the inviter sees the members anyway) or it already has a pending invitation.
    """
    access.require(by, access.INVITE)
    login = login.strip().lower()
    team = by.team
    member = Q(user__username__iexact=login) | Q(user__email__iexact=login)
    if team.memberships.filter(member).exists():
        raise ValidationError({"login": f"“{login}” is already a member of this team."})
    try:
        with transaction.atomic():
            return Invitation.objects.create(team=team, login=login, role=role, invited_by=by.user)
    except IntegrityError:  # the constraint: one pending invitation per team and login
        raise ValidationError(
            {"login": f"“{login}” already has a pending invitation, listed below."}
        ) from None


def _answer(invitation: Invitation, state: str, user=None) -> bool:
    """Move the invitation from pending to `state`, answered by `user` (the invited person;
    None when withdrawn); False if it was no longer pending."""
    return bool(
        Invitation.objects.filter(pk=invitation.pk, state=State.PENDING).update(
            state=state, answered_by=user, answered_at=timezone.now()
        )
    )


def _already_answered(invitation: Invitation) -> ValidationError:
    state = Invitation.objects.values_list("state", flat=True).get(pk=invitation.pk)
    team = invitation.team.name
    return ValidationError(
        {
            State.WITHDRAWN: f"“{team}” withdrew this invitation.",
            State.ACCEPTED: f"You already accepted this invitation to “{team}”.",
            State.DECLINED: f"You declined this invitation to “{team}”. Ask one of its owners "
            "to invite you again.",
        }[state]
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Join the team with the invited role, and close the user's other invitations to it.

    Someone who already belongs to the team (invited by user name and by e-mail, say)
    keeps the role they have.
    """
    # Accepts into one team take turns, so two invitations of one person (by user name and
    # by e-mail) accepted at once cannot lock each other's rows in opposite orders.
    Team.objects.select_for_update().filter(pk=invitation.team_id).first()
    if not _answer(invitation, State.ACCEPTED, user):
        raise _already_answered(invitation)
    Invitation.objects.pending().addressed_to(user).filter(team_id=invitation.team_id).update(
        state=State.ACCEPTED, answered_by=user, answered_at=timezone.now()
    )
    existing = Membership.objects.filter(team_id=invitation.team_id, user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Membership.objects.create(
                team_id=invitation.team_id, user=user, role=invitation.role
            )
    except IntegrityError:  # accepted another invitation to the same team a moment ago
        return Membership.objects.get(team_id=invitation.team_id, user=user)


def invitation_decline(*, invitation: Invitation, user) -> None:
    if not _answer(invitation, State.DECLINED, user):
        raise _already_answered(invitation)


def invitation_withdraw(*, invitation: Invitation, by: Membership) -> None:
    """Withdraw a pending invitation of `by`'s team."""
    access.require(by, access.INVITE)
    if invitation.team_id != by.team_id:
        raise ValueError("An invitation can only be withdrawn by its own team.")
    if not _answer(invitation, State.WITHDRAWN):
        raise ValidationError(f"The invitation for “{invitation.login}” was already answered.")
