"""The real ADR tools read our exports as they read their own repositories.

adr-tools lists, indexes and graphs our records and supersedes one of them, after which the
changed repository imports back; log4brains 1.1.0 reads each record's status, date,
deciders, tags and supersession, and resolves its links; markdownlint passes every MADR
file, and the Markdown a record page offers, under MADR's own rules.

Two logs are checked: the small log of the exchange tests (a record superseded by two, a
named link, a proposed record) and the demo data. Each is exported once per module, inside
a transaction that is then rolled back, so the tools read files while the database stays
as the other tests expect it.
"""

from __future__ import annotations

import io
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from advisor.frameworks import frozen_framework
from advisor.models import Role, Team
from decisions.archive import read_files
from decisions.exporting import build_export
from decisions.models import Decision, DecisionLink, Status
from decisions.services.importing import import_apply, import_plan
from tests.decisions.exchange import conftest as exchange
from tests.decisions.exchange.conftest import unzip
from tests.factories import MembershipFactory, TeamFactory
from tests.tools.harness import (
    adr_graph,
    adr_list,
    adr_new_superseding,
    adr_toc,
    dot_links,
    log4brains_adrs,
    markdownlint,
)

DIALECTS = ("madr", "adr-tools", "log4brains")
SUCCESSOR = "Replace the earlier decision"


def slug(title: str) -> str:
    """A title as adr-tools and log4brains put it in file names."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@dataclass(frozen=True)
class Record:
    """One exported decision as the database holds it, to compare with what a tool reads."""

    number: int
    title: str
    status: str
    created_on: date
    updated_on: date
    deciders: list[str]
    tags: list[str]
    supersedes: tuple[int, ...]
    superseded_by: tuple[int, ...]

    @property
    def adr_file(self) -> str:
        return f"{self.number:04d}-{slug(self.title)}.md"

    @property
    def log4brains_slug(self) -> str:
        return f"{self.created_on:%Y%m%d}-{slug(self.title)}"


@dataclass(frozen=True)
class Export:
    """A log's three repositories under `root` (a folder per dialect), the Markdown of each
    record page under `root / "single"`, and what the database said when they were written."""

    root: Path
    records: dict[int, Record]
    # Named links as (source, label, target, reverse label).
    links: frozenset[tuple[int, str, int, str]]
    # Each record page's Markdown answer: (HTTP status, content type).
    pages: dict[int, tuple[int, str]]

    def repository(self, dialect: str) -> Path:
        return self.root / dialect


def _clear_caches() -> None:
    # Frozen framework rows are cached by id, and rolled-back rows free their ids.
    cache.clear()
    frozen_framework.cache_clear()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _record(decision: Decision) -> Record:
    return Record(
        number=decision.number,
        title=decision.title,
        status=decision.status,
        created_on=decision.created_at.date(),
        updated_on=decision.last_updated_on,
        deciders=sorted(
            [user.get_username() for user in decision.deciders.all()]
            + list(decision.external_deciders)
        ),
        tags=[slug(name) for name in (decision.system_name, decision.interaction_name) if name],
        supersedes=tuple(sorted(other.number for other in decision.supersedes.all())),
        superseded_by=tuple(sorted(other.number for other in decision.superseded_by.all())),
    )


def _named_links(team: Team) -> frozenset[tuple[int, str, int, str]]:
    links = DecisionLink.objects.filter(source__team=team).select_related("source", "target")
    return frozenset((k.source.number, k.label, k.target.number, k.reverse_label) for k in links)


def _export(team: Team, member, root: Path) -> Export:
    for format in DIALECTS:
        for path, text in unzip(build_export(team=team, format=format).data).items():
            _write(root / format / path, text)
    decisions = list(
        Decision.objects.filter(team=team)
        .order_by("number")
        .prefetch_related("deciders", "supersedes", "superseded_by")
    )
    client = Client()
    client.force_login(member)
    pages = {}
    for decision in decisions:
        response = client.get(reverse("decision_export_markdown", args=[decision.pk]))
        pages[decision.number] = (response.status_code, response["Content-Type"])
        _write(root / "single" / f"{decision.number:04d}.md", response.content.decode())
    return Export(
        root=root,
        records={decision.number: _record(decision) for decision in decisions},
        links=_named_links(team),
        pages=pages,
    )


def _exported_once(django_db_blocker, root: Path, make_log) -> Export:
    """Make a log, export it, and roll it all back: only the files stay."""
    with django_db_blocker.unblock(), transaction.atomic():
        _clear_caches()
        team, member = make_log()
        exported = _export(team, member, root.resolve())
        transaction.set_rollback(True)
    _clear_caches()
    return exported


def _small_log() -> tuple[Team, object]:
    team = TeamFactory(name="Checkout", slug="checkout")
    owner = MembershipFactory(team=team, role=Role.OWNER, user__username="olive").user
    exchange.log.__wrapped__(team, owner)
    return team, owner


def _demo_log() -> tuple[Team, object]:
    call_command("load_demo", stdout=io.StringIO())
    team = Team.objects.get(slug="checkout-squad")
    return team, team.members.get(username="demo")


@pytest.fixture(scope="module")
def small_export(django_db_setup, django_db_blocker, tmp_path_factory) -> Export:
    return _exported_once(django_db_blocker, tmp_path_factory.mktemp("small-log"), _small_log)


@pytest.fixture(scope="module")
def demo_export(django_db_setup, django_db_blocker, tmp_path_factory) -> Export:
    return _exported_once(django_db_blocker, tmp_path_factory.mktemp("demo-log"), _demo_log)


@pytest.fixture(scope="module", params=["small_export", "demo_export"])
def exported(request) -> Export:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def log4brains_read(exported) -> dict[str, dict]:
    """What log4brains reads from our log4brains export, by slug (asked once per log)."""
    return {adr["slug"]: adr for adr in log4brains_adrs(exported.repository("log4brains"))}


@pytest.fixture(scope="module")
def lint_problems(exported) -> list[str]:
    """markdownlint's problems in our MADR export and the record pages' Markdown, at once."""
    return markdownlint([exported.repository("madr"), exported.root / "single"])


def _by_rule(problems: list[str]) -> dict[str, str]:
    """Problems summed up per rule, with the first of each, so a failure stays readable."""
    rules = Counter(problem.split(" ", 2)[1] for problem in problems)
    first = {}
    for problem in problems:
        first.setdefault(problem.split(" ", 2)[1], problem)
    return {rule: f"{count} problems, first: {first[rule]}" for rule, count in rules.items()}


def _status_lines(path: Path) -> list[str]:
    section = path.read_text().split("\n## Status\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.strip()]


# adr-tools ---------------------------------------------------------------------------------


def test_adr_lists_every_record_file_in_number_order(exported):
    expected = [f"doc/adr/{record.adr_file}" for record in exported.records.values()]

    assert adr_list(exported.repository("adr-tools")) == expected


def test_adr_toc_titles_every_record_with_its_number_and_real_title(exported):
    toc = adr_toc(exported.repository("adr-tools"))

    items = [line for line in toc.splitlines() if line.startswith("* ")]
    assert items == [
        f"* [{record.number}. {record.title}]({record.adr_file})"
        for record in exported.records.values()
    ]


def test_adr_graph_draws_our_supersessions_and_named_links(exported):
    supersessions = {
        (record.number, older, "Supersedes")
        for record in exported.records.values()
        for older in record.supersedes
    }
    named = {(source, target, label) for source, label, target, _ in exported.links}

    assert dot_links(adr_graph(exported.repository("adr-tools"))) == supersessions | named


def test_adr_new_supersedes_one_of_our_records_and_the_repository_imports_back(
    exported, tmp_path, team, owner
):
    repo = Path(shutil.copytree(exported.repository("adr-tools"), tmp_path / "adr-tools"))
    old = next(r for r in exported.records.values() if r.status == Status.ACCEPTED and r.supersedes)
    new_number = max(exported.records) + 1
    old_path = repo / "doc/adr" / old.adr_file
    before = _status_lines(old_path)

    created = adr_new_superseding(repo, old.number, SUCCESSOR)

    new_file = f"{new_number:04d}-{slug(SUCCESSOR)}.md"
    assert created == repo / "doc/adr" / new_file
    assert "Accepted" in before
    assert _status_lines(old_path) == [line for line in before if line != "Accepted"] + [
        f"Superseded by [{new_number}. {SUCCESSOR}]({new_file})"
    ]
    assert _status_lines(created) == [
        "Accepted",
        f"Supersedes [{old.number}. {old.title}]({old.adr_file})",
    ]

    files = {str(p.relative_to(repo)): p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    upload = read_files(files)
    plan = import_plan(team, upload)
    assert [(f.path, f.problem) for f in plan.problems] == []
    assert plan.importable
    import_apply(team=team, user=owner, upload=upload)
    imported = Decision.objects.filter(team=team).prefetch_related("supersedes", "superseded_by")
    expected = {n: (r.title, r.status, list(r.supersedes)) for n, r in exported.records.items()}
    expected[old.number] = (old.title, Status.SUPERSEDED, list(old.supersedes))
    expected[new_number] = (SUCCESSOR, Status.ACCEPTED, [old.number])
    assert {
        d.number: (d.title, d.status, sorted(other.number for other in d.supersedes.all()))
        for d in imported
    } == expected
    successors = Decision.objects.get(team=team, number=old.number).superseded_by.all()
    assert [other.number for other in successors] == [new_number]
    assert _named_links(team) == exported.links


# log4brains --------------------------------------------------------------------------------


def test_log4brains_reads_every_record_with_our_status_date_deciders_and_tags(
    exported, log4brains_read
):
    expected = {
        record.log4brains_slug: (
            record.title,
            record.status,
            record.updated_on.isoformat(),
            record.deciders,
            record.tags,
        )
        for record in exported.records.values()
    }

    assert {
        name: (adr["title"], adr["status"], adr["date"], adr["deciders"], adr["tags"])
        for name, adr in log4brains_read.items()
    } == expected


def test_log4brains_sees_the_first_successor_of_each_superseded_record(exported, log4brains_read):
    records = exported.records
    # log4brains keeps one superseder: ours is the first of them by file name.
    expected = {
        record.log4brains_slug: min(
            (records[number].log4brains_slug for number in record.superseded_by), default=None
        )
        for record in records.values()
    }

    assert {name: adr["supersededBy"] for name, adr in log4brains_read.items()} == expected
    assert any(expected.values())


def test_log4brains_resolves_every_link_of_our_links_sections(exported, log4brains_read):
    records = exported.records
    expected: dict[str, list[tuple[str, str]]] = {}
    for record in records.values():
        successors = sorted(records[number].log4brains_slug for number in record.superseded_by)
        expected[record.log4brains_slug] = sorted(
            [("Supersedes", records[number].log4brains_slug) for number in record.supersedes]
            + [("Superseded by", other) for other in successors[1:]]
            + [(label, records[target].log4brains_slug)
               for source, label, target, _ in exported.links if source == record.number]
            + [(reverse, records[source].log4brains_slug)
               for source, _, target, reverse in exported.links
               if target == record.number and reverse]
        )  # fmt: skip

    assert {
        name: sorted((link["label"], link["slug"]) for link in adr["links"])
        for name, adr in log4brains_read.items()
    } == expected


# MADR --------------------------------------------------------------------------------------


def test_markdownlint_passes_every_file_of_our_madr_export(exported, lint_problems):
    folder = str(exported.repository("madr"))
    records = sorted(exported.repository("madr").rglob("*.md"))

    assert len(records) == len(exported.records)
    assert _by_rule([p for p in lint_problems if p.startswith(folder)]) == {}


def test_markdownlint_passes_the_markdown_each_record_page_offers(exported, lint_problems):
    folder = str(exported.root / "single")

    assert set(exported.pages.values()) == {(200, "text/markdown; charset=utf-8")}
    assert _by_rule([p for p in lint_problems if p.startswith(folder)]) == {}


# The demo's richer log ---------------------------------------------------------------------


def test_the_demo_log_exercises_every_status_supersession_and_web_links(demo_export):
    records = demo_export.records.values()
    texts = [p.read_text() for p in demo_export.repository("madr").rglob("*.md")]

    assert {record.status for record in records} == set(Status.values)
    assert sum(len(record.supersedes) for record in records) >= 2
    assert sum("](https://" in text for text in texts) >= 5
