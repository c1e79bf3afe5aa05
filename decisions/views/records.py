"""Recording a decision from an interaction's questionnaire."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from advisor import access
from advisor.frameworks import framework_get
from advisor.selectors import draft_for_interaction
from advisor.views.common import get_interaction_for_user
from decisions import services
from decisions.content import OPTION_FIELDS
from decisions.forms import DecisionForm
from decisions.models import Decision
from decisions.views.common import (
    _option_choices,
    _small_int,
    choice_context,
    refilled_initial,
)

TEMPLATE = "decisions/decision_form.html"
SESSION_TOKEN = "record-form:{}"


def _without_new(request: HttpRequest):
    query = request.GET.copy()
    query.pop("new", None)
    return query


def _form_token(request: HttpRequest, interaction, draft) -> tuple[uuid.UUID, Decision | None]:
    """The record form's one-time token for this interaction in this session, and the
    decision it already recorded, if any.

    The same token comes back for the same form (the same answers, the same address) until
    a new one is asked for (`?new`), so a form reached again with Back and posted again
    finds the record it made, even though the page itself is never cached. Another address
    (superseding a decision, say) is another form.
    """
    key = SESSION_TOKEN.format(interaction.pk)
    stored = request.session.get(key)
    form = {"revision": draft.revision, "query": _without_new(request).urlencode()[:500]}
    reuse = isinstance(stored, dict) and {name: stored.get(name) for name in form} == form
    if reuse and "new" not in request.GET:
        token = uuid.UUID(stored["token"])
    else:
        token = uuid.uuid4()
        request.session[key] = {"token": str(token), **form}
    done = Decision.objects.filter(record_token=token, interaction=interaction).first()
    return token, done


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision from an interaction's current answers.

    A POST with `refill` only re-fills the text left as pre-filled for the option now
    chosen (htmx swaps the form; without JavaScript the page comes back) and saves nothing.
    """
    interaction = get_interaction_for_user(request, pk, access.WRITE)
    draft = draft_for_interaction(interaction)
    framework = framework_get(draft.framework_name, draft.framework_version)
    defaults = services.decision_defaults(
        interaction=interaction, draft=draft, chosen=request.GET.get("chosen")
    )
    preview, texts = defaults.pop("preview"), defaults.pop("option_texts")
    form_kwargs = {
        "team": interaction.system.team, "options": _option_choices(framework, preview),
        "result": preview, "refill_url": request.path, "interaction_id": interaction.pk,
    }  # fmt: skip
    status, recorded = 200, None
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
        token, recorded = _form_token(request, interaction, draft)
        if "new" in request.GET:  # a fresh token is issued: drop `new` from the address
            query = _without_new(request).urlencode()
            return redirect(request.path + (f"?{query}" if query else ""))
        initial = {**defaults, "record_token": token, "deciders": [request.user.pk]}
        if not preview["advice"]["given"] and "chosen" not in request.GET:
            # Without advice nothing is chosen for the team: no option, no option's text.
            for field in ("chosen_option", *OPTION_FIELDS):
                initial.pop(field, None)
        superseded = _small_int(request.GET.get("supersedes"))
        if superseded is not None:
            initial["supersedes"] = [superseded]
        form = DecisionForm(initial=initial, **form_kwargs)
    partial = "#decision-form" if request.htmx and request.POST.get("refill") else ""
    return render(
        request, TEMPLATE + partial,
        {"form": form, "team": interaction.system.team, "interaction": interaction,
         "mode": "record", "recorded": recorded,
         **choice_context(framework, preview, form["chosen_option"].value())},
        status=status,
    )  # fmt: skip
