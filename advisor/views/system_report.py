"""A system's report as a PDF to download: its map, chain analysis, review queue and risk
register (advisor.system_map.report_pdf). Its address is named `system_export_pdf`, as the
decisions' files are (`decision_export_pdf`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import access
from advisor.system_map.report_pdf import render_system_pdf, system_report_filename
from advisor.views.common import get_system_for_user


@never_cache
@require_GET
@login_required
def system_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_system_for_user(request, pk, access.READ)
    response = HttpResponse(render_system_pdf(system), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{system_report_filename(system)}"'
    return response
