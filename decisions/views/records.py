"""Recording, editing, amending and moving a decision along its lifecycle."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from advisor import access
from advisor.frameworks import get_framework
from advisor.selectors import draft_for_interaction
from decisions import services
from decisions.document import record_context
from decisions.forms import AmendForm, DecisionForm, StatusForm
from decisions.models import Decision, Status
from decisions.presenters import (
    pattern_name,
)
from decisions.views.common import (
    _get_decision_for_user,
    _get_interaction_for_user,
    _option_choices,
    _small_int,
)


@require_http_methods(["GET", "POST"])
@login_required
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision from an interaction's current answers."""
    interaction = _get_interaction_for_user(request, pk, access.WRITE)
    team = interaction.system.team
    draft = draft_for_interaction(interaction)
    framework = get_framework(draft.framework_name)
    defaults = services.decision_defaults(interaction=interaction, draft=draft)
    preview = defaults.pop("preview")
    form_kwargs = {
        "team": team, "options": _option_choices(framework, preview),
        "recommended": preview["recommendation"],
    }  # fmt: skip
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.decision_record(
                    interaction=interaction, user=request.user, data=data,
                    deciders=data["deciders"], supersedes=data["supersedes"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
                if not hasattr(error, "error_dict"):  # the answers changed under the form
                    form.data = form.data.copy()
                    form.data["assessment_revision"] = draft.revision
                    status = 409
            else:
                messages.success(request, f"Recorded {decision.reference} as proposed.")
                return redirect("decision_detail", pk=decision.pk)
        status = status if status != 200 else 422
    else:
        initial = {**defaults, "deciders": [request.user.pk]}
        superseded = _small_int(request.GET.get("supersedes"))
        if superseded is not None:
            initial["supersedes"] = [superseded]
        form = DecisionForm(initial=initial, **form_kwargs)
    return render(
        request, "decisions/decision_form.html",
        {"form": form, "team": team, "interaction": interaction, "mode": "record",
         "recommendation": pattern_name(framework, preview["recommendation"])},
        status=status,
    )  # fmt: skip


def _edit(request: HttpRequest, decision: Decision, *, amend: bool) -> HttpResponse:
    framework = get_framework(decision.framework_name)
    form_class = AmendForm if amend else DecisionForm
    form_kwargs = {
        "team": decision.team, "options": _option_choices(framework, decision.result),
        "recommended": decision.recommended_option, "editing": True,
    }  # fmt: skip
    theirs = None
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            base = data["version"]
            try:
                if amend:
                    services.decision_amend(
                        decision=decision, user=request.user, data=data,
                        deciders=data["deciders"], base_version=base, reason=data["reason"],
                    )  # fmt: skip
                else:
                    services.decision_update(
                        decision=decision, user=request.user, data=data,
                        deciders=data["deciders"], base_version=base,
                        refreeze=data["refreeze"],
                    )  # fmt: skip
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
        initial.update(version=decision.version, deciders=list(decision.deciders.all()))
        form = form_class(initial=initial, **form_kwargs)
    status = 409 if theirs else (422 if form.errors else 200)
    return render(
        request, "decisions/decision_form.html",
        {"form": form, "team": decision.team, "decision": decision, "theirs": theirs,
         "mode": "amend" if amend else "edit",
         "recommendation": pattern_name(framework, decision.recommended_option)},
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.WRITE)
    if decision.editable:
        return _edit(request, decision, amend=False)
    if request.method == "POST":  # it changed status while being edited: keep the text
        return _status_moved_on(request, decision, amend=False)
    if decision.status == Status.ACCEPTED:
        return redirect("decision_amend", pk=pk)
    messages.error(request, _no_longer_editable(decision))
    return redirect("decision_detail", pk=pk)


@require_http_methods(["GET", "POST"])
@login_required
def decision_amend(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.WRITE)
    if decision.status == Status.ACCEPTED:
        return _edit(request, decision, amend=True)
    if request.method == "POST":
        return _status_moved_on(request, decision, amend=True)
    return redirect("decision_edit", pk=pk)


def _no_longer_editable(decision: Decision) -> str:
    return (
        f"{decision.reference} is {decision.get_status_display().lower()} and can no longer "
        f"be edited; record a new decision instead."
    )


def _status_moved_on(request: HttpRequest, decision: Decision, *, amend: bool) -> HttpResponse:
    """The form was posted for a status the decision no longer has. Nothing is saved; the
    posted text comes back in the right form (amend for accepted decisions) to act on."""
    framework = get_framework(decision.framework_name)
    accepted = decision.status == Status.ACCEPTED
    form_class = AmendForm if accepted else DecisionForm
    form = form_class(
        request.POST, team=decision.team, options=_option_choices(framework, decision.result),
        recommended=decision.recommended_option, editing=True,
    )  # fmt: skip
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
        request, "decisions/decision_form.html",
        {"form": form, "team": decision.team, "decision": decision,
         "mode": "amend" if accepted else "edit", "read_only": not accepted,
         "recommendation": pattern_name(framework, decision.recommended_option)},
        status=409,
    )  # fmt: skip


@require_POST
@login_required
def decision_status(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.WRITE)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status to move the decision to.")
        return redirect("decision_detail", pk=pk)
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
