"""Reads for decision records: the team's log with filters, search and sorting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet

from advisor.models import Team
from decisions.models import Decision

SORTS = {
    "newest": ("-number",),
    "oldest": ("number",),
    "title": ("title", "number"),
    "status": ("status", "-number"),
    "updated": ("-updated_at",),
}


@dataclass(frozen=True)
class LogFilters:
    query: str = ""
    status: str = ""
    pattern: str = ""
    system: str = ""
    decider: int | None = None
    since: date | None = None
    until: date | None = None
    sort: str = "newest"


def decision_log(team: Team, filters: LogFilters) -> QuerySet[Decision]:
    decisions = team.decisions.all()
    if filters.status:
        decisions = decisions.filter(status=filters.status)
    if filters.pattern:
        decisions = decisions.filter(chosen_option=filters.pattern)
    if filters.system:
        decisions = decisions.filter(system_name=filters.system)
    if filters.decider:
        decisions = decisions.filter(deciders=filters.decider)
    if filters.since:
        decisions = decisions.filter(created_at__date__gte=filters.since)
    if filters.until:
        decisions = decisions.filter(created_at__date__lte=filters.until)
    if filters.query:
        decisions = _search(decisions, filters.query)
    return decisions.order_by(*SORTS.get(filters.sort, SORTS["newest"])).distinct()


def _search(decisions: QuerySet[Decision], query: str) -> QuerySet[Decision]:
    """Full-text search over title, context and consequences: PostgreSQL's own search
    (stemmed, so "caches" finds "caching") there, word-by-word matching elsewhere."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector(
            "title", "context", "good_consequences", "bad_consequences", config="english"
        )
        return decisions.annotate(search=vector).filter(
            search=SearchQuery(query, search_type="websearch", config="english")
        )
    for word in query.split():
        decisions = decisions.filter(
            Q(title__icontains=word)
            | Q(context__icontains=word)
            | Q(good_consequences__icontains=word)
            | Q(bad_consequences__icontains=word)
        )
    return decisions


def pattern_mix(team: Team) -> list[dict]:
    """Per system: how many decisions chose each pattern (superseded and rejected ones
    excluded, they no longer describe the system)."""
    from django.db.models import Count

    rows = (
        team.decisions.exclude(status__in=["superseded", "rejected"])
        .values("system_name", "chosen_option")
        .annotate(count=Count("id"))
        .order_by("system_name", "chosen_option")
    )
    systems: dict[str, dict[str, int]] = {}
    for row in rows:
        systems.setdefault(row["system_name"], {})[row["chosen_option"]] = row["count"]
    return [{"system": name, "counts": counts} for name, counts in systems.items()]
