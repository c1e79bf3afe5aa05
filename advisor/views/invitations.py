"""Invitations: the invited person's page and answers, and an owner withdrawing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from advisor import access, services
from advisor.models import Invitation
from advisor.selectors import invitation_for_user, invitations_for_user
from advisor.views.common import get_membership_for_user


def _get_invitation_for_user(request: HttpRequest, pk: int) -> Invitation:
    """An invitation addressed to the signed-in user; anyone else's is a 404."""
    invitation = invitation_for_user(request.user, pk)
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


@never_cache
@require_GET
@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    context = {"invitations": invitations_for_user(request.user)}
    return render(request, "advisor/invitations.html", context)


@require_POST
@login_required
def invitation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _get_invitation_for_user(request, pk)
    try:
        acceptance = services.invitation_accept(invitation=invitation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("invitation_list")
    team, role = invitation.team, acceptance.membership.role_with_article
    services.current_team_remember(session=request.session, team=team)
    if acceptance.joined:
        messages.success(request, f"You joined “{team.name}” as {role}.")
    else:
        messages.info(request, f"You are already a member of “{team.name}” (as {role}).")
    return redirect("team_detail", slug=team.slug)


@require_POST
@login_required
def invitation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _get_invitation_for_user(request, pk)
    try:
        services.invitation_decline(invitation=invitation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"You declined the invitation to “{invitation.team.name}”.")
    return redirect("invitation_list")


@require_POST
@login_required
def invitation_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = get_membership_for_user(request, slug, access.INVITE)
    invitation = get_object_or_404(Invitation, pk=pk, team_id=membership.team_id)
    try:
        services.invitation_withdraw(invitation=invitation, by=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation for “{invitation.login}” withdrawn.")
    return redirect("team_members", slug=slug)
