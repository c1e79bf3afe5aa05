"""What a record's revisions say about it: when it was amended and why, and when it stopped
being in force (superseded or deprecated).

Bounded whatever is stored: a record's history is read without the revisions' copies of the
record (only the status each one set), and a note longer than its cap (kept from before
the caps, see decisions.limits) is cut to the cap, with an ellipsis that says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.db.models.fields.json import KT

from decisions.limits import REVISION_NOTE
from decisions.models import Decision, Revision, Status

RETIRED = (Status.SUPERSEDED, Status.DEPRECATED)


@dataclass(frozen=True)
class Amendment:
    version: int
    date: datetime
    author: str
    reason: str


@dataclass(frozen=True)
class Retirement:
    """The status change that took a record out of force."""

    status: str
    date: datetime
    author: str
    note: str


def _history_revisions(decision: Decision) -> list[Revision]:
    prefetched = getattr(decision, "_prefetched_objects_cache", {}).get("revisions")
    if prefetched is not None:  # a whole log read at once (decisions.selectors)
        kinds = (Revision.Kind.AMENDED, Revision.Kind.STATUS)
        return sorted((r for r in prefetched if r.kind in kinds), key=lambda r: r.version)
    return list(
        decision.revisions.filter(kind__in=(Revision.Kind.AMENDED, Revision.Kind.STATUS))
        .select_related("author")
        .defer("data")
        .annotate(status_set=KT("data__status"))
        .order_by("version")
    )


def _status_set(revision: Revision) -> str | None:
    """The status a revision left the record in, read with it or from its copy."""
    if hasattr(revision, "status_set"):
        return revision.status_set
    return revision.data.get("status")


def _bounded(note: str) -> str:
    return note if len(note) <= REVISION_NOTE else note[:REVISION_NOTE] + "…"


def _amendments(revisions: list[Revision]) -> tuple[Amendment, ...]:
    return tuple(
        Amendment(
            version=revision.version,
            date=revision.created_at,
            author=revision.author.get_username(),
            reason=_bounded(revision.note),
        )
        for revision in revisions
        if revision.kind == Revision.Kind.AMENDED
    )


def _retirement(decision: Decision, revisions: list[Revision]) -> Retirement | None:
    if decision.status not in RETIRED:
        return None
    for revision in reversed(revisions):
        if revision.kind == Revision.Kind.STATUS and _status_set(revision) == decision.status:
            return Retirement(
                status=decision.status, date=revision.created_at,
                author=revision.author.get_username(), note=_bounded(revision.note),
            )  # fmt: skip
    return None  # retired before its history was kept (an imported record)


def amendments_for(decision: Decision) -> tuple[Amendment, ...]:
    """The decision's amendments, oldest first: version, date, who and why."""
    return _amendments(_history_revisions(decision))


def retirement_for(decision: Decision) -> Retirement | None:
    """When and by whom a superseded or deprecated decision left force; None otherwise."""
    if decision.status not in RETIRED:
        return None
    return _retirement(decision, _history_revisions(decision))


class RecordHistory:
    """Both of the above for one record, read in one query and only when a reader asks (the
    record's page does not show them, so it does not pay for them)."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision

    @cached_property
    def _revisions(self) -> list[Revision]:
        return _history_revisions(self.decision)

    @cached_property
    def amendments(self) -> tuple[Amendment, ...]:
        return _amendments(self._revisions)

    @cached_property
    def retirement(self) -> Retirement | None:
        if self.decision.status not in RETIRED:
            return None
        return _retirement(self.decision, self._revisions)
