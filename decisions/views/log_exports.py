"""Whole-log exports: start one, watch it run, download its file."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from advisor import access
from advisor.models import Team
from decisions.exporting import FORMAT_LABELS
from decisions.models import ExportJob
from decisions.services.exports import (
    MAX_ATTEMPTS,
    export_job_create,
    export_job_is_expired,
    export_jobs_for_team,
    export_systems,
    exports_requeue_stale,
    keep_files_for,
)

EXPORTS_PAGE = "decisions/log_exports.html"
JOB_PAGE = "decisions/log_export_job.html"
RECENT = 10
ACTIVE = (ExportJob.State.QUEUED, ExportJob.State.RUNNING)


class ExportForm(forms.Form):
    format = forms.ChoiceField(label="Format", choices=list(FORMAT_LABELS.items()))
    system = forms.ChoiceField(label="Decisions", required=False)

    def __init__(self, *args, systems: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].choices = [("", "The whole log, every system")] + [
            (name, f"{name} only") for name in systems
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


def _job_rows(jobs: list[ExportJob]) -> list[dict]:
    """The jobs as the pages show them: titles, not keys, and whether the file expired."""
    now = timezone.now()
    return [
        {
            "job": job,
            "format": FORMAT_LABELS.get(job.format, job.format),
            "active": job.state in ACTIVE,
            "expired": export_job_is_expired(job, now=now),
        }
        for job in jobs
    ]


def _keep_hours() -> int:
    return round(keep_files_for().total_seconds() / 3600)


def _render(
    request: HttpRequest, template: str, partial: str, context: dict, status: int = 200
) -> HttpResponse:
    if request.htmx:
        template += f"#{partial}"
    response = render(request, template, context, status=status)
    # The same address answers with the page or with its part: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def log_exports(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's recent exports and the form that starts one (any member may export)."""
    team = access.get_membership_for_user(request.user, slug).team
    systems = export_systems(team)
    if request.method == "POST":
        form = ExportForm(request.POST, systems=systems)
        if form.is_valid():
            job = export_job_create(
                team=team,
                user=request.user,
                format=form.cleaned_data["format"],
                system_name=form.cleaned_data["system"],
            )
            return redirect("decision_log_export", slug=team.slug, pk=job.pk)
    else:
        form = ExportForm(systems=systems)
    exports_requeue_stale(team=team)
    rows = _job_rows(list(export_jobs_for_team(team).select_related("requested_by")[:RECENT]))
    context = {
        "team": team,
        "form": form,
        "rows": rows,
        "polling": any(row["active"] for row in rows),
        "keep_hours": _keep_hours(),
    }
    status = 422 if form.errors else 200
    return _render(request, EXPORTS_PAGE, "recent-exports", context, status)


def _get_job(team: Team, pk: int) -> ExportJob:
    job = export_jobs_for_team(team).select_related("requested_by").filter(pk=pk).first()
    if job is None:
        raise Http404("No such export.")
    return job


def _job_context(team: Team, job: ExportJob) -> dict:
    row = _job_rows([job])[0]
    return {"team": team, "job": job, "keep_hours": _keep_hours(),
            "max_attempts": MAX_ATTEMPTS, **row}  # fmt: skip


@never_cache
@require_GET
@login_required
def log_export_job(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One export: its progress while it runs (polled), then its file or what went wrong."""
    team = access.get_membership_for_user(request.user, slug).team
    # Polling is what notices a dead worker when no housekeeping command runs.
    exports_requeue_stale(team=team)
    job = _get_job(team, pk)
    return _render(request, JOB_PAGE, "job-status", _job_context(team, job))


@never_cache
@require_GET
@login_required
def log_export_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The finished export's file, or 410 Gone once it has expired."""
    team = access.get_membership_for_user(request.user, slug).team
    job = ExportJob.objects.select_related("requested_by").filter(team=team, pk=pk).first()
    if job is None or job.state != ExportJob.State.DONE:
        raise Http404("No such export file.")
    if export_job_is_expired(job):
        return render(request, JOB_PAGE, _job_context(team, job), status=410)
    response = HttpResponse(bytes(job.data), content_type=job.content_type)
    response["Content-Disposition"] = content_disposition_header(True, job.filename)
    response["Content-Length"] = str(job.size or len(job.data))
    return response
