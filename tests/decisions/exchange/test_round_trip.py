"""Export → import into an empty team → export gives the same files, in every dialect."""

from __future__ import annotations

import pytest

from decisions.archive import read_upload
from decisions.document import record_context
from decisions.exporting import build_export
from decisions.models import Decision, DecisionLink, Status
from decisions.services.importing import import_apply, import_plan
from tests.decisions.exchange.conftest import unzip
from tests.factories import MembershipFactory, TeamFactory


@pytest.fixture
def empty_team(team, owner):
    twin = TeamFactory(name=team.name, slug=f"{team.slug}-copy")
    MembershipFactory(team=twin, user=owner, role="owner")
    return twin


def _import(team, user, export):
    upload = read_upload(export.filename, export.data)
    plan = import_plan(team, upload)
    assert plan.importable, [(f.path, f.problem) for f in plan.problems]
    return import_apply(team=team, user=user, upload=upload)


@pytest.mark.parametrize("format", ["madr", "adr-tools", "log4brains", "json"])
def test_a_round_trip_gives_identical_files(team, log, owner, empty_team, format):
    first = build_export(team=team, format=format)
    _import(empty_team, owner, first)
    second = build_export(team=empty_team, format=format)
    assert unzip(second.data) == unzip(first.data)


@pytest.mark.parametrize("format", ["madr", "adr-tools", "log4brains"])
def test_markdown_imports_keep_numbers_statuses_people_and_links(
    team, log, owner, empty_team, format
):
    _import(empty_team, owner, build_export(team=team, format=format))
    imported = {d.title: d for d in Decision.objects.filter(team=empty_team)}
    assert [imported[d.title].status for d in log] == [
        Status.SUPERSEDED, Status.ACCEPTED, Status.ACCEPTED, Status.PROPOSED
    ]  # fmt: skip
    if format != "log4brains":  # log4brains has no numbers: records are numbered by file name
        assert [imported[d.title].number for d in log] == [1, 2, 3, 4]
    first = imported[log[0].title]
    assert first.imported and first.result == {}
    assert first.chosen_option == log[0].chosen_option  # the pattern its file names
    assert first.chosen_title == record_context(log[0])["chosen_name"]  # the pattern's title
    assert sorted(d.title for d in first.superseded_by.all()) == sorted(d.title for d in log[1:3])
    assert [u.username for u in first.deciders.all()] == ["olive"]  # a member of the new team
    assert first.external_deciders == ["sam"]  # not a member: kept by name
    assert first.decided_on == log[0].decided_on
    link = DecisionLink.objects.get(source__team=empty_team)
    assert (link.source.title, link.label, link.target.title, link.reverse_label) == (
        "Release stock on cancel", "Amends", "Call Inventory synchronously", "Amended by"
    )  # fmt: skip
    assert first.revisions.get().kind == "imported"


def test_a_json_import_keeps_the_frozen_assessment_and_the_history(team, log, owner, empty_team):
    _import(empty_team, owner, build_export(team=team, format="json"))
    original, copy = log[0], Decision.objects.get(team=empty_team, number=1)
    assert not copy.imported
    assert (copy.answers, copy.result) == (original.answers, original.result)
    assert copy.framework_frozen_id == original.framework_frozen_id
    assert copy.created_at == original.created_at
    assert [(r.version, r.kind, r.note) for r in copy.revisions.order_by("version")] == [
        (r.version, r.kind, r.note) for r in original.revisions.order_by("version")
    ]


def test_importing_log4brains_numbers_records_after_the_teams_own(team, log, owner, empty_team):
    MembershipFactory(team=empty_team)
    _import(empty_team, owner, build_export(team=team, format="madr"))
    export = build_export(team=team, format="log4brains")
    plan = import_plan(empty_team, read_upload(export.filename, export.data))
    assert sorted(f.record.number for f in plan.creating) == [5, 6, 7, 8]
