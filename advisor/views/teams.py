"""Pages for teams and their members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from advisor import access, services
from advisor.forms import InvitationForm, MembershipRoleForm, TeamForm
from advisor.models import Membership, Role
from advisor.selectors import (
    invitations_for_user,
    memberships_for_user,
    pending_invitations_for_team,
    pick_current_membership,
    team_members,
)
from advisor.views.common import get_membership_for_user
from advisor.views.systems import team_page_context


def _get_member_of_team(team_membership: Membership, member_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=member_id, team_id=team_membership.team_id
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    current = pick_current_membership(list(memberships_for_user(request.user)), request.session)
    if current is None:
        return redirect("team_create")
    return redirect("team_detail", slug=current.team.slug)


@require_http_methods(["GET", "POST"])
@login_required
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(name=form.cleaned_data["name"], owner=request.user)
        except ValidationError as error:
            form.add_error("name", error)
        else:
            services.current_team_remember(session=request.session, team=team)
            messages.success(request, f"Team “{team.name}” created. You are its owner.")
            return redirect("team_detail", slug=team.slug)
    context = {"form": form, "invitations": invitations_for_user(request.user)}
    return render(request, "advisor/team_create.html", context, status=422 if form.errors else 200)


@require_POST
@login_required
def team_switch(request: HttpRequest) -> HttpResponse:
    membership = get_membership_for_user(request, request.POST.get("team", ""), access.READ)
    services.current_team_remember(session=request.session, team=membership.team)
    return redirect("team_detail", slug=membership.team.slug)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def team_members_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's members; an owner also invites people here and sees who is invited."""
    action = access.INVITE if request.method == "POST" else access.READ
    membership = get_membership_for_user(request, slug, action)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                by=membership, login=form.cleaned_data["login"], role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The same words whether or not an account goes by this login.
            messages.success(
                request,
                f"Invitation for “{invitation.login}” saved. They will see it when they sign "
                "in with that user name or e-mail.",
            )
            return redirect("team_members", slug=slug)
    members = list(team_members(membership.team))
    may = membership.may
    context = {
        "team": membership.team,
        "membership": membership,
        "may": may,
        "members": members,
        "form": form,
        "invitations": pending_invitations_for_team(membership.team) if may[access.INVITE] else (),
        "role_choices": Role.choices,
        "role_table": access.role_table(),
        "sole_owner": membership.role == Role.OWNER
        and sum(m.role == Role.OWNER for m in members) == 1,
    }
    return render(
        request,
        "advisor/team_members.html",
        context,
        status=422 if form.errors else 200,
    )


@require_POST
@login_required
def membership_role(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = get_membership_for_user(request, slug, access.MANAGE)
    member = _get_member_of_team(membership, member_id)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, editor or viewer.")
        return redirect("team_members", slug=slug)
    try:
        changed = services.membership_change_role(
            membership=member, role=form.cleaned_data["role"], by=membership
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{changed.user.get_username()} is now {changed.role_with_article}."
        )
    return redirect("team_members", slug=slug)


@require_POST
@login_required
def membership_remove(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = get_membership_for_user(request, slug, access.MANAGE)
    member = _get_member_of_team(membership, member_id)
    try:
        services.membership_remove(membership=member, by=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("team_members", slug=slug)
    if member.user_id == request.user.id:
        messages.success(request, f"You left “{membership.team.name}”.")
        return redirect("home")
    messages.success(
        request, f"{member.user.get_username()} no longer belongs to “{membership.team.name}”."
    )
    return redirect("team_members", slug=slug)


@require_POST
@login_required
def team_leave(request: HttpRequest, slug: str) -> HttpResponse:
    membership = get_membership_for_user(request, slug, access.LEAVE)
    try:
        services.membership_leave(membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("team_members", slug=slug)
    messages.success(request, f"You left “{membership.team.name}”.")
    return redirect("home")


@never_cache
@require_GET
@login_required
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    membership = get_membership_for_user(request, slug, access.READ)
    services.current_team_remember(session=request.session, team=membership.team)
    return render(request, "advisor/team_detail.html", team_page_context(membership))
