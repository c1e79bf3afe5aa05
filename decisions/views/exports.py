"""A decision as a file: PDF, MADR Markdown, JSON."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import access
from decisions.document import record_context
from decisions.exports import decision_json, decision_markdown
from decisions.models import Decision
from decisions.pdf import render_decision_pdf
from decisions.views.common import (
    _get_decision_for_user,
)


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
    pdf = render_decision_pdf(decision, record_context(decision))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(decision, "pdf")}"'
    return response
