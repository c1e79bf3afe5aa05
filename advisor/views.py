"""Pages for teams, members and the load balancer's health check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from advisor import access, services
from advisor.engine import FrameworkError, check_answers, evaluate, parse_answers
from advisor.forms import (
    InteractionForm,
    MemberAddForm,
    MembershipRoleForm,
    ServiceForm,
    SystemForm,
    TeamForm,
)
from advisor.frameworks import DEFAULT_FRAMEWORK, get_framework
from advisor.models import Interaction, Membership, Role, Service, System
from advisor.presenters import (
    answer_differences,
    build_scoreboard,
    error_boxes_oob,
    estimator_inputs,
    questionnaire_sections,
)
from advisor.questionnaire import answers_from_post, revision_from_post
from advisor.selectors import (
    deletion_summary,
    draft_for_interaction,
    interactions_for_system,
    memberships_for_user,
    pick_current_membership,
    services_for_system,
    systems_for_team,
    team_members,
)


def _get_membership_for_user(request: HttpRequest, slug: str, action: str) -> Membership:
    return access.get_membership_for_user(request.user, slug, action=action)


def _get_member_of_team(team_membership: Membership, member_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=member_id, team_id=team_membership.team_id
    )


@require_GET
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
    return render(
        request, "advisor/team_create.html", {"form": form}, status=422 if form.errors else 200
    )


@require_POST
@login_required
def team_switch(request: HttpRequest) -> HttpResponse:
    membership = _get_membership_for_user(request, request.POST.get("team", ""), access.READ)
    services.current_team_remember(session=request.session, team=membership.team)
    return redirect("team_detail", slug=membership.team.slug)


@require_http_methods(["GET", "POST"])
@login_required
def team_members_page(request: HttpRequest, slug: str) -> HttpResponse:
    action = access.MANAGE if request.method == "POST" else access.READ
    membership = _get_membership_for_user(request, slug, action)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.membership_add(
                team=membership.team,
                login=form.cleaned_data["login"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{added.user.get_username()} joined as {added.get_role_display().lower()}.",
            )
            return redirect("team_members", slug=slug)
    return render(
        request,
        "advisor/team_members.html",
        {
            "team": membership.team,
            "membership": membership,
            "form": form,
            "members": team_members(membership.team),
            "role_choices": Role.choices,
        },
        status=422 if form.errors else 200,
    )


@require_POST
@login_required
def membership_role(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = _get_membership_for_user(request, slug, access.MANAGE)
    member = _get_member_of_team(membership, member_id)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, editor or viewer.")
        return redirect("team_members", slug=slug)
    try:
        services.membership_change_role(membership=member, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{member.user.get_username()} is now {member.get_role_display().lower()}."
        )
    return redirect("team_members", slug=slug)


@require_POST
@login_required
def membership_remove(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = _get_membership_for_user(request, slug, access.MANAGE)
    member = _get_member_of_team(membership, member_id)
    try:
        services.membership_remove(membership=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{member.user.get_username()} no longer belongs to {membership.team}."
        )
    if member.user_id == request.user.id and member.pk is None:
        return redirect("home")
    return redirect("team_members", slug=slug)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not: for load balancers and benchmarks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


# --- systems, services, interactions ---------------------------------------------------


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _get_system_for_user(request: HttpRequest, pk: int, action: str) -> System:
    return access.get_team_object_for_user(
        System.objects.select_related("team"), request.user,
        team_path="team", action=action, pk=pk,
    )  # fmt: skip


def _get_service_for_user(request: HttpRequest, pk: int, action: str) -> Service:
    return access.get_team_object_for_user(
        Service.objects.select_related("system__team"), request.user,
        team_path="system__team", action=action, pk=pk,
    )  # fmt: skip


def _get_interaction_for_user(request: HttpRequest, pk: int, action: str) -> Interaction:
    return access.get_team_object_for_user(
        Interaction.objects.select_related("system__team", "source", "target"), request.user,
        team_path="system__team", action=action, pk=pk,
    )  # fmt: skip


def _team_page_context(membership: Membership, **extra) -> dict:
    return {
        "team": membership.team,
        "membership": membership,
        "can_write": membership.can_write,
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


def _render_section(request, template: str, section: str, context: dict, status: int = 200):
    """The named section of a page: swapped in place of itself when asked by htmx."""
    response = render(request, f"{template}#{section}", context, status=status)
    return reswap(retarget(response, f"#{section}"), "outerHTML")


@never_cache
@require_GET
@login_required
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _get_membership_for_user(request, slug, access.READ)
    services.current_team_remember(session=request.session, team=membership.team)
    return render(request, "advisor/team_detail.html", _team_page_context(membership))


@require_POST
@login_required
def system_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _get_membership_for_user(request, slug, access.WRITE)
    form = SystemForm(request.POST, siblings=membership.team.systems.all())
    if form.is_valid():
        try:
            system = services.system_create(team=membership.team, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, f"System “{system.name}” created.")
                return redirect("system_detail", pk=system.pk)
            form = None
    context = _team_page_context(membership, system_form=form)
    status = 422 if form is not None else 200
    if request.htmx:
        return _render_section(request, "advisor/team_detail.html", "systems-section", context,
                               status)  # fmt: skip
    return render(request, "advisor/team_detail.html", context, status=status)


@never_cache
@require_GET
@login_required
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    system = _get_system_for_user(request, pk, access.READ)
    services.current_team_remember(session=request.session, team=system.team)
    return render(
        request, "advisor/system_detail.html", _system_page_context(system, system.viewer_role)
    )


def _edit_named(request, *, obj, form_class, form_kwargs, save, title, done_url, section):
    """Shared edit flow: a page (or an inline htmx form), then the updated section."""
    initial = {field: getattr(obj, field) for field in form_class.base_fields}
    form_kwargs = {**form_kwargs, "current": obj, "prefix": f"edit-{obj.pk}"}
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if request.htmx and request.POST.get("inline"):
                    return section()
                messages.success(request, f"Saved “{form.cleaned_data['name']}”.")
                return redirect(done_url)
    else:
        form = form_class(initial=initial, **form_kwargs)
    # Inline (htmx, inside a list) the form answers with the list's section; as a page of
    # its own it is a plain form that redirects.
    inline = bool(request.htmx) and (request.method == "GET" or "inline" in request.POST)
    template = "advisor/object_form.html" + ("#edit-form" if inline else "")
    context = {
        "inline": inline, "form": form, "title": title, "action": request.path,
        "cancel_url": done_url, "team": getattr(obj, "team", None) or obj.system.team,
    }  # fmt: skip
    return render(request, template, context, status=422 if form.errors else 200)


def _kept_decisions(summary: dict) -> str:
    count = summary.get("decisions", 0)
    if not count:
        return ""
    return (
        f" The {_count(count, 'decision record')} made for {'it' if count == 1 else 'them'} "
        f"stay in the team's log with their frozen answers and scores, without the link."
    )


def _delete_named(request, *, obj, summary, title, done_url, delete, section, consequence):
    """Shared delete flow: a confirmation that says what goes with it, then the deletion."""
    if request.method == "POST":
        name = obj.name
        delete()
        if request.htmx and request.POST.get("inline"):
            return section()
        messages.success(request, f"Deleted “{name}”.")
        return redirect(done_url)
    inline = bool(request.htmx)
    template = "advisor/confirm_delete.html" + ("#confirm" if inline else "")
    return render(
        request, template,
        {"inline": inline, "object": obj, "title": title, "summary": summary,
         "consequence": consequence + _kept_decisions(summary),
         "action": request.path, "cancel_url": done_url,
         "team": getattr(obj, "team", None) or obj.system.team},
    )  # fmt: skip


def _systems_section(request, team) -> HttpResponse:
    membership = access.get_membership_for_user(request.user, team.slug)
    return _render_section(
        request, "advisor/team_detail.html", "systems-section", _team_page_context(membership)
    )


@require_http_methods(["GET", "POST"])
@login_required
def system_edit(request: HttpRequest, pk: int) -> HttpResponse:
    system = _get_system_for_user(request, pk, access.WRITE)
    return _edit_named(
        request, obj=system, form_class=SystemForm,
        form_kwargs={"siblings": system.team.systems.all()},
        save=lambda data: services.system_update(system=system, **data),
        title=f"Edit system “{system.name}”",
        done_url=reverse("system_detail", args=[system.pk]),
        section=lambda: _systems_section(request, system.team),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def system_delete(request: HttpRequest, pk: int) -> HttpResponse:
    system = _get_system_for_user(request, pk, access.WRITE)
    summary = deletion_summary(system=system)
    return _delete_named(
        request, obj=system, summary=summary,
        title=f"Delete system “{system.name}”?",
        done_url=reverse("team_detail", args=[system.team.slug]),
        delete=lambda: services.system_delete(system=system),
        section=lambda: _systems_section(request, system.team),
        consequence=(
            f"This deletes {_count(summary['services'], 'service')} and "
            f"{_count(summary['interactions'], 'interaction')} with their questionnaires "
            f"({summary['answered_drafts']} with answers)."
        ),
    )  # fmt: skip


def _system_section(request, system: System, role: str, section: str, status=200, **forms):
    """A section of the system page for htmx. Services also change the interactions list
    (names, deletions, what can be picked), so that section comes along out of band."""
    context = _system_page_context(system, role, **forms)
    response = _render_section(request, "advisor/system_detail.html", section, context, status)
    if section == "services-section":
        extra = render(
            request, "advisor/system_detail.html#interactions-section",
            {**context, "interactions_oob": True},
        )  # fmt: skip
        response.content += extra.content
    return response


@require_POST
@login_required
def service_create(request: HttpRequest, pk: int) -> HttpResponse:
    system = _get_system_for_user(request, pk, access.WRITE)
    form = ServiceForm(request.POST, siblings=system.services.all())
    return _create_in_system(
        request, system, form=form, form_name="service_form", section="services-section",
        create=lambda data: services.service_create(system=system, **data),
        done=lambda service: (f"Service “{service.name}” added.",
                              reverse("system_detail", args=[system.pk])),
    )  # fmt: skip


def _create_in_system(request, system, *, form, form_name, section, create, done):
    """Shared create flow on the system page: the refreshed section for htmx, a redirect
    otherwise; the form with its errors (422) when it does not validate."""
    if form.is_valid():
        try:
            created = create(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                return _system_section(request, system, system.viewer_role, section)
            message, url = done(created)
            messages.success(request, message)
            return redirect(url)
    if request.htmx:
        return _system_section(
            request, system, system.viewer_role, section, 422, **{form_name: form}
        )
    context = _system_page_context(system, system.viewer_role, **{form_name: form})
    return render(request, "advisor/system_detail.html", context, status=422)


@require_http_methods(["GET", "POST"])
@login_required
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = _get_service_for_user(request, pk, access.WRITE)
    system = service.system
    return _edit_named(
        request, obj=service, form_class=ServiceForm,
        form_kwargs={"siblings": system.services.all()},
        save=lambda data: services.service_update(service=service, **data),
        title=f"Edit service “{service.name}”",
        done_url=reverse("system_detail", args=[system.pk]),
        section=lambda: _system_section(request, system, service.viewer_role, "services-section"),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def service_delete(request: HttpRequest, pk: int) -> HttpResponse:
    service = _get_service_for_user(request, pk, access.WRITE)
    system = service.system
    summary = deletion_summary(service=service)
    return _delete_named(
        request, obj=service, summary=summary,
        title=f"Delete service “{service.name}”?",
        done_url=reverse("system_detail", args=[system.pk]),
        delete=lambda: services.service_delete(service=service),
        section=lambda: _system_section(request, system, service.viewer_role, "services-section"),
        consequence=(
            f"This also deletes {_count(summary['interactions'], 'interaction')} that call it "
            f"or are called by it, with their questionnaires "
            f"({summary['answered_drafts']} with answers)."
            if summary["interactions"] else "No interaction uses this service."
        ),
    )  # fmt: skip


@require_POST
@login_required
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    system = _get_system_for_user(request, pk, access.WRITE)
    form = InteractionForm(
        request.POST, siblings=system.interactions.all(), services=system.services.all()
    )
    return _create_in_system(
        request, system, form=form, form_name="interaction_form",
        section="interactions-section",
        create=lambda data: services.interaction_create(system=system, user=request.user, **data),
        done=lambda interaction: (f"Interaction “{interaction.name}” added.",
                                  reverse("interaction_detail", args=[interaction.pk])),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = _get_interaction_for_user(request, pk, access.WRITE)
    system = interaction.system
    return _edit_named(
        request, obj=interaction, form_class=InteractionForm,
        form_kwargs={"siblings": system.interactions.all(), "services": system.services.all()},
        save=lambda data: services.interaction_update(interaction=interaction, **data),
        title=f"Edit interaction “{interaction.name}”",
        done_url=reverse("interaction_detail", args=[interaction.pk]),
        section=lambda: _system_section(
            request, system, interaction.viewer_role, "interactions-section"
        ),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def interaction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = _get_interaction_for_user(request, pk, access.WRITE)
    system = interaction.system
    summary = deletion_summary(interaction=interaction)
    return _delete_named(
        request, obj=interaction, summary=summary,
        title=f"Delete interaction “{interaction.name}”?",
        done_url=reverse("system_detail", args=[system.pk]),
        delete=lambda: services.interaction_delete(interaction=interaction),
        section=lambda: _system_section(
            request, system, interaction.viewer_role, "interactions-section"
        ),
        consequence=(
            "This deletes its questionnaire answers too."
            if summary["answered_drafts"] else "Its questionnaire has no answers yet."
        ),
    )  # fmt: skip


# --- the questionnaire -----------------------------------------------------------------


def _interaction_page(request, interaction, draft, *, shown, errors, result, status=200, **extra):
    framework = get_framework(draft.framework_name)
    context = {
        "team": interaction.system.team,
        "interaction": interaction,
        "draft": draft,
        "can_write": access.can(interaction.viewer_role, access.WRITE),
        "revision": extra.pop("revision", draft.revision),
        "decisions": interaction.decisions.order_by("number"),
        **_questionnaire_context(framework, result, shown, errors),
        **extra,
    }
    return render(request, "advisor/interaction_detail.html", context, status=status)


def _questionnaire_context(framework, result, shown: dict, errors: dict) -> dict:
    sections = questionnaire_sections(framework, shown, errors)
    inputs = estimator_inputs(framework, shown, errors)
    return {
        "framework_name": framework.name,
        "sections": sections,
        "estimate_inputs": inputs,
        "error_boxes": error_boxes_oob(sections, inputs),
        "board": build_scoreboard(framework, result),
    }


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def interaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire: GET shows it, POST re-scores and saves (see `_score`)."""
    if request.method == "POST":
        return _score(request, pk)
    interaction = _get_interaction_for_user(request, pk, access.READ)
    services.current_team_remember(session=request.session, team=interaction.system.team)
    draft = draft_for_interaction(interaction)
    framework = get_framework(draft.framework_name)
    result = evaluate(framework, parse_answers(framework, draft.answers))
    return _interaction_page(
        request, interaction, draft, shown=draft.answers, errors={}, result=result
    )


def _score(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-score the posted answers and save them as the draft (the live scoreboard).

    htmx gets the scoreboard partial plus out-of-band updates of the save status, the
    revision and the field errors; a plain POST gets the whole page. Answers with problems
    are not saved, but the others are still scored.
    """
    try:
        framework = get_framework(request.POST.get("framework", DEFAULT_FRAMEWORK))
    except FrameworkError:
        return HttpResponse("The form names an unknown framework; reload the page.", status=400)
    raw = answers_from_post(framework, request.POST)
    answers, errors = check_answers(framework, raw)
    # "Save mine over theirs" names the revision it overwrites; a later save still conflicts.
    base_revision = revision_from_post(request.POST, "overwrite_revision")
    if base_revision is None:
        base_revision = revision_from_post(request.POST, "revision")
    if base_revision is None:
        return HttpResponse("The form is missing its revision; reload the page.", status=400)
    result = evaluate(framework, answers)
    saved = None
    if not errors:
        saved = services.assessment_save_draft(
            interaction_id=pk, user=request.user, answers=answers, result=result,
            base_revision=base_revision,
        )  # fmt: skip
    if saved is not None and saved.saved:
        if not request.htmx:
            messages.success(request, "Answers saved and scored.")
            return redirect("interaction_detail", pk=pk)
        return render(
            request, "advisor/interaction_detail.html#live-update",
            {"save_status": "saved", "revision": saved.revision, "saved_at": timezone.now(),
             **_questionnaire_context(framework, result, raw, errors)},
        )  # fmt: skip
    interaction = _get_interaction_for_user(request, pk, access.READ if errors else access.WRITE)
    draft = draft_for_interaction(interaction)
    conflict = saved is not None  # valid and allowed, yet refused: someone saved in between
    context = {
        "save_status": "conflict" if conflict else "invalid",
        "theirs": draft if conflict else None,
        "differences": answer_differences(framework, draft.answers, dict(answers))
        if conflict else (),
        "revision": base_revision,
    }  # fmt: skip
    http_status = 409 if conflict else 422
    if request.htmx:
        return render(
            request, "advisor/interaction_detail.html#live-update",
            {"interaction": interaction, **context,
             **_questionnaire_context(framework, result, raw, errors)},
            status=http_status,
        )  # fmt: skip
    return _interaction_page(
        request, interaction, draft, shown=raw, errors=errors, result=result, status=http_status,
        **context,
    )  # fmt: skip
