"""Importing ADR files into a team's log: a preview first, then all of it or nothing.

`import_plan` reads every file (its dialect detected one by one), numbers the records,
resolves their links and says per file what will be created or why it cannot be. Nothing
is written until `import_apply`, which creates every record through the one creation
service in a single transaction, and refuses a plan with any problem in it.

Markdown records come without a frozen assessment (and say so); Crossroads JSON brings the
assessment, the framework version it was scored with and the whole history back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from advisor.frameworks import framework_document_freeze
from advisor.models import FrameworkVersion, Team
from decisions import dialects
from decisions.archive import Upload
from decisions.dialects.common import AdrRecord, Ref, Unreadable
from decisions.dialects.json import FRAMEWORK_FORMAT
from decisions.models import Decision, DecisionSequence, Revision
from decisions.services.creation import (
    FrozenAssessment,
    NamedLink,
    NewDecision,
    PastRevision,
    decisions_create,
)


@dataclass
class FileReport:
    """One file of the upload as the preview shows it."""

    path: str
    dialect: str = ""
    record: AdrRecord | None = None
    problem: str = ""
    skipped: str = ""

    @property
    def creates(self) -> bool:
        return self.record is not None and not self.problem and bool(self.record.title)


@dataclass
class ImportPlan:
    files: list[FileReport] = field(default_factory=list)
    frameworks: dict[str, dict] = field(default_factory=dict)
    # Filled once the files are read and numbered: the records by file name and number,
    # and the numbers the team has already.
    by_file: dict[str, FileReport] = field(default_factory=dict)
    numbers: set[int] = field(default_factory=set)
    team_numbers: set[int] = field(default_factory=set)

    @property
    def creating(self) -> list[FileReport]:
        return sorted((f for f in self.files if f.creates), key=lambda f: f.record.number)

    @property
    def problems(self) -> list[FileReport]:
        return [f for f in self.files if f.problem]

    @property
    def skipped(self) -> list[FileReport]:
        return [f for f in self.files if f.skipped]

    @property
    def importable(self) -> bool:
        return bool(self.creating) and not self.problems

    def summary_lines(self) -> list[str]:
        """One line per file, for the command line."""
        lines = []
        for report in sorted(self.files, key=lambda f: f.path):
            if report.problem:
                lines.append(f"{report.path}: cannot be imported: {report.problem}")
            elif report.skipped:
                lines.append(f"{report.path}: skipped ({report.skipped})")
            elif report.creates:
                record = report.record
                lines.append(
                    f"{report.path}: {report.dialect} → {record.reference} “{record.title}” "
                    f"({record.status_said or record.status})"
                )
        return lines


def _read(upload: Upload, plan: ImportPlan) -> None:
    for path, problem in upload.problems.items():
        plan.files.append(FileReport(path, problem=problem))
    for path, reason in upload.skipped.items():
        plan.files.append(FileReport(path, skipped=reason))
    for path, text in sorted(upload.texts.items()):
        report = FileReport(path)
        try:
            dialect = dialects.detect(path, text)
            report.dialect = dialect.LABEL
            report.record = dialect.read(path, text)
        except Unreadable as error:
            report.problem = str(error)
        plan.files.append(report)
        record = report.record
        if record is not None and record.frozen and record.frozen["format"] == FRAMEWORK_FORMAT:
            plan.frameworks[str(record.frozen.get("digest"))] = record.frozen.get("document")
            report.record, report.skipped = None, "framework version of the records"


def _number(team: Team, plan: ImportPlan) -> None:
    """Keep the numbers files bring; number the others after the highest, in file order.
    A number the team or another file already has is a problem of that file."""
    reports = [f for f in plan.files if f.creates]
    brought: dict[int, list[FileReport]] = {}
    for report in reports:
        if report.record.number is not None:
            brought.setdefault(report.record.number, []).append(report)
    taken = set(
        Decision.objects.filter(team=team, number__in=brought).values_list("number", flat=True)
    )
    for number, same in brought.items():
        if number in taken:
            for report in same:
                report.problem = f"the team already has ADR-{number:04d}."
        elif len(same) > 1:
            for report in same:
                others = ", ".join(r.path for r in same if r is not report)
                report.problem = f"ADR-{number:04d} is also the number of {others}."
    last = max([*brought, *taken, team_last_number(team)], default=0)
    for report in sorted(reports, key=lambda f: f.path):
        if report.record.number is None:
            last += 1
            report.record.number = last


def team_last_number(team: Team) -> int:
    found = DecisionSequence.objects.filter(team=team).values_list("last_number", flat=True)
    return found.first() or 0


def _resolve(plan: ImportPlan, team: Team, report: FileReport, ref: Ref) -> int | None:
    """The number of the record `ref` names: a file of the upload, or the team's own."""
    target = plan.by_file.get(ref.file) if ref.file else None
    if target is not None:
        return target.record.number
    if ref.number is not None and (ref.number in plan.numbers or ref.number in plan.team_numbers):
        return ref.number
    named = ref.file or (f"ADR-{ref.number:04d}" if ref.number is not None else ref.title)
    report.problem = (
        f"it links to {named}, which is neither in the upload nor among the team's records."
    )
    return None


@dataclass
class PlannedLinks:
    """The links an import will make: supersedes, and named links as each file says them."""

    supersede: set[tuple[int, int]] = field(default_factory=set)  # (successor, predecessor)
    said: list[tuple[int, str, int]] = field(default_factory=list)  # (from, label, to)


def plan_links(team: Team, plan: ImportPlan) -> PlannedLinks:
    """Every link the plan's records name, resolved to numbers; a link to a record that is
    in neither the upload nor the team becomes a problem of its file."""
    links = PlannedLinks()
    for report in [f for f in plan.files if f.creates and f.record.frozen]:
        value = report.record.frozen
        named = [ref["number"] for ref in value.get("supersedes", [])]
        named += [link["target"]["number"] for link in value.get("named_links", [])]
        for number in named:
            _resolve(plan, team, report, Ref(number=int(number)))
    for report in [f for f in plan.files if f.creates and not f.record.frozen]:
        record = report.record
        for ref in record.supersedes:
            other = _resolve(plan, team, report, ref)
            if other is not None:
                links.supersede.add((record.number, other))
        for ref in record.superseded_by:
            other = _resolve(plan, team, report, ref)
            if other is not None:
                links.supersede.add((other, record.number))
        for named in record.links:
            other = _resolve(plan, team, report, named.ref)
            if other is not None:
                links.said.append((record.number, named.label, other))
    return links


def pair_links(said: list[tuple[int, str, int]]) -> dict[int, list[NamedLink]]:
    """Named links by the number of their source. A link both files state ("Amends" in
    one, "Amended by" in the other) is one link with its two labels; its source is the
    side whose label does not end in " by" (adr-tools' own reading)."""
    remaining = list(said)
    out: dict[int, list[NamedLink]] = {}
    while remaining:
        source, label, target = remaining.pop(0)
        back = next((s for s in remaining if s[0] == target and s[2] == source), None)
        reverse = ""
        if back is not None:
            remaining.remove(back)
            reverse = back[1]
            if label.lower().endswith(" by") and not reverse.lower().endswith(" by"):
                source, label, target, reverse = target, reverse, source, label
        out.setdefault(source, []).append(NamedLink(label, target, reverse))
    return out


def import_plan(team: Team, upload: Upload) -> ImportPlan:
    """What importing `upload` into `team` would create, and every problem, per file."""
    plan = ImportPlan()
    _read(upload, plan)
    _number(team, plan)
    creating = [f for f in plan.files if f.creates]
    plan.by_file = {f.path.rsplit("/", 1)[-1]: f for f in creating}
    plan.numbers = {f.record.number for f in creating}
    plan.team_numbers = set(Decision.objects.filter(team=team).values_list("number", flat=True))
    plan_links(team, plan)
    for report in plan.files:
        if report.creates and report.record.frozen:
            _check_json(plan, report)
    return plan


def _check_json(plan: ImportPlan, report: FileReport) -> None:
    framework = report.record.frozen.get("framework") or {}
    digest = framework.get("digest")
    if not framework.get("name"):
        return
    if digest in plan.frameworks or FrameworkVersion.objects.filter(digest=digest).exists():
        return
    report.problem = (
        f"it was scored with framework {framework['name']} v{framework.get('version')}, which "
        f"this installation does not have; import it with its frameworks/{digest}.json."
    )


# Applying ----------------------------------------------------------------------------------


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _people(members: dict[str, Any], names: list[str]) -> tuple[list, list[str]]:
    """Members of the team named by user name, and the names that are nobody's account."""
    return [members[n] for n in names if n in members], [n for n in names if n not in members]


def _noon(day: date | None) -> datetime | None:
    return datetime.combine(day, time(12), tzinfo=UTC) if day else None


def _markdown_decision(members: dict, user, report: FileReport, links: dict) -> NewDecision:
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
        created_at=_noon(record.created_on),
    )


def _json_decision(
    members: dict, user, report: FileReport, plan: ImportPlan, users: dict
) -> NewDecision:
    value = report.record.frozen
    deciders, external = _people(members, list(value.get("decision_makers", [])))
    framework = value.get("framework") or {}
    assessment = None
    if framework.get("name"):
        digest = framework.get("digest")
        frozen = FrameworkVersion.objects.filter(digest=digest).first()
        if frozen is None and digest in plan.frameworks:
            frozen = framework_document_freeze(plan.frameworks[digest])
        assessment = FrozenAssessment(
            framework_name=framework["name"], framework_version=framework.get("version"),
            framework_frozen=frozen, answers=value.get("answers") or {},
            result=value.get("result") or {},
            recommended_option=value.get("recommended_option", ""),
        )  # fmt: skip
    consequences = value.get("consequences") or {}
    day = value.get("decided_on")
    history = [
        PastRevision(
            version=int(r["version"]),
            kind=r["kind"],
            author=users.get(r.get("author"), user),
            created_at=datetime.fromisoformat(r["at"]),
            note=r.get("note", ""),
            data=r.get("data") or {},
        )
        for r in value.get("revisions", [])
    ]
    fields = {
        name: value.get(name, "")
        for name in (
            "title",
            "status",
            "consulted",
            "informed",
            "context",
            "drivers",
            "chosen_option",
            "chosen_title",
            "justification",
            "confirmation",
            "links",
            "imported_from",
        )
    }
    return NewDecision(
        fields={
            **fields,
            "system_name": value.get("system", ""),
            "interaction_name": value.get("interaction", ""),
            "decided_on": date.fromisoformat(day) if day else None,
            "updated_on": date.fromisoformat(value["updated_on"])
            if value.get("updated_on") else None,
            "good_consequences": consequences.get("good", ""),
            "bad_consequences": consequences.get("bad", ""),
            "external_deciders": external,
            "imported_sections": value.get("imported_sections") or {},
            "version": int(value.get("version") or 1),
        },
        created_by=users.get(value.get("recorded_by"), user),
        number=report.record.number,
        assessment=assessment,
        deciders=deciders,
        supersedes=[int(ref["number"]) for ref in value.get("supersedes", [])],
        links=[
            NamedLink(link["label"], int(link["target"]["number"]), link.get("reverse_label", ""))
            for link in value.get("named_links", [])
        ],
        created_at=datetime.fromisoformat(value["recorded_at"])
        if value.get("recorded_at") else None,
        history=history,
    )  # fmt: skip


@transaction.atomic
def import_apply(*, team: Team, user, upload: Upload) -> list[Decision]:
    """Import `upload` into `team`: every record, or nothing (`ValidationError` with the
    problems of the files). The plan is made again inside the transaction, so records
    someone created since the preview are taken into account."""
    plan = import_plan(team, upload)
    if not plan.importable:
        problems = [f"{f.path}: {f.problem}" for f in plan.problems] or [
            "The upload holds no records to import."
        ]
        raise ValidationError(problems)
    links = plan_links(team, plan)
    named = pair_links(links.said)
    supersede: dict[int, list[int]] = {}
    for successor, predecessor in sorted(links.supersede):
        supersede.setdefault(successor, []).append(predecessor)
    names = {
        name
        for f in plan.creating
        if f.record.frozen
        for name in [f.record.frozen.get("recorded_by")]
        + [r.get("author") for r in f.record.frozen.get("revisions", [])]
    }
    users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=names)}
    members = {member.get_username(): member for member in team.members.all()}
    new = []
    for report in plan.creating:
        if report.record.frozen:
            new.append(_json_decision(members, user, report, plan, users))
        else:
            item = _markdown_decision(members, user, report, named)
            item.supersedes = supersede.get(report.record.number, [])
            new.append(item)
    return decisions_create(team=team, new=new)
