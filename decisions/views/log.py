"""The team's decision log: filters, search, timeline and pattern mix."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import access
from advisor.frameworks import get_framework
from decisions.charts import pattern_mix_svg
from decisions.models import Status
from decisions.selectors import SORTS, LogFilters, decision_count, decision_log, pattern_mix
from decisions.views.common import (
    _small_int,
)


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
