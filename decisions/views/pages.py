"""Reading a decision: its page and its history."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import access
from advisor.frameworks import framework_for_record, team_framework
from decisions import dialects
from decisions.diff import revision_diff
from decisions.document import record_context
from decisions.forms import InteractionLinkForm, StatusForm
from decisions.models import TRANSITIONS, Decision, DecisionLink, Revision, Status
from decisions.views.common import (
    _get_decision_for_user,
    _small_int,
)

# Sections of an imported file that state the decision itself (MADR's, then Nygard's).
OUTCOME_HEADINGS = ("decision outcome", "decision")
# The sections an import keeps, in the order their files write them. PostgreSQL's JSON
# column does not keep the order of a record's keys, so the page restores it.
_IMPORTED_FROM = re.compile(r"^Imported from (?P<path>.+) \((?P<dialect>[^()]*)\)\.$")


@never_cache
@require_GET
@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.READ)
    return render_decision_page(request, decision)


def render_decision_page(
    request: HttpRequest, decision: Decision, *, status_form: StatusForm | None = None
) -> HttpResponse:
    """The record's page; with `status_form`, the status change posted from it, shown again
    with what was typed and why it was refused (422)."""
    can_write = access.can(decision.viewer_role, access.WRITE)
    # The records its named links name, read with the links (not one query per link).
    prefetch_related_objects(
        [decision],
        Prefetch("links_out", queryset=DecisionLink.objects.select_related("target")),
        Prefetch("links_in", queryset=DecisionLink.objects.select_related("source")),
    )
    context = record_context(decision)
    # A record without an interaction (imported, or its interaction deleted) can be linked
    # to one of the team's.
    linkable = can_write and (decision.imported or decision.interaction_id is None)
    context.update(
        can_write=can_write,
        next_statuses=[Status(s) for s in TRANSITIONS[decision.status]] if can_write else [],
        status_form=status_form or StatusForm(),
        revision_count=decision.revisions.count(),
        import_note=import_note(decision) if decision.imported else None,
        outcome_in_file=any(
            heading.lower() in OUTCOME_HEADINGS for heading, _ in context["imported_sections"]
        ),
        link_form=InteractionLinkForm(team=decision.team) if linkable else None,
    )  # fmt: skip
    status = 422 if status_form is not None and status_form.errors else 200
    return render(request, "decisions/decision_detail.html", context, status=status)


def import_note(decision: Decision) -> dict[str, Any]:
    """Where an imported record came from, for the note on its page: the kind of file, its
    path and when and by whom it was imported (from its import revision), and how the file
    said its status when Crossroads has no such status."""
    revision = (
        decision.revisions.filter(kind=Revision.Kind.IMPORTED)
        .select_related("author")
        .defer("data")
        .order_by("version")
        .first()
    )
    found = _IMPORTED_FROM.match(revision.note) if revision is not None else None
    dialect = dialects.DIALECTS.get(decision.imported_from)
    label = dialect.LABEL if dialect is not None else decision.imported_from
    return {
        "source": f"{'an' if label[:1].lower() in ('a', 'e', 'i', 'o') else 'a'} {label} file",
        "path": found.group("path") if found else "",
        "on": revision.created_at if revision is not None else None,
        "by": revision.author.get_username() if revision is not None else "",
        "status_said": decision.imported_sections.get("_status_said", ""),
        "tags": decision.imported_sections.get("_tags", []),
    }


@never_cache
@require_GET
@login_required
def decision_revisions(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk, access.READ)
    # The list needs who, when and why; only the two revisions compared are read in full.
    revisions = list(decision.revisions.select_related("author").defer("data").order_by("-version"))
    # An imported record froze no framework: any framework reads its (empty) answers.
    framework = (
        team_framework(decision.team) if decision.imported else framework_for_record(decision)
    )
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
