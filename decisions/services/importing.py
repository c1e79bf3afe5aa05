"""Importing ADR files into a team's log: all of a plan's records, or nothing.

`import_apply` makes the plan again inside one transaction (so records created since the
preview count), refuses it if any file has a problem, and creates every record through the
one creation service. Markdown records come without a frozen assessment (and say so);
Crossroads JSON brings the assessment, the framework version it was scored with and the
whole history back.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from advisor.frameworks import framework_document_freeze, team_framework
from advisor.models import FrameworkVersion, Team
from decisions.archive import Upload
from decisions.models import Decision, Revision
from decisions.services.common import sequence_locked
from decisions.services.creation import (
    FrozenAssessment,
    NamedLink,
    NewDecision,
    PastRevision,
    decisions_create,
)
from decisions.services.import_plan import (
    FileReport,
    ImportPlan,
    PlannedLinks,
    import_plan,
    pair_links,
    plan_links,
)

__all__ = [
    "FileReport",
    "ImportPlan",
    "PlannedLinks",
    "import_apply",
    "import_plan",
    "pair_links",
    "plan_links",
]


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _people(members: dict[str, Any], names: list[str]) -> tuple[list, list[str]]:
    """Members of the team named by user name, and the names that are nobody's account."""
    return [members[n] for n in names if n in members], [n for n in names if n not in members]


def _noon(day: date | None) -> datetime | None:
    return datetime.combine(day, time(12), tzinfo=UTC) if day else None


def _pattern_of(record, framework) -> str:
    """The framework's pattern an imported record chose, when its file says so (the key our
    MADR writes, or the pattern's title as the chosen option): the log then filters and
    counts it with the others. Blank for any other choice."""
    keys = {pattern.key for pattern in framework.patterns}
    said = str(record.front_extra.get("chosen-pattern") or "")
    if said in keys:
        return said
    names = {pattern.name.lower(): pattern.key for pattern in framework.patterns}
    return names.get(record.chosen.strip().lower(), "")


def _markdown_decision(
    members: dict, user, report: FileReport, links: dict, framework
) -> NewDecision:
    record = report.record
    deciders, external = _people(members, record.deciders)
    sections = {
        "Considered Options": record.options,
        "Decision Outcome": record.outcome,
        "Pros and Cons of the Options": record.pros_and_cons,
        "Decision": record.decision,
        "Consequences": record.consequences,
        "_status_said": record.status_said,
        "_tags": record.tags,
        # As pairs: a JSON column on PostgreSQL does not keep the order of keys.
        "_front_matter": _json_safe(list(record.front_extra.items())),
    }
    return NewDecision(
        fields={
            "title": " ".join(record.title.split())[:200],
            "status": record.status,
            "decided_on": record.decided_on,
            "updated_on": record.updated_on or record.created_on,
            "consulted": record.consulted,
            "informed": record.informed,
            "system_name": record.system[:120],
            "interaction_name": record.interaction[:160],
            "context": record.context,
            "drivers": record.drivers,
            "chosen_title": record.chosen[:300],
            "chosen_option": _pattern_of(record, framework),
            "good_consequences": "\n".join(f"- {item}" for item in record.good),
            "bad_consequences": "\n".join(f"- {item}" for item in record.bad),
            "confirmation": record.confirmation,
            "links": record.more_information,
            "external_deciders": external,
            "imported_from": record.dialect,
            "imported_sections": {k: v for k, v in sections.items() if v},
        },
        created_by=user,
        number=record.number,
        deciders=deciders,
        links=links.get(record.number, []),
        revision_kind=Revision.Kind.IMPORTED,
        revision_note=f"Imported from {report.path} ({report.dialect}).",
        # The file's own date, or the decision's when its format names files by number.
        created_at=_noon(record.created_on or record.decided_on or record.updated_on),
    )


def _frameworks(plan: ImportPlan) -> dict[str, FrameworkVersion]:
    """The stored framework versions the plan's JSON records were scored with, by digest
    (one query; the versions an upload brings are stored first)."""
    wanted = {
        f.record.frozen["framework"]["digest"]
        for f in plan.creating
        if f.record.frozen and f.record.frozen["framework"]["name"]
    }
    found = {v.digest: v for v in FrameworkVersion.objects.filter(digest__in=wanted)}
    for digest in wanted - found.keys():
        if digest in plan.frameworks:
            found[digest] = framework_document_freeze(plan.frameworks[digest])
    return found


def _json_decision(
    members: dict, user, report: FileReport, frameworks: dict[str, FrameworkVersion]
) -> NewDecision:
    """A record from Crossroads JSON, as `decisions.dialects.json_schema` checked it. People
    are the team's members by user name; the importing person stands in for anyone else."""
    value = report.record.frozen
    deciders, external = _people(members, value["decision_makers"])
    framework = value["framework"]
    assessment = None
    if framework["name"]:
        assessment = FrozenAssessment(
            framework_name=framework["name"], framework_version=framework["version"],
            framework_frozen=frameworks.get(framework["digest"]), answers=value["answers"],
            result=value["result"], recommended_option=value["recommended_option"],
        )  # fmt: skip
    now = timezone.now()
    history = [
        PastRevision(
            version=r["version"],
            kind=r["kind"],
            author=members.get(r["author"], user),
            created_at=datetime.fromisoformat(r["at"]) if r["at"] else now,
            note=r["note"],
            data=r["data"],
        )
        for r in value["revisions"]
    ]
    texts = ("title", "status", "consulted", "informed", "context", "drivers", "chosen_option",
             "chosen_title", "justification", "confirmation", "links", "imported_from")  # fmt: skip
    return NewDecision(
        fields={
            **{name: value[name] for name in texts},
            "system_name": value["system"],
            "interaction_name": value["interaction"],
            "decided_on": date.fromisoformat(value["decided_on"]) if value["decided_on"] else None,
            "updated_on": date.fromisoformat(value["updated_on"]) if value["updated_on"] else None,
            "good_consequences": value["consequences"]["good"],
            "bad_consequences": value["consequences"]["bad"],
            "external_deciders": external,
            "imported_sections": value["imported_sections"],
            "version": value["version"],
        },
        created_by=members.get(value["recorded_by"], user),
        number=report.record.number,
        assessment=assessment,
        deciders=deciders,
        supersedes=[ref["number"] for ref in value["supersedes"]],
        links=[
            NamedLink(link["label"], link["target"]["number"], link["reverse_label"])
            for link in value["named_links"]
        ],
        created_at=datetime.fromisoformat(value["recorded_at"]) if value["recorded_at"] else None,
        history=history,
    )


@transaction.atomic
def import_apply(*, team: Team, user, upload: Upload) -> list[Decision]:
    """Import `upload` into `team`: every record, or nothing (`ValidationError` with the
    problems of the files). The team's numbering is locked first and the plan made again
    inside the transaction, so records someone created since the preview count, and none
    can be recorded while the import runs."""
    sequence_locked(team)
    plan = import_plan(team, upload)
    if not plan.importable:
        problems = [f"{f.path}: {f.problem}" for f in plan.problems] or [
            "The upload holds no records to import."
        ]
        raise ValidationError(problems)
    links = plan.links
    named = pair_links(links.said)
    supersede: dict[int, list[int]] = {}
    for successor, predecessor in sorted(links.supersede):
        supersede.setdefault(successor, []).append(predecessor)
    members = {member.get_username(): member for member in team.members.all()}
    frameworks = _frameworks(plan)
    framework = team_framework(team)
    new = []
    for report in plan.creating:
        if report.record.frozen:
            new.append(_json_decision(members, user, report, frameworks))
        else:
            item = _markdown_decision(members, user, report, named, framework)
            item.supersedes = supersede.get(report.record.number, [])
            new.append(item)
    return decisions_create(team=team, new=new)
