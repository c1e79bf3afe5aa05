"""A system's review queue, its risk register, and the register as a spreadsheet.

None of them is cached: each says what the system holds now, and a browser's back button
or a shared cache must not show a queue or a plan someone has since worked through.
"""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import access, services
from advisor.system_map.facts import system_facts
from advisor.system_map.review import Register, review_queue, risk_register
from advisor.views.common import get_system_for_user

CSV_HEADER = (
    "Step", "Practice or warning", "Kind", "Severity", "Interactions in step", "Interaction",
    "Caller", "Receiver", "Decision", "Status", "Pattern (decided or advised)",
    "Severity here", "Practice missing here", "Warnings it closes here", "Interaction address",
)  # fmt: skip
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@never_cache
@require_GET
@login_required
def system_review(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_system_for_user(request, pk, access.READ)
    services.current_team_remember(session=request.session, team=system.team)
    queue = review_queue(system_facts(system))
    context = {"team": system.team, "system": system, "queue": queue}
    return render(request, "advisor/system_review.html", context)


@never_cache
@require_GET
@login_required
def system_risks(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_system_for_user(request, pk, access.READ)
    services.current_team_remember(session=request.session, team=system.team)
    register = risk_register(system_facts(system))
    context = {"team": system.team, "system": system, "register": register}
    return render(request, "advisor/system_risks.html", context)


def safe_cell(value: object) -> str:
    """The value as spreadsheet text that is never run as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def register_rows(request: HttpRequest, register: Register) -> list[list[str]]:
    """One row per step and interaction, in the plan's order."""
    rows = []
    for step in register.steps:
        for entry in step.lines:
            line, decision = entry.line, entry.line.decision
            rows.append([
                str(step.rank), step.title, step.kind_label, step.severity_label,
                str(step.group.interactions), line.interaction.name, line.caller, line.receiver,
                decision.reference if decision is not None else "no decision", line.state,
                line.pattern, entry.severity_label, "yes" if entry.missing else "no",
                "; ".join(entry.warnings),
                request.build_absolute_uri(line.interaction.url),
            ])  # fmt: skip
    return rows


@never_cache
@require_GET
@login_required
def system_risks_csv(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_system_for_user(request, pk, access.READ)
    register = risk_register(system_facts(system))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(system.name) or "system"
    response["Content-Disposition"] = f'attachment; filename="{name}-risk-register.csv"'
    response.write("\ufeff")  # lets Excel read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in register_rows(request, register):
        writer.writerow([safe_cell(cell) for cell in row])
    return response
