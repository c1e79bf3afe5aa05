"""Repositories the ADR tools wrote themselves import cleanly, and come back out the same.

Each fixture repository (tests/fixtures/adr_repos: adr-tools, upstream adr-tools' older
"Superceded" spelling, MADR 4, 3 and 2, log4brains) is read as a folder into an empty team:
its numbers, titles, statuses, dates, people, supersessions and named links are the ones
its files state, and the sections Crossroads does not model are kept. Exported again in
its dialect, the real tool reads from our files what it reads from the original; and
export → import into another empty team → export gives the same files.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from decisions.archive import read_files
from decisions.exporting import build_export
from decisions.models import Decision, DecisionLink, Status
from decisions.services.importing import import_apply, import_plan
from tests.decisions.exchange.conftest import unzip
from tests.factories import MembershipFactory, TeamFactory
from tests.tools.harness import (
    FIXTURE_REPOS,
    adr_graph,
    adr_list,
    adr_toc,
    dot_links,
    log4brains_adrs,
    markdownlint,
    require_tools,
)

ACCEPTED, PROPOSED, SUPERSEDED = Status.ACCEPTED, Status.PROPOSED, Status.SUPERSEDED
# The repositories telling the story of records.yaml; the adr-tools ones tell their own.
STORY_REPOSITORIES = ("madr4", "madr3", "madr2", "log4brains")
REPOSITORIES = ("adr-tools", "adr-tools-old", *STORY_REPOSITORIES)
# The dialect each is exported back in: Crossroads writes MADR 4 for every MADR version.
DIALECT = {
    "adr-tools": "adr-tools",
    "adr-tools-old": "adr-tools",
    "log4brains": "log4brains",
    **dict.fromkeys(("madr4", "madr3", "madr2"), "madr"),
}

# The story the MADR and log4brains repositories tell (tests/fixtures/adr_repos/records.yaml).
STORY = [
    (1, "Call Inventory synchronously", SUPERSEDED, date(2025, 3, 2)),
    (2, "Publish order events to a message broker", ACCEPTED, date(2025, 3, 17)),
    (3, "Reserve stock with a lease", ACCEPTED, date(2025, 4, 10)),
    (4, "Deliver order events at least once", PROPOSED, date(2025, 5, 6)),
]
STORY_DECIDERS = {
    1: ["Alice Martin", "Bob Chen"],
    2: ["Alice Martin", "Dana Okafor"],
    3: ["Alice Martin", "Bob Chen"],
    4: ["Dana Okafor"],
}
# Consulted and informed: MADR 3 and 4 say them in front matter; MADR 2 and log4brains cannot.
STORY_PEOPLE = {
    1: ("Inventory team", "Customer support"),
    2: ("Billing team, Shipping team", "Analytics"),
    3: ("Inventory team", "Customer support"),
    4: ("Billing team", "Analytics"),
}
NOBODY = {1: ("", ""), 2: ("", ""), 3: ("", ""), 4: ("", "")}

RECORDS = {
    "adr-tools": [
        (1, "Record architecture decisions", ACCEPTED, date(2025, 1, 13)),
        (2, "Use PostgreSQL for orders", ACCEPTED, date(2025, 2, 3)),
        (3, "Call Inventory synchronously", SUPERSEDED, date(2025, 3, 2)),
        (4, "Publish order events to a message broker", ACCEPTED, date(2025, 3, 17)),
        (5, "Reserve stock with a lease", ACCEPTED, date(2025, 4, 10)),
        (6, "Deliver order events at least once", ACCEPTED, date(2025, 5, 6)),
    ],
    "adr-tools-old": [
        (1, "Record architecture decisions", ACCEPTED, date(2019, 6, 3)),
        (2, "Call Inventory synchronously", SUPERSEDED, date(2019, 6, 10)),
        (3, "Reserve stock with a lease", ACCEPTED, date(2019, 9, 23)),
    ],
    **dict.fromkeys(STORY_REPOSITORIES, STORY),
}
# (successor, predecessor) and (source, label, target, reverse label), as the files say.
SUPERSESSIONS = {
    "adr-tools": frozenset({(5, 3)}),
    "adr-tools-old": frozenset({(3, 2)}),
    **dict.fromkeys(STORY_REPOSITORIES, frozenset({(3, 1)})),
}
NAMED_LINKS = {
    "adr-tools": frozenset({(5, "Clarifies", 2, "Clarified by"), (6, "Amends", 4, "Amended by")}),
    "adr-tools-old": frozenset(),
    **dict.fromkeys(STORY_REPOSITORIES, frozenset({(4, "Refines", 2, "")})),
}


@pytest.fixture(autouse=True, scope="module")
def _real_adr_tools() -> None:
    require_tools()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _import_repository(team, user, name: str) -> dict[int, Decision]:
    upload = read_files(_files(FIXTURE_REPOS / name))
    import_apply(team=team, user=user, upload=upload)
    return {d.number: d for d in Decision.objects.filter(team=team).prefetch_related("supersedes")}


@pytest.fixture
def another_team(team, owner):
    # The same name: log4brains' configuration names the project after the team.
    twin = TeamFactory(name=team.name, slug=f"{team.slug}-again")
    MembershipFactory(team=twin, user=owner, role="owner")
    return twin


def _written(folder: Path, data: bytes) -> Path:
    for path, text in unzip(data).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    return folder


# Importing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPOSITORIES)
def test_each_tools_repository_imports_cleanly_into_an_empty_team(team, name):
    plan = import_plan(team, read_files(_files(FIXTURE_REPOS / name)))

    assert [(f.path, f.problem) for f in plan.problems] == []
    # Only what belongs to the repository rather than its records is left out.
    assert {f.skipped for f in plan.skipped} <= {"part of the repository, not a record"}
    assert plan.importable
    assert [(f.record.number, f.record.title) for f in plan.creating] == [
        (number, title) for number, title, _, _ in RECORDS[name]
    ]


@pytest.mark.parametrize("name", REPOSITORIES)
def test_records_keep_the_numbers_titles_statuses_dates_and_people_of_their_files(
    team, owner, name
):
    imported = _import_repository(team, owner, name)
    deciders = STORY_DECIDERS if name in STORY_REPOSITORIES else {}
    people = STORY_PEOPLE if name in ("madr4", "madr3") else NOBODY

    assert {
        number: (d.title, d.status, d.decided_on, d.updated_on, d.external_deciders)
        for number, d in imported.items()
    } == {
        number: (title, status, None if status == PROPOSED else day, day, deciders.get(number, []))
        for number, title, status, day in RECORDS[name]
    }
    assert all(not d.deciders.exists() for d in imported.values())  # nobody has an account
    if name in STORY_REPOSITORIES:
        assert {n: (d.consulted, d.informed) for n, d in imported.items()} == people
    if name not in ("madr4", "madr3", "madr2"):  # MADR files do not say when they were written
        assert {n: d.created_at.date() for n, d in imported.items()} == {
            number: day for number, _, _, day in RECORDS[name]
        }
    assert {d.revisions.get().kind for d in imported.values()} == {"imported"}


@pytest.mark.parametrize("name", REPOSITORIES)
def test_supersessions_and_named_links_come_in_as_the_files_state_them(team, owner, name):
    imported = _import_repository(team, owner, name)
    links = DecisionLink.objects.filter(source__team=team).select_related("source", "target")

    assert {
        (d.number, older.number) for d in imported.values() for older in d.supersedes.all()
    } == SUPERSESSIONS[name]
    assert {(k.source.number, k.label, k.target.number, k.reverse_label) for k in links} == (
        NAMED_LINKS[name]
    )


def test_adr_tools_sections_come_in_verbatim(team, owner):
    first = _import_repository(team, owner, "adr-tools")[1]

    assert first.context == "We need to record the architectural decisions made on this project."
    assert first.imported_sections == {
        "Decision": "We will use Architecture Decision Records, as [described by Michael Nygard]"
        "(http://thinkrelevance.com/blog/2011/11/15/documenting-architecture-decisions).",
        "Consequences": "See Michael Nygard's article, linked above. For a lightweight ADR "
        "toolset, see Nat Pryce's [adr-tools](https://github.com/npryce/adr-tools).",
    }


def test_the_older_superceded_spelling_reads_as_a_supersession(team, owner):
    imported = _import_repository(team, owner, "adr-tools-old")

    assert imported[2].status == SUPERSEDED
    assert [d.number for d in imported[2].superseded_by.all()] == [3]


PROS_AND_CONS = (
    "### Call Inventory over HTTP during checkout\n\n"
    "Checkout asks Inventory for the stock level of each line before payment.\n\n"
    "* Good, because the answer is current at the moment of payment\n"
    "* Neutral, because Inventory already serves this endpoint for the shop front\n"
    "* Bad, because checkout fails whenever Inventory is unavailable\n\n"
    "### Read a replicated stock table\n\n"
    "Inventory copies its stock levels into a table that Checkout reads.\n\n"
    "* Good, because checkout keeps working while Inventory is down\n"
    "* Bad, because the copy lags behind and can sell the last item twice"
)
OUTCOME = (
    'Chosen option: "Call Inventory over HTTP during checkout", because it is the only option '
    "that answers with the stock level at the moment of payment."
)
CONTEXT = (
    "Checkout must know whether an item is in stock before it takes the payment. Inventory "
    "owns the stock levels and answers stock queries over HTTP."
)
STORY_TECHNICAL = "Technical Story: CHK-142 shows items as available after they sold out"


@pytest.mark.parametrize("name", STORY_REPOSITORIES)
def test_madr_family_sections_are_modelled_or_kept_as_they_stood(team, owner, name):
    first = _import_repository(team, owner, name)[1]
    bullet = "- " if name == "log4brains" else "* "
    pros_and_cons = PROS_AND_CONS.replace("* ", bullet)
    if name in ("madr2", "log4brains"):  # MADR 2's template has no Neutral items
        pros_and_cons = pros_and_cons.replace(
            f"{bullet}Neutral, because Inventory already serves this endpoint for the shop front\n",
            "",
        )
    older = name in ("madr2", "log4brains")

    assert first.chosen_title == "Call Inventory over HTTP during checkout"
    assert first.context == (f"{STORY_TECHNICAL}\n\n{CONTEXT}" if older else CONTEXT)
    assert first.drivers == (
        f"{bullet}Customers must not pay for items that are out of stock\n"
        f"{bullet}Checkout has a latency budget of 800 ms at the 99th percentile"
    )
    assert (first.good_consequences, first.bad_consequences) == (
        ("- A customer sees an accurate answer before paying",
         "- An Inventory outage or deploy stops every checkout") if older else
        ("- a customer sees an accurate answer before paying",
         "- an Inventory outage or deploy stops every checkout")
    )  # fmt: skip
    assert first.imported_sections["Considered Options"] == (
        f"{bullet}Call Inventory over HTTP during checkout\n{bullet}Read a replicated stock table"
    )
    assert first.imported_sections["Decision Outcome"] == OUTCOME
    assert first.imported_sections["Pros and Cons of the Options"] == pros_and_cons
    if name == "log4brains":
        assert first.imported_sections["_tags"] == ["checkout", "inventory"]
    confirmation = "The checkout contract tests call Inventory's staging endpoint on every build."
    more = "Inventory's stock endpoint is documented in its API catalogue entry."
    expected = {
        "madr4": (confirmation, more),
        # MADR 3's Validation is what MADR 4 calls Confirmation.
        "madr3": (confirmation, more),
        "madr2": ("", ""),
        "log4brains": ("", ""),
    }
    assert (first.confirmation, first.links) == expected[name]


# Round trips -------------------------------------------------------------------------------


def _toc_items(toc: str) -> list[str]:
    return [line for line in toc.splitlines() if line.startswith("* ")]


@pytest.mark.parametrize("name", ["adr-tools", "adr-tools-old"])
def test_adr_tools_reads_our_export_as_it_reads_the_original(team, owner, tmp_path, name):
    _import_repository(team, owner, name)
    ours = _written(tmp_path, build_export(team=team, format="adr-tools").data)
    original = FIXTURE_REPOS / name

    assert adr_list(ours) == adr_list(original)
    assert _toc_items(adr_toc(ours)) == _toc_items(adr_toc(original))
    # We write today's spelling; upstream adr-tools wrote "Supercedes".
    assert dot_links(adr_graph(ours)) == {
        (source, target, label.replace("Supercedes", "Supersedes"))
        for source, target, label in dot_links(adr_graph(original))
    }


LOG4BRAINS_FIELDS = ("slug", "title", "status", "date", "deciders", "tags", "supersededBy",
                     "links")  # fmt: skip


def test_log4brains_reads_our_export_as_it_reads_the_original(team, owner, tmp_path):
    _import_repository(team, owner, "log4brains")
    ours = _written(tmp_path, build_export(team=team, format="log4brains").data)

    def seen(repo: Path) -> list[dict]:
        return [{key: adr[key] for key in LOG4BRAINS_FIELDS} for adr in log4brains_adrs(repo)]

    original = seen(FIXTURE_REPOS / "log4brains")
    assert seen(ours) == original
    assert [adr["status"] for adr in original] == ["superseded", "accepted", "accepted", "proposed"]


def _madr_metadata(text: str) -> dict[str, str | None]:
    """What a MADR file says in its front matter (MADR 3 and 4) or under its title (MADR 2),
    in MADR 4's words: `decision-makers`, and "superseded by ADR-0003"."""
    if text.startswith("---\n"):
        said = yaml.safe_load(text.split("---\n")[1])
    else:
        items = re.finditer(r"^\* (Status|Deciders|Date): (.*)$", text, re.M)
        said = {item.group(1).lower(): item.group(2) for item in items}
    status = str(said["status"])
    successor = re.match(r"^superseded by \[?(ADR-\d{4})", status)
    return {
        "status": f"superseded by {successor.group(1)}" if successor else status,
        "date": str(said["date"]),
        "decision-makers": said.get("decision-makers") or said.get("deciders"),
        "consulted": said.get("consulted"),
        "informed": said.get("informed"),
    }


@pytest.mark.parametrize("name", ["madr4", "madr3", "madr2"])
def test_our_madr_export_keeps_the_front_matter_values_and_passes_markdownlint(
    team, owner, tmp_path, name
):
    _import_repository(team, owner, name)
    ours = _written(tmp_path, build_export(team=team, format="madr").data)
    files = sorted((ours / "docs/decisions").glob("*.md"))
    originals = {p.name: p.read_text() for p in (FIXTURE_REPOS / name).rglob("*.md")}

    assert {p.name: _madr_metadata(p.read_text()) for p in files} == {
        file: _madr_metadata(text) for file, text in originals.items()
    }
    assert files[0].read_text().startswith('---\nstatus: "superseded by ADR-0003"\n')
    assert markdownlint(files) == []


@pytest.mark.parametrize("name", REPOSITORIES)
def test_export_import_export_gives_identical_files(team, owner, another_team, name):
    _import_repository(team, owner, name)
    first = build_export(team=team, format=DIALECT[name])
    upload = read_files({path: text.encode() for path, text in unzip(first.data).items()})
    assert import_plan(another_team, upload).importable
    import_apply(team=another_team, user=owner, upload=upload)

    second = build_export(team=another_team, format=DIALECT[name])

    assert unzip(second.data) == unzip(first.data)


def _consequences(text: str) -> str:
    return text.split("\n### Consequences\n", 1)[1].split("\n### ", 1)[0].strip()


def test_a_madr_4_repository_exported_again_keeps_its_consequences_as_written(team, owner):
    _import_repository(team, owner, "madr4")
    ours = unzip(build_export(team=team, format="madr").data)
    originals = sorted((FIXTURE_REPOS / "madr4/docs/decisions").glob("*.md"))

    # "Good, because Inventory deploys…" names a service: its capital is not a sentence's.
    assert {p.name: _consequences(ours[f"docs/decisions/{p.name}"]) for p in originals} == {
        p.name: _consequences(p.read_text()) for p in originals
    }
