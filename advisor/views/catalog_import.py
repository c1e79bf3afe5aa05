"""Importing services and interactions from catalogue files: upload them, see what would be
created, confirm.

The preview is the upload's answer; nothing is stored until the confirmation. The plan the
preview shows travels to the confirmation signed in a hidden field (tied to the team, the
person and the system chosen, and valid for PREVIEW_HOURS), so what is imported is
exactly what was shown, whichever app server answers, with or without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from advisor import access
from advisor.catalogs import FORMAT_TITLES, CatalogPlan, plan_from_data, plan_from_files
from advisor.catalogs import plan_to_data as _plan_data
from advisor.forms import SystemForm
from advisor.middleware.requests import accepts_uploads
from advisor.models import Style, System, Team
from advisor.services.catalog_import import ImportOutcome, catalog_compare, catalog_import
from advisor.views.common import count, get_membership_for_user

UPLOAD_PAGE = "advisor/catalog_import_upload.html"
PREVIEW_PAGE = "advisor/catalog_import_preview.html"
REFUSED_PAGE = "advisor/catalog_import_refused.html"
PLAN_SALT = "advisor.catalog_import.plan"
PREVIEW_HOURS = 12


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files from one input."""

    widget = MultipleFileInput

    def clean(self, data, initial=None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data] if data else []
        if not items and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [forms.FileField.clean(self, item, initial) for item in items]


class CatalogUploadForm(forms.Form):
    files = MultipleFileField(
        label="Catalogue files",
        error_messages={"required": "Choose one or more catalogue files."},
        help_text="Backstage descriptors (catalog-info.yaml), AsyncAPI 3 documents (YAML or "
        "JSON) and Structurizr DSL workspaces (.dsl). Choose several at once to match them "
        "with one another.",
    )
    into = forms.ModelChoiceField(
        queryset=System.objects.none(),
        required=False,
        label="Import into",
        empty_label="A new system",
        help_text="A new system is named on the next page. In an existing system, the "
        "services and interactions it already has (by name) are left as they are.",
    )

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = team.systems.order_by("name")

    def clean_files(self) -> list[tuple[str, bytes]]:
        """The files' names and contents; each file is read up to one byte past the
        per-file limit (the plan reports a file over it)."""
        files: list[UploadedFile] = self.cleaned_data["files"]
        size = sum(item.size or 0 for item in files)
        most = settings.IMPORT_MAX_UPLOAD_BYTES
        if size > most:
            raise ValidationError(
                f"These files weigh {filesizeformat(size)} together; at most "
                f"{filesizeformat(most)} can be uploaded at once. Upload fewer at a time."
            )
        if len(files) > settings.IMPORT_MAX_FILES:
            raise ValidationError(f"At most {settings.IMPORT_MAX_FILES:,} files at once.")
        limit = settings.IMPORT_MAX_FILE_BYTES
        return [(item.name or "file", item.read(limit + 1)) for item in files]


# --- the plan between the preview and the confirmation ------------------------------------


class PreviewRefused(Exception):
    """A confirmation whose plan cannot be trusted; the message says what to do."""


def plan_token(*, team: Team, user, system: System | None, plan: CatalogPlan) -> str:
    """The plan, signed for this team, person and target system."""
    data = {"team": team.pk, "user": user.pk, "system": system.pk if system else None,
            "plan": _plan_data(plan)}  # fmt: skip
    return signing.dumps(data, salt=PLAN_SALT, compress=True)


def read_plan_token(token: str, *, team: Team, user) -> tuple[CatalogPlan, int | None]:
    """The plan and the target system's id a preview signed. Raises PreviewRefused."""
    again = "Nothing was imported: upload the files again to see a new preview."
    try:
        data = signing.loads(token, salt=PLAN_SALT, max_age=PREVIEW_HOURS * 3600)
    except signing.SignatureExpired as error:
        old = f"This preview is more than {PREVIEW_HOURS} hours old. {again}"
        raise PreviewRefused(old) from error
    except signing.BadSignature as error:
        changed = f"This preview was changed after Crossroads made it. {again}"
        raise PreviewRefused(changed) from error
    if data.get("team") != team.pk or data.get("user") != user.pk:
        raise PreviewRefused(f"This preview was made for another team or person. {again}")
    system = data.get("system")
    try:
        if system is not None and not isinstance(system, int):
            raise ValueError("not a system")
        return plan_from_data(data.get("plan")), system
    except ValueError:
        raise PreviewRefused(f"This preview cannot be read. {again}") from None


def _token_limit() -> int:
    """The longest plan a confirmation can carry, leaving room for the other fields."""
    body = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 10 * 1024 * 1024
    return max(body - 64 * 1024, 1024)


# --- the preview ------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceRow:
    name: str
    description: str
    new: bool


@dataclass(frozen=True)
class InteractionRow:
    source: str
    target: str
    name: str
    style: str  # in words
    description: str
    origin: str
    new: bool


def _file_rows(plan: CatalogPlan) -> list[tuple[str, str, bool]]:
    """Each file, the format it was read as, and whether it could be read."""
    failed = {problem.file for problem in plan.problems}
    return [(name, FORMAT_TITLES.get(found, "an unknown format"), name not in failed)
            for name, found in plan.files]  # fmt: skip


def _suggested_name(team: Team, plan: CatalogPlan) -> str:
    taken = {name.lower() for name in team.systems.values_list("name", flat=True)}
    return next((name for name in plan.systems if name.lower() not in taken), "")


def _render_preview(
    request, team: Team, plan: CatalogPlan, system: System | None, *, token: str = "",
    system_form: SystemForm | None = None, errors: list[str] | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    comparison = catalog_compare(plan=plan, system=system)
    token = token or plan_token(team=team, user=request.user, system=system, plan=plan)
    if system is None and system_form is None:
        suggested = _suggested_name(team, plan)
        system_form = SystemForm(initial={"name": suggested})
    new_services = {s.name.lower() for s in comparison.new_services}
    new_interactions = {i.name.lower() for i in comparison.new_interactions}
    context = {
        "team": team,
        "system": system,
        "system_form": system_form,
        "plan": plan,
        "token": token,
        "too_large": len(token) > _token_limit(),
        "comparison": comparison,
        "errors": errors or [],
        "services": [
            ServiceRow(s.name, s.description, s.name.lower() in new_services) for s in plan.services
        ],
        "interactions": [
            InteractionRow(
                i.source,
                i.target,
                i.name,
                Style(i.style).label,
                i.description,
                i.origin,
                i.name.lower() in new_interactions,
            )
            for i in plan.interactions
        ],
        "problems": plan.problems,
        # A problem of no file is the upload's as a whole: more than one import takes.
        "too_many": any(not problem.file for problem in plan.problems),
        "notes": plan.notes,
        "files": _file_rows(plan),
        "preview_hours": PREVIEW_HOURS,
    }
    return render(request, PREVIEW_PAGE, context, status=status)


# --- the pages --------------------------------------------------------------------------


@accepts_uploads("IMPORT_MAX_UPLOAD_BYTES")
@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def catalog_import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload catalogue files; the answer is the preview of what they would create."""
    team = get_membership_for_user(request, slug, access.WRITE).team
    if request.method == "POST":
        form = CatalogUploadForm(request.POST, request.FILES, team=team)
        if form.is_valid():
            plan = plan_from_files(
                form.cleaned_data["files"], max_file_bytes=settings.IMPORT_MAX_FILE_BYTES
            )
            return _render_preview(request, team, plan, form.cleaned_data["into"])
    else:
        form = CatalogUploadForm(team=team, initial={"into": request.GET.get("into")})
    context = {
        "team": team,
        "form": form,
        "max_bytes": settings.IMPORT_MAX_UPLOAD_BYTES,
        "max_file_bytes": settings.IMPORT_MAX_FILE_BYTES,
    }
    return render(request, UPLOAD_PAGE, context, status=422 if form.errors else 200)


@never_cache
@require_POST
@login_required
def catalog_import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Create what the preview showed, and open the system."""
    team = get_membership_for_user(request, slug, access.WRITE).team
    token = request.POST.get("plan", "")
    try:
        plan, system_pk = read_plan_token(token, team=team, user=request.user)
    except PreviewRefused as refused:
        context = {"team": team, "message": str(refused)}
        return render(request, REFUSED_PAGE, context, status=400)
    system = None
    if system_pk is not None:
        system = team.systems.filter(pk=system_pk).first()
        if system is None:
            context = {"team": team, "message": "The system chosen for this import has been "
                       "deleted since the preview. Nothing was imported: upload the files "
                       "again and choose where they go."}  # fmt: skip
            return render(request, REFUSED_PAGE, context, status=409)
    form = None
    if system is None:
        form = SystemForm(request.POST, siblings=team.systems.all())
        if not form.is_valid():
            return _render_preview(request, team, plan, None, token=token, system_form=form,
                                   status=422)  # fmt: skip
    try:
        outcome = catalog_import(
            team=team, plan=plan, system=system, user=request.user,
            system_name=form.cleaned_data["name"] if form else None,
            system_description=form.cleaned_data["description"] if form else "",
        )  # fmt: skip
    except ValidationError as error:  # a name taken by someone else meanwhile
        return _render_preview(request, team, plan, system, token=token, system_form=form,
                               errors=error.messages, status=409)  # fmt: skip
    messages.success(request, _imported_message(outcome))
    return redirect(_system_page(outcome.system))


def _imported_message(outcome: ImportOutcome) -> str:
    made = [count(len(outcome.services_created), "service"),
            count(len(outcome.interactions_created), "interaction")]  # fmt: skip
    message = f"Imported into “{outcome.system.name}”: {' and '.join(made)} created."
    kept = [count(len(outcome.services_existing), "service"),
            count(len(outcome.interactions_existing), "interaction")]  # fmt: skip
    if outcome.services_existing or outcome.interactions_existing:
        message += (
            f" {' and '.join(kept)} with names the system already had were left as they were."
        )
    return message


def _system_page(system: System) -> str:
    """The system's map when there is one, else its page."""
    try:
        return reverse("system_map", args=[system.pk])
    except NoReverseMatch:
        return reverse("system_detail", args=[system.pk])
