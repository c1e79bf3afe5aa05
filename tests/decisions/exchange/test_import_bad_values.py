"""Damaged or hostile values inside readable files: a clear problem of that file, never a
failure halfway through an import, and nothing outside the team touched."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from decisions.archive import read_upload
from decisions.exporting import build_export
from decisions.models import Decision
from decisions.services.importing import import_apply, import_plan
from tests.decisions.exchange.conftest import unzip
from tests.factories import SystemFactory, TeamFactory, UserFactory, make_interaction
from tests.factories import record_decision as record


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _problem(team, files: dict[str, str]) -> str:
    plan = import_plan(team, read_upload("upload.zip", _zip(files)))
    assert not plan.importable
    return " ".join(report.problem for report in plan.problems)


@pytest.fixture
def json_record(team, owner):
    record(make_interaction(system=SystemFactory(team=team)), user=owner, title="Use a queue")
    files = unzip(build_export(team=team, format="json").data)
    name = next(name for name in files if name.startswith("decisions/"))
    return name, json.loads(files[name]), files


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("decided_on", "yesterday", "its decision date “yesterday” is not a date"),
        ("number", -3, "its number is not a whole number between 1 and"),
        ("number", 10**20, "its number is not a whole number between 1 and"),
        ("version", "two", "its version is not a whole number"),
        ("status", "maybe", "its status “maybe” is none of Crossroads' statuses"),
        ("title", "x" * 201, "its title is longer than 200 characters"),
        ("context", None, None),  # missing text is empty text
        ("imported_sections", ["x"], "its imported sections is not an object"),
        ("decision_makers", [{}], "its decision makers are not all names"),
        ("supersedes", [{"number": "abc"}], "its supersedes number is not a whole number"),
        ("framework", "x", "its framework is not an object"),
        ("format_version", "x", "its format version is not a whole number"),
    ],
)
def test_a_bad_json_value_is_a_problem_of_its_file(other_team, json_record, field, value, message):
    name, data, files = json_record
    data[field] = value
    files = {**files, name: json.dumps(data)}
    if message is None:
        assert import_plan(other_team, read_upload("u.zip", _zip(files))).importable
    else:
        assert message in _problem(other_team, files)


def test_two_revisions_with_one_version_are_a_problem(other_team, json_record):
    name, data, files = json_record
    data["revisions"] = data["revisions"] * 2
    assert "two revisions numbered 1" in _problem(other_team, {**files, name: json.dumps(data)})


def test_json_names_only_the_teams_members_as_authors(other_team, json_record, owner):
    stranger = UserFactory(username="admin")
    name, data, files = json_record
    data["recorded_by"] = "admin"
    data["revisions"][0]["author"] = "admin"
    importer = UserFactory(username="importer")
    other_team.members.add(importer, through_defaults={"role": "editor"})
    (decision,) = import_apply(
        team=other_team,
        user=importer,
        upload=read_upload("u.zip", _zip({**files, name: json.dumps(data)})),
    )
    assert decision.created_by == importer and decision.revisions.get().author == importer
    assert stranger not in (decision.created_by, decision.revisions.get().author)


def test_a_yaml_alias_bomb_in_front_matter_is_refused(team):
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    bomb += "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nsystem: *c\n---\n\n# Bomb\n"
    assert "is nested" in _problem(team, {"docs/decisions/0001-bomb.md": bomb})


@pytest.mark.parametrize(
    "front", ["date: 2025-13-45", "status: " + "[" * 5000, "'x\\nstatus: rejected': 1"]
)
def test_front_matter_yaml_cannot_read_is_a_problem(team, front):
    problem = _problem(team, {"docs/decisions/0001-a.md": f"---\n{front}\n---\n\n# A\n"})
    assert problem.startswith("its front matter")


def test_a_link_to_a_web_page_is_text_not_a_record_link(team, owner):
    text = (
        "---\nstatus: accepted\ndate: 2025-01-02\n---\n\n# A\n\n"
        "## Context and Problem Statement\n\nWhy.\n\n## More Information\n\n* Read [the docs](https://docs.djangoproject.com/)\n"
    )
    (decision,) = import_apply(
        team=team, user=owner, upload=read_upload("u.zip", _zip({"docs/decisions/0001-a.md": text}))
    )
    assert decision.links == "* Read [the docs](https://docs.djangoproject.com/)"


def test_a_link_to_another_record_of_the_team_must_name_it(team, owner):
    record(make_interaction(system=SystemFactory(team=team)), user=owner, title="Ours")
    said = GOOD_TOOLS.replace("Accepted\n", "Accepted\n\nAmends [1. Other](0001-other.md)\n")
    assert "but the team's ADR-0001 is “Ours”" in _problem(team, {"doc/adr/0002-b.md": said})
    said = GOOD_TOOLS.replace("Accepted\n", "Accepted\n\nSupersedes [1. Ours](0001-ours.md)\n")
    assert "a record the team has already" in _problem(team, {"doc/adr/0002-b.md": said})
    said = GOOD_TOOLS.replace("Accepted\n", "Accepted\n\nAmends [1. Ours](0001-ours.md)\n")
    (imported,) = import_apply(
        team=team, user=owner, upload=read_upload("u.zip", _zip({"doc/adr/0002-b.md": said}))
    )
    assert imported.links_out.get().target.title == "Ours"
    assert Decision.objects.get(team=team, number=1).status == "proposed"  # untouched


GOOD_TOOLS = "# 2. B\n\nDate: 2025-04-10\n\n## Status\n\nAccepted\n\n## Context\n\nWhy.\n"


def test_a_line_said_twice_makes_one_link(team, owner):
    files = {
        "doc/adr/0001-a.md": GOOD_TOOLS.replace("# 2. B", "# 1. A"),
        "doc/adr/0002-b.md": GOOD_TOOLS.replace(
            "Accepted\n", "Accepted\n\nAmends [1. A](0001-a.md)\n\nAmends [1. A](0001-a.md)\n"
        ),
    }
    import_apply(team=team, user=owner, upload=read_upload("u.zip", _zip(files)))
    assert Decision.objects.get(team=team, number=2).links_out.count() == 1


def test_log4brains_keeps_two_records_of_one_day_with_one_title_apart(team, owner):
    system = SystemFactory(team=team)
    first = record(make_interaction(system=system, name="One"), user=owner, title="Use a queue")
    second = record(make_interaction(system=system, name="Two"), user=owner, title="Use a queue")
    second.supersedes.add(first)
    files = unzip(build_export(team=team, format="log4brains").data)
    names = [name for name in files if name.startswith("docs/adr/")]
    suffixed = [name for name in names if name.endswith(f"-use-a-queue-{second.number}.md")]
    plain = [name for name in names if name.endswith("-use-a-queue.md")]
    assert len(suffixed) == len(plain) == 1
    first_name = plain[0].removeprefix("docs/adr/").removesuffix(".md")
    # The successor's link names the first record's file, not its own.
    assert f"- Supersedes [{first_name}]({first_name}.md)" in files[suffixed[0]]
    twin = TeamFactory(name=team.name)
    import_apply(team=twin, user=owner, upload=read_upload("u.zip", build_export(
        team=team, format="log4brains").data))  # fmt: skip
    older = Decision.objects.get(team=twin, title="Use a queue", superseded_by__isnull=False)
    assert older.superseded_by.get().title == "Use a queue"


def test_madr_keeps_a_decision_date_apart_from_the_last_update(team, owner, other_team):
    decision = record(make_interaction(system=SystemFactory(team=team)), user=owner)
    Decision.objects.filter(pk=decision.pk).update(
        decided_on="2024-01-10", updated_on="2024-06-01", status="accepted"
    )
    export = build_export(team=team, format="madr")
    assert "decided-on: 2024-01-10" in next(iter(unzip(export.data).values()))
    (copy,) = import_apply(team=other_team, user=owner, upload=read_upload("u.zip", export.data))
    assert (str(copy.decided_on), str(copy.updated_on)) == ("2024-01-10", "2024-06-01")
