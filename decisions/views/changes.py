"""Editing a proposed decision, amending an accepted one, moving one along its lifecycle,
linking one to an interaction."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from advisor import access
from advisor.frameworks import framework_for_record
from advisor.models import Assessment
from decisions import services
from decisions.document import record_context
from decisions.forms import AmendForm, DecisionForm, InteractionLinkForm, StatusForm
from decisions.models import Decision, Status
from decisions.services.linking import decision_link_interaction
from decisions.views.common import (
    _get_decision_for_user,
    _option_choices,
    choice_context,
    refilled_initial,
)
from decisions.views.pages import render_decision_page

TEMPLATE = "decisions/decision_form.html"


def _form_kwargs(request: HttpRequest, decision: Decision) -> dict:
    if decision.imported:  # no patterns to offer: its chosen option is text
        return {"team": decision.team, "options": [], "result": {}, "editing": True,
                "imported": True}  # fmt: skip
    framework = framework_for_record(decision)
    return {
        "team": decision.team, "options": _option_choices(framework, decision.result),
        "result": decision.result, "refill_url": request.path, "editing": True,
    }  # fmt: skip


def _choice(decision: Decision, chosen: str | None) -> dict:
    """What the form says about the choice; an imported record was given no advice."""
    if decision.imported:
        return {"choice": None, "imported": True}
    return choice_context(framework_for_record(decision), decision.result, chosen)


def _save(request: HttpRequest, decision: Decision, data: dict, *, amend: bool) -> None:
    common = {"decision": decision, "user": request.user, "data": data,
              "deciders": data["deciders"], "base_version": data["version"]}  # fmt: skip
    if amend:
        services.decision_amend(**common, reason=data["reason"])
    else:
        services.decision_update(**common, refreeze=data.get("refreeze", False))


def _edit(request: HttpRequest, decision: Decision, *, amend: bool) -> HttpResponse:
    form_class = AmendForm if amend else DecisionForm
    form_kwargs = _form_kwargs(request, decision)
    theirs = None
    if request.method == "POST" and request.POST.get("refill"):
        initial = refilled_initial(form_class, request.POST, services.option_texts_for(decision))
        form = form_class(initial=initial, **form_kwargs)
    elif request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                _save(request, decision, form.cleaned_data, amend=amend)
            except services.DecisionConflict as conflict:
                theirs = record_context(conflict.current)
                # Submitting again now saves over the version shown side by side.
                form.data = form.data.copy()
                form.data["version"] = conflict.current.version
            except ValidationError as error:
                form.add_error(None, error)
            else:
                verb = "Amended" if amend else "Saved"
                messages.success(request, f"{verb} {decision.reference}.")
                return redirect("decision_detail", pk=decision.pk)
    else:
        initial = {field: getattr(decision, field) for field in services.EDITABLE_FIELDS}
        initial.update(version=decision.version, deciders=list(decision.deciders.all()),
                       chosen_title=decision.chosen_title)  # fmt: skip
        if decision.interaction_id is not None and not amend and not decision.imported:
            # A re-freeze takes the answers as they are when this form is opened, or none.
            initial["assessment_revision"] = (
                Assessment.objects.filter(interaction_id=decision.interaction_id)
                .values_list("revision", flat=True)
                .first()
            )
        form = form_class(initial=initial, **form_kwargs)
    refill = bool(request.method == "POST" and request.POST.get("refill"))
    status = 409 if theirs else (422 if form.is_bound and form.errors else 200)
    partial = "#decision-form" if request.htmx and refill else ""
    chosen = None if decision.imported else form["chosen_option"].value()
    return render(
        request, TEMPLATE + partial,
        {"form": form, "team": decision.team, "decision": decision, "theirs": theirs,
         "mode": "amend" if amend else "edit", **_choice(decision, chosen)},
        status=status,
    )  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.WRITE)
    if decision.editable:
        return _edit(request, decision, amend=False)
    if request.method == "POST":  # it changed status while being edited: keep the text
        return _status_moved_on(request, decision)
    if decision.status == Status.ACCEPTED:
        return redirect("decision_amend", pk=pk)
    messages.error(request, _no_longer_editable(decision))
    return redirect("decision_detail", pk=pk)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def decision_amend(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.WRITE)
    if decision.status == Status.ACCEPTED:
        return _edit(request, decision, amend=True)
    if request.method == "POST":
        return _status_moved_on(request, decision)
    return redirect("decision_edit", pk=pk)


def _no_longer_editable(decision: Decision) -> str:
    return (
        f"{decision.reference} is {decision.get_status_display().lower()} and can no longer "
        f"be edited; record a new decision instead."
    )


def _status_moved_on(request: HttpRequest, decision: Decision) -> HttpResponse:
    """The form was posted for a status the decision no longer has. Nothing is saved; the
    posted text comes back in the right form (amend for accepted decisions) to act on."""
    accepted = decision.status == Status.ACCEPTED
    form_class = AmendForm if accepted else DecisionForm
    form = form_class(request.POST, **_form_kwargs(request, decision))
    form.is_valid()
    form.errors.clear()
    form.add_error(
        None,
        f"{decision.reference} became accepted while you were editing: nothing was saved. "
        f"Your text is below; amend it with a reason to keep it."
        if accepted else _no_longer_editable(decision) + " Nothing was saved; your text is below.",
    )  # fmt: skip
    form.data = form.data.copy()
    form.data["version"] = decision.version
    return render(
        request, TEMPLATE,
        {"form": form, "team": decision.team, "decision": decision,
         "mode": "amend" if accepted else "edit", "read_only": not accepted,
         **_choice(decision, decision.chosen_option)},
        status=409,
    )  # fmt: skip


@require_POST
@login_required
def decision_status(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.WRITE)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return render_decision_page(request, decision, status_form=form)
    try:
        services.decision_change_status(
            decision=decision, user=request.user, status=form.cleaned_data["status"],
            base_version=form.cleaned_data["version"], note=form.cleaned_data["note"],
        )  # fmt: skip
    except services.DecisionConflict:
        messages.error(
            request,
            f"{decision.reference} changed while you were reading it; check it and try again.",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{decision.reference} is now {decision.get_status_display().lower()}."
        )
    return redirect("decision_detail", pk=pk)


@require_POST
@login_required
def decision_interaction_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a record without an interaction (imported, or its interaction deleted) to one
    of the team's interactions."""
    decision = _get_decision_for_user(request, pk, access.WRITE)
    form = InteractionLinkForm(request.POST, team=decision.team)
    if not form.is_valid():
        messages.error(request, "Choose one of the team's interactions to link it to.")
        return redirect("decision_detail", pk=pk)
    interaction = form.cleaned_data["interaction"]
    try:
        decision_link_interaction(decision=decision, interaction=interaction, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{decision.reference} is now linked to {interaction.name}.")
    return redirect("decision_detail", pk=pk)
