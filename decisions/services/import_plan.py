"""The preview of an import: what each file of an upload would create, or why it cannot.

`import_plan` reads every file (its dialect detected one by one), numbers the records,
resolves their links and says per file what will be created or why it cannot be (a text
longer than its cap in decisions.limits among them). Nothing is written here:
decisions.services.importing applies a plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from advisor.engine import FrameworkError, parse_framework
from advisor.models import FrameworkVersion, Team
from decisions import dialects, limits
from decisions.archive import Upload
from decisions.dialects.common import LEADING_NUMBER, AdrRecord, Ref, Unreadable, slug
from decisions.dialects.json import FRAMEWORK_FORMAT
from decisions.dialects.json_schema import LARGEST_NUMBER
from decisions.models import Decision, DecisionSequence, Status
from decisions.services.creation import (
    NamedLink,
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
    # Each framework file with the document it brings (two files may claim one digest).
    framework_files: list[tuple[FileReport, dict]] = field(default_factory=list)
    # Filled once the files are read and numbered: the records by file name and number,
    # and the numbers the team has already.
    by_file: dict[str, FileReport] = field(default_factory=dict)
    numbers: set[int] = field(default_factory=set)
    team_titles: dict[int, str] = field(default_factory=dict)
    # Every link the records name, resolved once (see plan_links).
    links: PlannedLinks = field(default_factory=lambda: PlannedLinks())

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
                    f"({record.status_said or Status(record.status).label.lower()})"
                )
        return lines


NUMBERED = re.compile(r"^\d+-")


def _read(upload: Upload, plan: ImportPlan) -> None:
    for path, problem in upload.problems.items():
        plan.files.append(FileReport(path, problem=problem))
    for path, reason in upload.skipped.items():
        plan.files.append(FileReport(path, skipped=reason))
    for path, text in sorted(upload.texts.items()):
        report = FileReport(path)
        try:
            dialect = dialects.detect(path, text)
        except Unreadable as error:
            # A numbered file is meant as a record; other Markdown (a changelog, notes
            # beside the records) is part of the repository and left out.
            if NUMBERED.match(path.rsplit("/", 1)[-1]) or path.endswith(".json"):
                report.problem = str(error)
            else:
                report.skipped = "not an ADR in any format Crossroads reads"
            plan.files.append(report)
            continue
        report.dialect = dialect.LABEL
        try:
            report.record = dialect.read(path, text)
        except Unreadable as error:
            report.problem = str(error)
        else:
            report.problem = over_caps(report)
        plan.files.append(report)
        record = report.record
        if record is not None and record.frozen and record.frozen.get("format") == FRAMEWORK_FORMAT:
            document = record.frozen["document"]
            plan.frameworks[str(record.frozen["digest"])] = document
            plan.framework_files.append((report, document))
            report.record, report.skipped = None, "framework version of the records"


# What a Markdown record's parts become in Crossroads (decisions.services.importing), by
# the name a reader knows each by, with its cap. Crossroads JSON is checked with its schema
# (decisions.dialects.json_schema).
CAPPED_PARTS = (
    ("system", "system", limits.DECISION_TEXTS["system_name"]),
    ("interaction", "interaction", limits.DECISION_TEXTS["interaction_name"]),
    ("consulted", "consulted", limits.PEOPLE),
    ("informed", "informed", limits.PEOPLE),
    ("context", "context and problem statement", limits.CONTEXT),
    ("drivers", "decision drivers", limits.DRIVERS),
    ("chosen", "chosen option", limits.CHOSEN_TITLE),
    ("confirmation", "confirmation", limits.CONFIRMATION),
    ("more_information", "more information", limits.LINKS),
    ("options", "considered options", limits.IMPORTED_SECTION),
    ("outcome", "decision outcome", limits.IMPORTED_SECTION),
    ("pros_and_cons", "pros and cons of the options", limits.IMPORTED_SECTION),
    ("decision", "decision", limits.IMPORTED_SECTION),
    ("consequences", "consequences", limits.IMPORTED_SECTION),
)


def over_caps(report: FileReport) -> str:
    """Why a Markdown record cannot be imported as it stands: each of its parts longer than
    a record holds (with its length and the cap), too many decision-makers, or a path too
    long to quote; "" when nothing is."""
    record = report.record
    if record is None or record.frozen is not None:
        return ""
    texts = [(said, getattr(record, name), cap) for name, said, cap in CAPPED_PARTS]
    texts += [
        # As the import stores them: one line of title, consequences as a list.
        ("title", " ".join(record.title.split()), limits.TITLE),
        ("good consequences", "\n".join(f"- {item}" for item in record.good), limits.CONSEQUENCES),
        ("bad consequences", "\n".join(f"- {item}" for item in record.bad), limits.CONSEQUENCES),
        *(("decision-maker “" + name[:40] + "…”", name, limits.DECIDER_NAME)
          for name in record.deciders),
        ("path", report.path, limits.IMPORT_PATH),
    ]  # fmt: skip
    problems = [
        f"its {said} is longer than {cap:,} characters (it has {len(text):,})"
        for said, text, cap in texts
        if len(text) > cap
    ]
    if len(record.deciders) > limits.DECIDERS:
        problems.append(
            f"it names {len(record.deciders)} decision-makers, more than the "
            f"{limits.DECIDERS} a record names"
        )
    return "; ".join(problems) + "." if problems else ""


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
        if number > LARGEST_NUMBER:
            for report in same:
                report.problem = f"its number {number} is larger than any record can have."
        elif number in taken:
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


def _resolve(
    plan: ImportPlan, team: Team, report: FileReport, ref: Ref, *, supersede: bool = False
) -> int | None:
    """The number of the record `ref` names: a file of the upload, or (for a named link)
    the team's own record of that number, when its title is the one the link names."""
    target = plan.by_file.get(ref.file) if ref.file else None
    if target is not None:
        return target.record.number
    if ref.number is not None and ref.number in plan.numbers:
        return ref.number
    named = ref.file or (f"ADR-{ref.number:04d}" if ref.number is not None else ref.title)
    existing = plan.team_titles.get(ref.number) if ref.number is not None else None
    if existing is not None:
        if supersede:
            report.problem = (
                f"it names ADR-{ref.number:04d} as superseding or superseded, a record the "
                f"team has already: import the two together, or record the change in Crossroads."
            )
            return None
        said = LEADING_NUMBER.sub("", ref.file).removesuffix(".md") if ref.file else ""
        if not said or said == slug(existing):
            return ref.number
        report.problem = (
            f"it links to {named}, but the team's ADR-{ref.number:04d} is “{existing}”."
        )
        return None
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
        for ref in value["supersedes"]:
            _resolve(plan, team, report, Ref(number=ref["number"]), supersede=True)
        for link in value["named_links"]:
            _resolve(plan, team, report, Ref(number=link["target"]["number"]))
    for report in [f for f in plan.files if f.creates and not f.record.frozen]:
        record = report.record
        for ref in record.supersedes:
            other = _resolve(plan, team, report, ref, supersede=True)
            if other is not None:
                links.supersede.add((record.number, other))
        for ref in record.superseded_by:
            other = _resolve(plan, team, report, ref, supersede=True)
            if other is not None:
                links.supersede.add((other, record.number))
        for named in record.links:
            other = _resolve(plan, team, report, named.ref)
            said = (record.number, named.label[:60], other)
            if other is not None and said not in links.said:
                links.said.append(said)
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
    plan.team_titles = dict(Decision.objects.filter(team=team).values_list("number", "title"))
    plan.links = plan_links(team, plan)
    _check_frameworks(plan)
    return plan


def _check_frameworks(plan: ImportPlan) -> None:
    """Every JSON record's framework version is stored here already or comes with the
    upload, as a document that can be stored as it is and reads as a framework (one query
    for all of them)."""
    for report, document in plan.framework_files:
        problem = framework_problem(document)
        if problem:
            report.skipped, report.problem = "", problem
    json_records = [f for f in plan.files if f.creates and f.record.frozen]
    digests = {f.record.frozen["framework"]["digest"] for f in json_records}
    stored = set(
        FrameworkVersion.objects.filter(digest__in=digests).values_list("digest", flat=True)
    )
    for report in json_records:
        framework = report.record.frozen["framework"]
        digest = framework["digest"]
        if not framework["name"] or digest in stored or digest in plan.frameworks:
            continue
        report.problem = (
            f"it was scored with framework {framework['name']} v{framework['version']}, which "
            f"this installation does not have; import it with its frameworks/{digest}.json."
        )


# The longest framework name a stored framework version holds.
FRAMEWORK_NAME = FrameworkVersion._meta.get_field("name").max_length


def framework_problem(document: dict) -> str:
    """Why a framework document an upload brings cannot be stored as the framework version
    its records were scored with; "" when it can. Its name and version are stored as the
    document gives them, so they are held to what the stored version's columns take."""
    name, version = document.get("name"), document.get("version")
    if not isinstance(name, str) or not name.strip():
        return "its framework has no name."
    if len(name) > FRAMEWORK_NAME:
        return (
            f"its framework's name is longer than {FRAMEWORK_NAME} characters "
            f"(it has {len(name):,})."
        )
    whole = isinstance(version, int) and not isinstance(version, bool)
    if not whole or not 1 <= version <= LARGEST_NUMBER:
        return f"its framework's version is not a whole number between 1 and {LARGEST_NUMBER}."
    try:
        parse_framework(document)
    except (FrameworkError, KeyError, TypeError, ValueError) as error:
        return f"it is not a valid framework ({error})."
    return ""
