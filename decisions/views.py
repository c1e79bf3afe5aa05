"""Pages for decision records: record, read, edit, amend, change status, history, exports."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from advisor import access
from advisor.frameworks import get_framework
from advisor.models import Interaction
from advisor.selectors import draft_for_interaction
from decisions import services
from decisions.charts import pattern_mix_svg, score_chart_svg
from decisions.exports import decision_json, decision_markdown
from decisions.forms import AmendForm, DecisionForm, StatusForm
from decisions.markdown import render_markdown
from decisions.models import TRANSITIONS, Decision, Revision, Status
from decisions.pdf import render_decision_pdf
from decisions.presenters import (
    answer_rows,
    considered_options,
    pattern_name,
    revision_diff,
)
from decisions.selectors import SORTS, LogFilters, decision_count, decision_log, pattern_mix

_DIGITS = re.compile(r"[0-9]{1,9}")
MARKDOWN_FIELDS = (
    "context", "drivers", "justification", "good_consequences", "bad_consequences",
    "confirmation", "links",
)  # fmt: skip


def _get_decision_for_user(request: HttpRequest, pk: int, action: str) -> Decision:
    return access.get_team_object_for_user(
        Decision.objects.select_related("team", "created_by", "interaction"),
        request.user, team_path="team", action=action, pk=pk,
    )  # fmt: skip


def _get_interaction_for_user(request: HttpRequest, pk: int, action: str) -> Interaction:
    return access.get_team_object_for_user(
        Interaction.objects.select_related("system__team", "source", "target"),
        request.user, team_path="system__team", action=action, pk=pk,
    )  # fmt: skip


def _option_choices(framework, result: dict) -> list[tuple[str, str]]:
    labels = []
    for key in result["ranking"]:
        note = "" if result["viable"][key] else ", ruled out"
        star = " (recommended)" if key == result["recommendation"] else ""
        labels.append((key, f"{pattern_name(framework, key)}: {result['scores'][key]}{note}{star}"))
    return labels


def _small_int(value: str | None) -> int | None:
    """A positive id or number from a query string, or None for anything else."""
    return int(value) if value and _DIGITS.fullmatch(value) else None


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


def _record_context(decision: Decision) -> dict:
    framework = get_framework(decision.framework_name)
    options = considered_options(framework, decision)
    return {
        "decision": decision,
        "team": decision.team,
        "options": options,
        "chosen_name": pattern_name(framework, decision.chosen_option),
        "recommended_name": pattern_name(framework, decision.recommended_option),
        "answers": answer_rows(framework, decision.answers),
        "score_chart": score_chart_svg(options, framework.pattern_keys),
        "html": {field: render_markdown(getattr(decision, field)) for field in MARKDOWN_FIELDS},
        "warnings": decision.result.get("warnings", []),
        "mitigations": decision.result.get("mitigations", []),
        "deciders": list(decision.deciders.order_by("username")),
        "supersedes": list(decision.supersedes.order_by("number")),
        "superseded_by": list(decision.superseded_by.order_by("number")),
    }


@never_cache
@require_GET
@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.READ)
    can_write = access.can(decision.viewer_role, access.WRITE)
    context = _record_context(decision)
    context.update(
        can_write=can_write,
        next_statuses=[Status(s) for s in TRANSITIONS[decision.status]] if can_write else [],
        revision_count=decision.revisions.count(),
    )  # fmt: skip
    return render(request, "decisions/decision_detail.html", context)


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
                theirs = _record_context(conflict.current)
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


@require_GET
@login_required
def decision_revisions(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.READ)
    revisions = list(decision.revisions.select_related("author").order_by("-version"))
    framework = get_framework(decision.framework_name)
    versions = {revision.version: revision for revision in revisions}
    to_version = _version(request.GET, "to", versions, revisions[0].version)
    from_version = _version(request.GET, "from", versions, max(1, to_version - 1))
    diff = revision_diff(framework, versions[from_version].data, versions[to_version].data)
    return render(
        request, "decisions/decision_revisions.html",
        {"decision": decision, "team": decision.team, "revisions": revisions,
         "from_version": from_version, "to_version": to_version, "diff": diff},
    )  # fmt: skip


def _version(params, name: str, versions: dict[int, Revision], default: int) -> int:
    if name not in params:
        return default
    version = _small_int(params[name])
    if version not in versions:
        raise Http404("No such revision.")
    return version


@never_cache
@require_GET
@login_required
def decision_log_page(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access.get_membership_for_user(request.user, slug)
    team = membership.team
    framework = get_framework()
    filters = _filters(request)
    paginator = Paginator(decision_log(team, filters), 25)
    if filters == LogFilters(sort=filters.sort):  # the whole log: its size is known
        paginator.count = decision_count(team)
    page = paginator.get_page(_small_int(request.GET.get("page")))
    names = {pattern.key: pattern.name for pattern in framework.patterns}
    rows = [(decision, names.get(decision.chosen_option, decision.chosen_option))
            for decision in page]  # fmt: skip
    mix = [
        {"system": row["system"], "svg": pattern_mix_svg(row["counts"], names)}
        for row in pattern_mix(team)
    ]
    return render(
        request, "decisions/decision_log.html",
        {"team": team, "page": page, "filters": filters, "statuses": Status.choices,
         "patterns": [(p.key, p.name) for p in framework.patterns],
         "systems": team.systems.order_by("name").values_list("name", flat=True),
         "deciders": team.members.order_by("username"), "sorts": list(SORTS),
         "mix": mix, "rows": rows, "query_string": _without_page(request)},
    )  # fmt: skip


def _filters(request: HttpRequest) -> LogFilters:
    from django.utils.dateparse import parse_date

    def date_param(name: str):
        try:
            return parse_date(request.GET.get(name, "")) or None
        except ValueError:
            return None

    return LogFilters(
        query=request.GET.get("q", "").strip()[:200],
        status=request.GET.get("status", "") if request.GET.get("status") in Status.values else "",
        pattern=request.GET.get("pattern", "")[:40],
        system=request.GET.get("system", "")[:120],
        decider=_small_int(request.GET.get("decider")),
        since=date_param("since"),
        until=date_param("until"),
        sort=request.GET.get("sort", "newest") if request.GET.get("sort") in SORTS else "newest",
    )


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _filename(decision: Decision, extension: str) -> str:
    from django.utils.text import slugify

    return f"{decision.reference}-{slugify(decision.title)[:60]}.{extension}"


@never_cache
@require_GET
@login_required
def decision_export_markdown(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.READ)
    response = HttpResponse(
        decision_markdown(decision), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(decision, "md")}"'
    return response


@never_cache
@require_GET
@login_required
def decision_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.READ)
    response = JsonResponse(decision_json(decision), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{_filename(decision, "json")}"'
    return response


@never_cache
@require_GET
@login_required
def decision_export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.READ)
    pdf = render_decision_pdf(decision, _record_context(decision))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(decision, "pdf")}"'
    return response
