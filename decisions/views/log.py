"""The team's decision log: filters, search, timeline and pattern mix."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import access
from advisor.frameworks import framework_for_record, team_framework
from decisions.charts import pattern_mix_svg
from decisions.filters import LogFilterForm
from decisions.models import Decision
from decisions.presenters import pattern_name
from decisions.selectors import (
    LogFilters,
    decision_count,
    decision_log,
    pattern_mix,
)

# What a log line also shows of an imported record: that it is one, and its chosen option
# in its file's words.
# Accepted imported records chose no pattern: the mix counts them apart.
IMPORTED_OPTION = "Imported (no pattern)"
# Imported files need not name a system.
NO_SYSTEM = "No system named"


@never_cache
@require_GET
@login_required
def decision_log_page(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access.get_membership_for_user(request.user, slug)
    team = membership.team
    framework = team_framework(team)
    form = LogFilterForm(
        request.GET,
        patterns=[(p.key, p.name) for p in framework.patterns],
        systems=list(team.systems.order_by("name").values_list("name", flat=True)),
        deciders=list(team.members.order_by("username")),
    )
    # Until its errors are fixed, the page shows the whole log (and says so), not a guess.
    filters = form.log_filters() if form.is_valid() else LogFilters()
    paginator = Paginator(decision_log(team, filters), 25)
    if filters == LogFilters(sort=filters.sort):  # the whole log: its size is known
        paginator.count = decision_count(team)
    page = paginator.get_page(form.cleaned_data.get("page"))
    names = {pattern.key: pattern.name for pattern in framework.patterns}
    rows = [(decision, _option_name(decision)) for decision in page]
    mix = [
        {"system": row["system"] or NO_SYSTEM, "svg": pattern_mix_svg(_apart(row["counts"]), names)}
        for row in pattern_mix(team)
    ]
    return render(
        request, "decisions/decision_log.html",
        {"team": team, "page": page, "form": form, "filters": filters, "mix": mix,
         "rows": rows, "query_string": _without_page(request)},
    )  # fmt: skip


def _option_name(decision: Decision) -> str:
    """The chosen option of a log line: as the framework the record was made with names
    it, or in its file's words for an imported record (which names no pattern)."""
    if decision.imported:
        return decision.chosen_title
    return pattern_name(framework_for_record(decision), decision.chosen_option)


def _apart(counts: dict[str, int]) -> dict[str, int]:
    """A system's pattern counts with imported records (no pattern) under their own label,
    which the chart draws last and in grey, after the framework's patterns."""
    return {(key or IMPORTED_OPTION): count for key, count in counts.items()}


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
