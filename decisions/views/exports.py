"""A decision as a file: PDF, MADR Markdown, JSON (the whole log's exports are jobs: see
decisions.views.log_exports)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import access
from decisions.dialects import json as json_dialect
from decisions.dialects import madr
from decisions.dialects.records import adr_record
from decisions.document import record_context
from decisions.models import Decision
from decisions.pdf import render_decision_pdf
from decisions.selectors import decisions_for_export
from decisions.views.common import (
    _get_decision_for_user,
)


def _filename(decision: Decision, extension: str) -> str:
    """As the repositories name it: `0003-title-with-dashes.md` (see decisions.dialects)."""
    return madr.file_name(decision).removesuffix(".md") + f".{extension}"


def _exportable(request: HttpRequest, pk: int) -> Decision:
    """The decision with everything its files say, read in a fixed number of queries."""
    decision = _get_decision_for_user(request, pk, access.READ)
    return decisions_for_export(decision.team).get(pk=decision.pk)


@never_cache
@require_GET
@login_required
def decision_export_markdown(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _exportable(request, pk)
    response = HttpResponse(
        madr.write_record(adr_record(decision)), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(decision, "md")}"'
    return response


@never_cache
@require_GET
@login_required
def decision_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _exportable(request, pk)
    response = JsonResponse(
        json_dialect.record_json(decision), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(decision, "json")}"'
    return response


@never_cache
@require_GET
@login_required
def decision_export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _exportable(request, pk)
    pdf = render_decision_pdf(decision, record_context(decision))
    response = HttpResponse(pdf, content_type="application/pdf")
    # A PDF is for people: named by its reference, as the record page shows it.
    filename = f"{decision.reference}-{_filename(decision, 'pdf').split('-', 1)[1]}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
