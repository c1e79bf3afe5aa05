"""Recording a decision from an interaction's questionnaire."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from advisor import access
from advisor.frameworks import get_framework
from advisor.selectors import draft_for_interaction
from decisions import services
from decisions.forms import DecisionForm
from decisions.views.common import (
    _get_interaction_for_user,
    _option_choices,
    _small_int,
    choice_context,
    refilled_initial,
)

TEMPLATE = "decisions/decision_form.html"


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision from an interaction's current answers.

    A POST with `refill` only re-fills the text left as pre-filled for the option now
    chosen (htmx swaps the form; without JavaScript the page comes back) and saves nothing.
    """
    interaction = _get_interaction_for_user(request, pk, access.WRITE)
    draft = draft_for_interaction(interaction)
    framework = get_framework(draft.framework_name)
    defaults = services.decision_defaults(
        interaction=interaction, draft=draft, chosen=request.GET.get("chosen")
    )
    preview, texts = defaults.pop("preview"), defaults.pop("option_texts")
    form_kwargs = {
        "team": interaction.system.team, "options": _option_choices(framework, preview),
        "result": preview, "refill_url": request.path,
    }  # fmt: skip
    status = 200
    if request.method == "POST" and request.POST.get("refill"):
        form = DecisionForm(initial=refilled_initial(DecisionForm, request.POST, texts),
                            **form_kwargs)  # fmt: skip
    elif request.method == "POST":
        form = DecisionForm(request.POST, **form_kwargs)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.decision_record(
                    interaction=interaction, user=request.user, data=data,
                    deciders=data["deciders"], supersedes=data["supersedes"],
                )  # fmt: skip
            except services.AlreadyRecorded as done:
                messages.info(
                    request, f"This form had already recorded {done.decision.reference}: "
                    f"nothing new was recorded.",
                )  # fmt: skip
                return redirect("decision_detail", pk=done.decision.pk)
            except ValidationError as error:
                form.add_error(None, error)
                if not hasattr(error, "error_dict"):  # the answers changed under the form
                    form.data = form.data.copy()
                    form.data["assessment_revision"] = draft.revision
                    status = 409
            else:
                messages.success(request, f"Recorded {decision.reference} as proposed.")
                return redirect("decision_detail", pk=decision.pk)
    else:
        initial = {**defaults, "deciders": [request.user.pk]}
        superseded = _small_int(request.GET.get("supersedes"))
        if superseded is not None:
            initial["supersedes"] = [superseded]
        form = DecisionForm(initial=initial, **form_kwargs)
    partial = "#decision-form" if request.htmx and request.POST.get("refill") else ""
    return render(
        request, TEMPLATE + partial,
        {"form": form, "team": interaction.system.team, "interaction": interaction,
         "mode": "record",
         **choice_context(framework, preview, form["chosen_option"].value())},
        status=status,
    )  # fmt: skip
