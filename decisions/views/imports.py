"""Importing ADR files into a team's log: upload them, see what would be created, confirm."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from advisor import access
from advisor.middleware import accepts_uploads
from advisor.models import Team
from decisions.archive import ArchiveError
from decisions.forms_import import ImportUploadForm
from decisions.models import Decision, ImportUpload, Status
from decisions.services.importing import (
    FileReport,
    ImportPlan,
    import_plan,
    pair_links,
)
from decisions.services.uploads import (
    UploadGone,
    keep_uploads_for,
    max_upload_bytes,
    upload_for_team,
    upload_import,
    upload_keep,
    upload_read,
)

UPLOAD_PAGE = "decisions/import_upload.html"
PREVIEW_PAGE = "decisions/import_preview.html"


@dataclass
class PreviewRow:
    """One record the import would create, in words."""

    reference: str
    title: str
    status: str
    decided_on: date | None
    deciders: list[str]
    path: str
    dialect: str
    with_assessment: bool
    links: list[str] = field(default_factory=list)


def _reference(number: int) -> str:
    return f"ADR-{number:04d}"


def _status_words(status: str, said: str = "") -> str:
    words = Status(status).label if status in Status.values else status.capitalize()
    return f"{words} (“{said}” in the file)" if said else words


def _iso_date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:  # shown as no date; the import itself says what is wrong with it
        return None


def _row(report: FileReport) -> PreviewRow:
    record = report.record
    frozen = record.frozen or {}
    status, said, decided_on = record.status, record.status_said, record.decided_on
    deciders = list(record.deciders)
    if frozen:  # our JSON keeps all of it in the export itself
        status, said = str(frozen.get("status") or status), ""
        decided_on = _iso_date(frozen.get("decided_on"))
        deciders = [str(name) for name in frozen.get("decision_makers", [])]
    return PreviewRow(
        reference=record.reference, title=record.title, status=_status_words(status, said),
        decided_on=decided_on, deciders=deciders, path=report.path, dialect=report.dialect,
        with_assessment=bool((frozen.get("framework") or {}).get("name")),
    )  # fmt: skip


def _link_lines(team: Team, plan: ImportPlan) -> dict[int, list[str]]:
    """The links each new record will have, both ways ("Supersedes ADR-0002" on one,
    "Superseded by ADR-0004" on the other), as the plan resolved them for the import."""
    found = plan.links
    supersede = set(found.supersede)
    named = [(source, link.label, link.target, link.reverse_label)
             for source, links in pair_links(found.said).items() for link in links]  # fmt: skip
    for report in plan.creating:  # our JSON names its links by number, as recorded
        frozen, number = report.record.frozen, report.record.number
        if frozen:
            supersede |= {(number, int(ref["number"])) for ref in frozen.get("supersedes", [])}
            for link in frozen.get("named_links", []):
                target = int(link["target"]["number"])
                named.append((number, link["label"], target, link.get("reverse_label") or ""))
    lines: dict[int, list[str]] = defaultdict(list)
    for successor, predecessor in sorted(supersede):
        lines[successor].append(f"Supersedes {_reference(predecessor)}")
        lines[predecessor].append(f"Superseded by {_reference(successor)}")
    for source, label, target, reverse in sorted(named):
        lines[source].append(f"{label} {_reference(target)}")
        if reverse:
            lines[target].append(f"{reverse} {_reference(source)}")
    return lines


def _preview_context(team: Team, upload: ImportUpload, plan: ImportPlan) -> dict:
    links = _link_lines(team, plan)
    rows = []
    for report in plan.creating:
        row = _row(report)
        row.links = links.get(report.record.number, [])
        rows.append(row)
    return {
        "team": team,
        "upload": upload,
        "plan": plan,
        "rows": rows,
        "problems": sorted(plan.problems, key=lambda report: report.path),
        "skipped": sorted(plan.skipped, key=lambda report: report.path),
        "without_assessment": sum(not row.with_assessment for row in rows),
        "expires_at": upload.created_at + keep_uploads_for(),
    }


def _keep_hours() -> int:
    return round(keep_uploads_for().total_seconds() / 3600)


def _imported_message(created: list[Decision]) -> str:
    numbers = sorted(decision.number for decision in created)
    count = f"{len(numbers)} record{'s' if len(numbers) != 1 else ''}"
    if len(numbers) == 1:
        return f"Imported {count}: {_reference(numbers[0])}."
    return f"Imported {count}: {_reference(numbers[0])} to {_reference(numbers[-1])}."


@accepts_uploads("IMPORT_MAX_UPLOAD_BYTES")
@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def decision_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload ADR files (a zip, one record, or a folder's files) to preview their import."""
    team = access.get_membership_for_user(request.user, slug, action=access.WRITE).team
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            filename, data = form.cleaned_data["upload"]
            upload = upload_keep(team=team, user=request.user, filename=filename, data=data)
            return redirect("decision_import_preview", slug=team.slug, pk=upload.pk)
    else:
        form = ImportUploadForm()
    context = {
        "team": team,
        "form": form,
        "max_bytes": max_upload_bytes(),
        # Django refuses a request with more files than this before any view runs.
        "max_folder_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        "keep_hours": _keep_hours(),
    }
    return render(request, UPLOAD_PAGE, context, status=422 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def decision_import_preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """What importing an upload would create and what it cannot; posting imports it."""
    team = access.get_membership_for_user(request.user, slug, action=access.WRITE).team
    upload = upload_for_team(team, pk)
    if upload is None:
        context = {"team": team, "gone": True, "keep_hours": _keep_hours()}
        return render(request, PREVIEW_PAGE, context, status=404)
    errors: list[str] = []
    if request.method == "POST":
        try:
            created = upload_import(upload=upload, user=request.user)
        except UploadGone:
            messages.info(request, "These records have already been imported.")
            return redirect("decision_log", slug=team.slug)
        except ValidationError as error:
            errors = error.messages
        except ArchiveError as error:
            errors = [str(error)]
        else:
            messages.success(request, _imported_message(created))
            return redirect("decision_log", slug=team.slug)
    try:
        plan = import_plan(team, upload_read(upload))
    except ArchiveError as error:  # the limits were lowered since it was uploaded
        plan, errors = ImportPlan(), [str(error)]
    context = {**_preview_context(team, upload, plan), "errors": errors,
               "keep_hours": _keep_hours()}  # fmt: skip
    return render(request, PREVIEW_PAGE, context, status=409 if errors else 200)
