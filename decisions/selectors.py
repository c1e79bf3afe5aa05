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


def decision_count(team: Team) -> int:
    """How many decisions the team has: its numbering sequence knows without counting."""
    from decisions.models import DecisionSequence

    return (
        DecisionSequence.objects.filter(team=team).values_list("last_number", flat=True).first()
        or 0
    )


def decision_log(team: Team, filters: LogFilters) -> QuerySet[Decision]:
    decisions = team.decisions.all()
    if filters.status:
        decisions = decisions.filter(status=filters.status)
    if filters.pattern:
        decisions = decisions.filter(chosen_option=filters.pattern)
    if filters.system:
        decisions = decisions.filter(system_name=filters.system)
    if filters.decider:
        # A subquery, not a join: the log never needs DISTINCT (slow on large logs).
        decisions = decisions.filter(
            pk__in=Decision.deciders.through.objects.filter(user_id=filters.decider).values(
                "decision_id"
            )
        )
    if filters.since:
        decisions = decisions.filter(created_at__date__gte=filters.since)
    if filters.until:
        decisions = decisions.filter(created_at__date__lte=filters.until)
    if filters.query:
        decisions = _search(decisions, filters.query)
    return decisions.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


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
    """Per system: how many decisions in force (not superseded or rejected) chose each
    pattern. Cached until any of the team's decisions changes, so a long log does not make
    every visit to it scan all of it."""
    from django.core.cache import cache
    from django.db.models import Count, Max

    # Every write to a decision (recording included) moves its updated_at, which an index
    # finds without reading the log.
    changed = team.decisions.aggregate(last=Max("updated_at"))["last"]
    key = f"pattern-mix:{team.pk}:{changed.isoformat() if changed else 'empty'}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = (
        team.decisions.exclude(status__in=["superseded", "rejected"])
        .values("system_name", "chosen_option")
        .annotate(count=Count("id"))
        .order_by("system_name", "chosen_option")
    )
    systems: dict[str, dict[str, int]] = {}
    for row in rows:
        systems.setdefault(row["system_name"], {})[row["chosen_option"]] = row["count"]
    mix = [{"system": name, "counts": counts} for name, counts in systems.items()]
    cache.set(key, mix, timeout=24 * 3600)
    return mix
