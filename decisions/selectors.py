"""Reads for decision records: the team's log with filters, search and sorting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Prefetch, QuerySet

from advisor.models import Team
from decisions.models import Decision, DecisionLink, DecisionSequence, Revision, Status
from decisions.search import search_decisions

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
    """How many decisions the team has, without counting them (see DecisionSequence)."""
    return (
        DecisionSequence.objects.filter(team=team).values_list("recorded", flat=True).first() or 0
    )


LOG_FIELDS = (
    "id", "team_id", "number", "title", "status", "chosen_option", "system_name",
    "interaction_name", "created_at", "updated_at", "framework_name", "framework_frozen_id",
    "imported_from", "chosen_title",
)  # fmt: skip


def decision_log(team: Team, filters: LogFilters) -> QuerySet[Decision]:
    # Only what a log line shows: the frozen answers and results are large.
    decisions = Decision.objects.only(*LOG_FIELDS)
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
        # The record's text and people, indexed per database (see decisions.search), which
        # also says how the team is matched.
        decisions = search_decisions(decisions, filters.query, team=team)
    else:
        decisions = decisions.filter(team=team)
    return decisions.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


def pattern_mix(team: Team) -> list[dict]:
    """Per system: how many decisions in force chose each pattern. Only accepted decisions
    are in force: proposed ones are not yet, superseded, rejected and deprecated ones no more.

    Cached under the team's change counter, which every write to its decisions bumps in the
    same transaction: a long log is not re-read on every visit, and never served stale.
    """
    changes = DecisionSequence.objects.filter(team=team).values_list("changes", flat=True).first()
    key = f"pattern-mix-accepted:{team.pk}:{changes}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = (
        team.decisions.filter(status=Status.ACCEPTED)
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


# What a decision needs of the decisions it names: enough to write a link to them.
NAMED_FIELDS = ("id", "team_id", "number", "title", "status", "decided_on", "created_at")


def decisions_for_export(
    team: Team, *, system: str = "", whole_history: bool = True
) -> QuerySet[Decision]:
    """The team's decisions (of one system, when `system` is given), oldest first, with all
    that an export reads of them: whatever the log's length, it loads in the same few
    queries (one per relation), never a few per decision. Without `whole_history` only the
    revisions a record's history reads (amendments and status changes) are loaded."""
    revisions = Revision.objects.select_related("author").order_by("version")
    if not whole_history:
        revisions = revisions.filter(kind__in=(Revision.Kind.AMENDED, Revision.Kind.STATUS))
    named = Decision.objects.only(*NAMED_FIELDS).order_by("number")
    # The search text repeats everything else the record says: no export reads it.
    # Through the team's manager, every record knows its team without joining it.
    decisions = team.decisions.defer("search_text")
    if system:
        decisions = decisions.filter(system_name=system)
    return (
        decisions.select_related("created_by")
        .prefetch_related(
            # One row per framework version (a join would parse its document once per
            # decision), shared by every record made with it.
            "framework_frozen",
            Prefetch("deciders", queryset=get_user_model().objects.order_by("username")),
            Prefetch("supersedes", queryset=named),
            Prefetch("superseded_by", queryset=named),
            Prefetch(
                "links_out",
                queryset=DecisionLink.objects.select_related("target").only(
                    "id",
                    "source_id",
                    "target_id",
                    "label",
                    "reverse_label",
                    *(f"target__{name}" for name in NAMED_FIELDS),
                ),
            ),
            Prefetch(
                "links_in",
                queryset=DecisionLink.objects.select_related("source").only(
                    "id",
                    "source_id",
                    "target_id",
                    "label",
                    "reverse_label",
                    *(f"source__{name}" for name in NAMED_FIELDS),
                ),
            ),
            Prefetch("revisions", queryset=revisions),
        )
        .order_by("number")
    )
