"""Reading a decision: its page and its history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import access
from advisor.frameworks import framework_for_record
from decisions.diff import revision_diff
from decisions.document import record_context
from decisions.models import TRANSITIONS, Revision, Status
from decisions.views.common import (
    _get_decision_for_user,
    _small_int,
)


@never_cache
@require_GET
@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.READ)
    can_write = access.can(decision.viewer_role, access.WRITE)
    context = record_context(decision)
    context.update(
        can_write=can_write,
        next_statuses=[Status(s) for s in TRANSITIONS[decision.status]] if can_write else [],
        revision_count=decision.revisions.count(),
    )  # fmt: skip
    return render(request, "decisions/decision_detail.html", context)


@never_cache
@require_GET
@login_required
def decision_revisions(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.READ)
    # The list needs who, when and why; only the two revisions compared are read in full.
    revisions = list(decision.revisions.select_related("author").defer("data").order_by("-version"))
    framework = framework_for_record(decision)
    versions = {revision.version: revision for revision in revisions}
    to_version = _version(request.GET, "to", versions, revisions[0].version)
    from_version = _version(request.GET, "from", versions, max(1, to_version - 1))
    data = dict(
        decision.revisions.filter(version__in={from_version, to_version}).values_list(
            "version", "data"
        )
    )
    diff = revision_diff(framework, data[from_version], data[to_version])
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
