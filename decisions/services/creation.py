"""Creating decisions: the one write beneath recording from the questionnaire and importing
ADR files.

A new decision gets its number from the team's sequence (or keeps the one it brings, for an
import), its decision-makers, the decisions it supersedes, its named links, its first
immutable revision and its search text, all in the caller's transaction. Many decisions are
created in a fixed number of queries, so importing a long log costs about what recording
one decision does.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from advisor.models import FrameworkVersion, Interaction, Team
from decisions.models import Decision, DecisionLink, Revision
from decisions.search import refresh_search_text_of
from decisions.services.common import note_change, sequence_locked, snapshot_of


@dataclass(frozen=True)
class FrozenAssessment:
    """What a recorded decision freezes: the answers, the framework version that read them
    and the result the team saw."""

    framework_name: str
    framework_version: int
    framework_frozen: FrameworkVersion | None
    answers: dict[str, Any]
    result: dict[str, Any]
    recommended_option: str


@dataclass(frozen=True)
class NamedLink:
    """`label` of the decision numbered `target` ("Amends" 2), and what that decision says
    back (`reverse_label`, "Amended by"; blank when it says nothing)."""

    label: str
    target: int
    reverse_label: str = ""


@dataclass(frozen=True)
class PastRevision:
    """A revision an imported decision brings with it, kept as it was written."""

    version: int
    kind: str
    author: Any
    created_at: datetime
    note: str
    data: dict[str, Any]


@dataclass
class NewDecision:
    """One decision to create. `fields` holds the model's plain fields (title, status,
    dates, text…); `supersedes` and `links` name other decisions by number: the team's
    existing ones or others created in the same call."""

    fields: Mapping[str, Any]
    created_by: Any
    number: int | None = None
    assessment: FrozenAssessment | None = None
    interaction: Interaction | None = None
    deciders: Sequence[Any] = ()
    supersedes: Sequence[int] = ()
    links: Sequence[NamedLink] = ()
    record_token: uuid.UUID | None = None
    revision_kind: str = Revision.Kind.RECORDED
    revision_note: str = ""
    # An import may bring when the decision was first recorded, and its whole history
    # (written instead of the one first revision).
    created_at: datetime | None = None
    history: Sequence[PastRevision] = ()
    # Filled in by `decisions_create`.
    decision: Decision | None = field(default=None, init=False)


def _numbers(team: Team, new: Sequence[NewDecision]) -> None:
    """Give every new decision a number: the one it brings, unless the team has it already,
    or the next free one. The team's sequence stays locked until the transaction ends."""
    sequence = sequence_locked(team)
    brought = [item.number for item in new if item.number is not None]
    if len(brought) != len(set(brought)):
        raise ValidationError("Two of the decisions to create have the same number.")
    taken = set(
        Decision.objects.filter(team=team, number__in=brought).values_list("number", flat=True)
    )
    if taken:
        listed = ", ".join(f"ADR-{number:04d}" for number in sorted(taken))
        raise ValidationError(f"The team already has {listed}.")
    last = max([sequence.last_number, *brought])
    for item in new:
        if item.number is None:
            last += 1
            item.number = last
    sequence.last_number = last
    sequence.recorded = F("recorded") + len(new)
    sequence.save(update_fields=["last_number", "recorded"])


def _instance(team: Team, item: NewDecision) -> Decision:
    values = dict(item.fields)
    values.setdefault("updated_on", timezone.localdate())
    if item.interaction is not None:
        values.setdefault("system_name", item.interaction.system.name)
        values.setdefault("interaction_name", item.interaction.name)
    assessment = item.assessment
    if assessment is not None:
        values.update(
            framework_name=assessment.framework_name,
            framework_version=assessment.framework_version,
            framework_frozen=assessment.framework_frozen,
            answers=assessment.answers,
            result=assessment.result,
            recommended_option=assessment.recommended_option,
        )
    return Decision(
        team=team, number=item.number, interaction=item.interaction, created_by=item.created_by,
        record_token=item.record_token, **values,
    )  # fmt: skip


def _by_number(team: Team, new: Sequence[NewDecision], wanted: set[int]) -> dict[int, Decision]:
    """The decisions `wanted` names, new or already the team's; a missing one is an error."""
    found = {item.number: item.decision for item in new}
    missing = wanted - found.keys()
    if missing:
        found.update(
            (decision.number, decision)
            for decision in Decision.objects.filter(team=team, number__in=missing).only(
                "pk", "number", "team_id"
            )
        )
    unknown = sorted(wanted - found.keys())
    if unknown:
        listed = ", ".join(f"ADR-{number:04d}" for number in unknown)
        raise ValidationError(f"No decision of the team is numbered {listed}.")
    return found


def _revisions(new: Sequence[NewDecision]) -> list[tuple[Revision, datetime | None]]:
    """Each decision's first revision, or the history it brings (with its dates)."""
    revisions: list[tuple[Revision, datetime | None]] = []
    for item in new:
        if item.history:
            revisions += [
                (
                    Revision(
                        decision=item.decision,
                        version=past.version,
                        kind=past.kind,
                        note=past.note,
                        author=past.author,
                        data=past.data,
                    ),
                    past.created_at,
                )
                for past in item.history
            ]
            continue
        snapshot = snapshot_of(
            item.decision,
            deciders=[user.get_username() for user in item.deciders],
            supersedes=[f"ADR-{n:04d}" for n in item.supersedes],
        )
        first = Revision(
            decision=item.decision,
            version=item.decision.version,
            kind=item.revision_kind,
            note=item.revision_note,
            author=item.created_by,
            data=snapshot,
        )
        revisions.append((first, None))
    return revisions


def _keep_dates(
    new: Sequence[NewDecision],
    decisions: list[Decision],
    revisions: list[tuple[Revision, datetime | None]],
) -> None:
    """Creation stamps rows with the time of the write; an import keeps the dates it
    brings (two UPDATEs for any number of rows)."""
    dated = []
    for item, decision in zip(new, decisions, strict=True):
        if item.created_at is not None:
            decision.created_at = item.created_at
            dated.append(decision)
    if dated:
        Decision.objects.bulk_update(dated, ["created_at"], batch_size=500)
    kept = []
    for revision, when in revisions:
        if when is not None:
            revision.created_at = when
            kept.append(revision)
    if kept:
        Revision.objects.bulk_update(kept, ["created_at"], batch_size=500)


@transaction.atomic
def decisions_create(*, team: Team, new: Sequence[NewDecision]) -> list[Decision]:
    """Create `new` for `team` in one transaction and return them, in the order given."""
    if not new:
        return []
    _numbers(team, new)
    decisions = Decision.objects.bulk_create([_instance(team, item) for item in new])
    for item, decision in zip(new, decisions, strict=True):
        item.decision = decision
    named = _by_number(
        team, new, {n for item in new for n in item.supersedes}
        | {link.target for item in new for link in item.links},
    )  # fmt: skip
    Decision.deciders.through.objects.bulk_create(
        Decision.deciders.through(decision_id=item.decision.pk, user_id=user.pk)
        for item in new
        for user in {user.pk: user for user in item.deciders}.values()
    )
    Decision.supersedes.through.objects.bulk_create(
        Decision.supersedes.through(from_decision_id=item.decision.pk, to_decision_id=named[n].pk)
        for item in new
        for n in dict.fromkeys(item.supersedes)
    )
    DecisionLink.objects.bulk_create(
        DecisionLink(
            source=item.decision,
            target=named[link.target],
            label=link.label,
            reverse_label=link.reverse_label,
        )
        for item in new
        for link in item.links
    )
    planned = _revisions(new)
    Revision.objects.bulk_create([revision for revision, _ in planned])
    _keep_dates(new, decisions, planned)
    refresh_search_text_of(Decision.objects.filter(pk__in=[d.pk for d in decisions]))
    note_change(team.pk)
    return decisions
