"""Pages for a team's systems, their services and the interactions between them.

Each write works as a plain form (a page of its own, then a redirect) and inline with htmx
(the form or confirmation inside a list, answered with the refreshed list section).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from advisor import access, services
from advisor.forms import InteractionForm, ServiceForm, SystemForm
from advisor.frameworks import team_framework
from advisor.models import Membership, System, Team
from advisor.selectors import (
    deletion_summary,
    interactions_for_system,
    services_for_system,
    systems_for_team,
)
from advisor.views.common import (
    count,
    get_interaction_for_user,
    get_membership_for_user,
    get_service_for_user,
    get_system_for_user,
    render_section,
)

SYSTEM_PAGE = "advisor/system_detail.html"


def team_page_context(membership: Membership, **extra) -> dict:
    return {
        "team": membership.team,
        "membership": membership,
        "can_write": membership.can_write,
        "team_framework": team_framework(membership.team),
        "systems": systems_for_team(membership.team),
        "system_form": extra.pop("system_form", None) or SystemForm(),
        **extra,
    }


def _system_page_context(system: System, role: str, **extra) -> dict:
    system_services = services_for_system(system)
    return {
        "team": system.team,
        "system": system,
        "can_write": access.can(role, access.WRITE),
        "services": system_services,
        "interactions": interactions_for_system(system),
        "service_form": extra.pop("service_form", None) or ServiceForm(),
        "interaction_form": extra.pop("interaction_form", None)
        or InteractionForm(services=system_services),
        **extra,
    }


def _systems_section(request: HttpRequest, team: Team) -> HttpResponse:
    membership = get_membership_for_user(request, team.slug, access.READ)
    return render_section(
        request, "advisor/team_detail.html", "systems-section", team_page_context(membership)
    )


def _system_section(request, system: System, role: str, section: str, status=200, **forms):
    """A section of the system page for htmx. Services also change the interactions list
    (names, deletions, what can be picked), so that section comes along out of band."""
    context = _system_page_context(system, role, **forms)
    response = render_section(request, SYSTEM_PAGE, section, context, status)
    if section == "services-section":
        extra = render(
            request, f"{SYSTEM_PAGE}#interactions-section", {**context, "interactions_oob": True}
        )
        response.content += extra.content
    return response


def _system_form_errors(request, system: System, section: str, **forms) -> HttpResponse:
    """A create form that did not validate, with its errors: the section for htmx, else
    the whole page."""
    if request.htmx:
        return _system_section(request, system, system.viewer_role, section, 422, **forms)
    context = _system_page_context(system, system.viewer_role, **forms)
    return render(request, SYSTEM_PAGE, context, status=422)


def _is_inline(request: HttpRequest) -> bool:
    """An htmx form or confirmation inside a list, answered with the list's section."""
    return bool(request.htmx) and bool(request.POST.get("inline"))


def _edit_form(request: HttpRequest, form_class, obj, **kwargs):
    kwargs.update(current=obj, prefix=f"edit-{obj.pk}")
    if request.method == "POST":
        return form_class(request.POST, **kwargs)
    return form_class(initial={name: getattr(obj, name) for name in form_class.base_fields},
                      **kwargs)  # fmt: skip


def _render_edit_form(request, form, *, title: str, cancel_url: str, team) -> HttpResponse:
    """The edit form: inside the list for htmx, else a page of its own."""
    inline = bool(request.htmx) and (request.method == "GET" or "inline" in request.POST)
    template = "advisor/object_form.html" + ("#edit-form" if inline else "")
    context = {"inline": inline, "form": form, "title": title, "action": request.path,
               "cancel_url": cancel_url, "team": team}  # fmt: skip
    return render(request, template, context, status=422 if form.errors else 200)


def _render_confirmation(request, obj, *, title, summary, consequence, cancel_url, team):
    """Asks before deleting, saying what goes with it and what stays."""
    inline = bool(request.htmx)
    template = "advisor/confirm_delete.html" + ("#confirm" if inline else "")
    context = {"inline": inline, "object": obj, "title": title, "summary": summary,
               "consequence": consequence + _kept_decisions(summary), "action": request.path,
               "cancel_url": cancel_url, "team": team}  # fmt: skip
    return render(request, template, context)


def _kept_decisions(summary: dict) -> str:
    number = summary.get("decisions", 0)
    if number == 1:
        return (" The decision record made for it stays in the team's log with its frozen "
                "answers and scores, without the link.")  # fmt: skip
    if number:
        return (f" The {number} decision records made for them stay in the team's log with "
                "their frozen answers and scores, without the link.")  # fmt: skip
    return ""


def _questionnaires(interactions: int, answered: int) -> str:
    if interactions == 1:
        return f"its questionnaire ({'answered' if answered else 'not answered yet'})"
    return f"their questionnaires ({answered} with answers)"


# --- systems ---------------------------------------------------------------------------


@require_POST
@login_required
def system_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = get_membership_for_user(request, slug, access.WRITE)
    form = SystemForm(request.POST, siblings=membership.team.systems.all())
    if form.is_valid():
        try:
            system = services.system_create(team=membership.team, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                return render_section(request, "advisor/team_detail.html", "systems-section",
                                      team_page_context(membership))  # fmt: skip
            messages.success(request, f"System “{system.name}” created.")
            return redirect("system_detail", pk=system.pk)
    context = team_page_context(membership, system_form=form)
    if request.htmx:
        return render_section(request, "advisor/team_detail.html", "systems-section", context,
                              422)  # fmt: skip
    return render(request, "advisor/team_detail.html", context, status=422)


@never_cache
@require_GET
@login_required
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_system_for_user(request, pk, access.READ)
    services.current_team_remember(session=request.session, team=system.team)
    return render(request, SYSTEM_PAGE, _system_page_context(system, system.viewer_role))


@require_http_methods(["GET", "POST"])
@login_required
def system_edit(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_system_for_user(request, pk, access.WRITE)
    title = f"Edit system “{system.name}”"
    form = _edit_form(request, SystemForm, system, siblings=system.team.systems.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.system_update(system=system, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if _is_inline(request):
                return _systems_section(request, system.team)
            messages.success(request, f"Saved “{system.name}”.")
            return redirect("system_detail", pk=system.pk)
    return _render_edit_form(request, form, title=title, team=system.team,
                             cancel_url=reverse("system_detail", args=[system.pk]))  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def system_delete(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_system_for_user(request, pk, access.WRITE)
    if request.method == "POST":
        services.system_delete(system=system)
        if _is_inline(request):
            return _systems_section(request, system.team)
        messages.success(request, f"Deleted “{system.name}”.")
        return redirect("team_detail", slug=system.team.slug)
    summary = deletion_summary(system=system)
    interactions = summary["interactions"]
    consequence = f"This deletes {count(summary['services'], 'service')}" + (
        f" and {count(interactions, 'interaction')} with "
        f"{_questionnaires(interactions, summary['answered_drafts'])}." if interactions else "."
    )  # fmt: skip
    return _render_confirmation(
        request, system, title=f"Delete system “{system.name}”?", summary=summary,
        consequence=consequence, team=system.team,
        cancel_url=reverse("team_detail", args=[system.team.slug]),
    )  # fmt: skip


# --- services --------------------------------------------------------------------------


@require_POST
@login_required
def service_create(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_system_for_user(request, pk, access.WRITE)
    form = ServiceForm(request.POST, siblings=system.services.all())
    if form.is_valid():
        try:
            service = services.service_create(system=system, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                return _system_section(request, system, system.viewer_role, "services-section")
            messages.success(request, f"Service “{service.name}” added.")
            return redirect("system_detail", pk=system.pk)
    return _system_form_errors(request, system, "services-section", service_form=form)


@require_http_methods(["GET", "POST"])
@login_required
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service_for_user(request, pk, access.WRITE)
    system, title = service.system, f"Edit service “{service.name}”"
    form = _edit_form(request, ServiceForm, service, siblings=system.services.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(service=service, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if _is_inline(request):
                return _system_section(request, system, service.viewer_role, "services-section")
            messages.success(request, f"Saved “{service.name}”.")
            return redirect("system_detail", pk=system.pk)
    return _render_edit_form(request, form, title=title, team=system.team,
                             cancel_url=reverse("system_detail", args=[system.pk]))  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def service_delete(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service_for_user(request, pk, access.WRITE)
    system = service.system
    if request.method == "POST":
        services.service_delete(service=service)
        if _is_inline(request):
            return _system_section(request, system, service.viewer_role, "services-section")
        messages.success(request, f"Deleted “{service.name}”.")
        return redirect("system_detail", pk=system.pk)
    summary = deletion_summary(service=service)
    number, one = summary["interactions"], summary["interactions"] == 1
    consequence = (
        f"This also deletes {count(number, 'interaction')} that {'calls' if one else 'call'} "
        f"it or {'is' if one else 'are'} called by it, with "
        f"{_questionnaires(number, summary['answered_drafts'])}."
        if number else "No interaction uses this service."
    )  # fmt: skip
    return _render_confirmation(
        request, service, title=f"Delete service “{service.name}”?", summary=summary,
        consequence=consequence, team=system.team,
        cancel_url=reverse("system_detail", args=[system.pk]),
    )  # fmt: skip


# --- interactions ----------------------------------------------------------------------


@require_POST
@login_required
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_system_for_user(request, pk, access.WRITE)
    form = InteractionForm(
        request.POST, siblings=system.interactions.all(), services=system.services.all()
    )
    if form.is_valid():
        try:
            interaction = services.interaction_create(
                system=system, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                return _system_section(request, system, system.viewer_role, "interactions-section")
            messages.success(request, f"Interaction “{interaction.name}” added.")
            return redirect("interaction_detail", pk=interaction.pk)
    return _system_form_errors(request, system, "interactions-section", interaction_form=form)


@require_http_methods(["GET", "POST"])
@login_required
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = get_interaction_for_user(request, pk, access.WRITE)
    system, title = interaction.system, f"Edit interaction “{interaction.name}”"
    form = _edit_form(
        request, InteractionForm, interaction,
        siblings=system.interactions.all(), services=system.services.all(),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_update(interaction=interaction, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if _is_inline(request):
                return _system_section(request, system, interaction.viewer_role,
                                       "interactions-section")  # fmt: skip
            messages.success(request, f"Saved “{interaction.name}”.")
            return redirect("interaction_detail", pk=interaction.pk)
    cancel_url = reverse("interaction_detail", args=[interaction.pk])
    return _render_edit_form(request, form, title=title, team=system.team, cancel_url=cancel_url)


@require_http_methods(["GET", "POST"])
@login_required
def interaction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = get_interaction_for_user(request, pk, access.WRITE)
    system = interaction.system
    if request.method == "POST":
        services.interaction_delete(interaction=interaction)
        if _is_inline(request):
            return _system_section(request, system, interaction.viewer_role,
                                   "interactions-section")  # fmt: skip
        messages.success(request, f"Deleted “{interaction.name}”.")
        return redirect("system_detail", pk=system.pk)
    summary = deletion_summary(interaction=interaction)
    consequence = ("This deletes its questionnaire answers too." if summary["answered_drafts"]
                   else "Its questionnaire has no answers yet.")  # fmt: skip
    return _render_confirmation(
        request, interaction, title=f"Delete interaction “{interaction.name}”?",
        summary=summary, consequence=consequence, team=system.team,
        cancel_url=reverse("system_detail", args=[system.pk]),
    )  # fmt: skip
