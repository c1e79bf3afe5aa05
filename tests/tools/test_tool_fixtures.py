"""The real ADR tools read the fixture repositories the way the exporters will be checked.

adr-tools lists, indexes and graphs the Nygard repositories, log4brains 1.1.0 reads statuses,
dates, deciders, tags and supersession from its repository, and markdownlint passes the MADR
records under MADR's own rules. The last test rebuilds every repository with the tools and
finds the committed files unchanged, so they are what the tools write.
"""

from __future__ import annotations

import filecmp
import os
import re
import subprocess
import sys

import pytest

from tests.tools.harness import (
    FIXTURE_REPOS,
    MADR_TEMPLATES,
    NODE_MODULES,
    adr_graph,
    adr_list,
    adr_toc,
    dot_links,
    log4brains_adrs,
    markdownlint,
)

ADR_TOOLS = FIXTURE_REPOS / "adr-tools"
LOG4BRAINS = FIXTURE_REPOS / "log4brains"


@pytest.fixture(scope="module")
def log4brains_read() -> list[dict]:
    """What log4brains reads from the fixture, asked once: the files never change here."""
    return log4brains_adrs(LOG4BRAINS)


def test_adr_lists_every_record_of_the_adr_tools_repository_in_number_order():
    assert adr_list(ADR_TOOLS) == [
        "doc/adr/0001-record-architecture-decisions.md",
        "doc/adr/0002-use-postgresql-for-orders.md",
        "doc/adr/0003-call-inventory-synchronously.md",
        "doc/adr/0004-publish-order-events-to-a-message-broker.md",
        "doc/adr/0005-reserve-stock-with-a-lease.md",
        "doc/adr/0006-deliver-order-events-at-least-once.md",
    ]


def test_adr_reads_its_folder_from_the_adr_dir_file():
    assert (ADR_TOOLS / ".adr-dir").read_text() == "doc/adr\n"


def test_adr_toc_titles_each_record_with_its_number_and_links_its_file():
    toc = adr_toc(ADR_TOOLS)

    assert toc.startswith("# Architecture Decision Records\n")
    assert "* [3. Call Inventory synchronously](0003-call-inventory-synchronously.md)" in toc
    assert "* [5. Reserve stock with a lease](0005-reserve-stock-with-a-lease.md)" in toc
    assert len(re.findall(r"^\* \[\d+\. ", toc, flags=re.MULTILINE)) == 6


def test_adr_graph_draws_each_forward_link_but_no_reverse_label():
    links = dot_links(adr_graph(ADR_TOOLS))

    assert links == {(5, 3, "Supersedes"), (5, 2, "Clarifies"), (6, 4, "Amends")}


def test_adr_graph_follows_the_superceded_spelling_of_upstream_adr_tools():
    old = FIXTURE_REPOS / "adr-tools-old"

    assert dot_links(adr_graph(old)) == {(3, 2, "Supercedes")}
    superseded = (old / "doc/adr/0002-call-inventory-synchronously.md").read_text()
    assert "Superceded by [3. Reserve stock with a lease](0003-reserve-stock-with-a-lease.md)" in (
        superseded
    )


def test_the_superseded_nygard_record_lost_its_accepted_status():
    status = (ADR_TOOLS / "doc/adr/0003-call-inventory-synchronously.md").read_text()
    section = status.split("## Status\n", 1)[1].split("\n## ", 1)[0]

    assert section.strip() == (
        "Superseded by [5. Reserve stock with a lease](0005-reserve-stock-with-a-lease.md)"
    )


def test_log4brains_reads_status_date_deciders_and_tags_of_each_record(log4brains_read):
    adrs = log4brains_read

    assert [
        (adr["slug"], adr["status"], adr["date"], adr["deciders"], adr["tags"]) for adr in adrs
    ] == [
        (
            "20250302-call-inventory-synchronously",
            "superseded",
            "2025-03-02",
            ["Alice Martin", "Bob Chen"],
            ["checkout", "inventory"],
        ),
        (
            "20250317-publish-order-events-to-a-message-broker",
            "accepted",
            "2025-03-17",
            ["Alice Martin", "Dana Okafor"],
            ["checkout", "messaging"],
        ),
        (
            "20250410-reserve-stock-with-a-lease",
            "accepted",
            "2025-04-10",
            ["Alice Martin", "Bob Chen"],
            ["checkout", "inventory"],
        ),
        (
            "20250506-deliver-order-events-at-least-once",
            "proposed",
            "2025-05-06",
            ["Dana Okafor"],
            ["messaging"],
        ),
    ]


def test_log4brains_sees_which_record_supersedes_which(log4brains_read):
    adrs = {adr["slug"]: adr for adr in log4brains_read}

    superseded = adrs["20250302-call-inventory-synchronously"]
    successor = adrs["20250410-reserve-stock-with-a-lease"]
    assert superseded["supersededBy"] == "20250410-reserve-stock-with-a-lease"
    assert successor["supersededBy"] is None
    assert successor["links"] == [
        {"label": "Supersedes", "slug": "20250302-call-inventory-synchronously"}
    ]
    refining = adrs["20250506-deliver-order-events-at-least-once"]
    assert refining["links"] == [
        {"label": "Refines", "slug": "20250317-publish-order-events-to-a-message-broker"}
    ]


def test_log4brains_takes_titles_from_the_first_heading_and_skips_its_own_pages(log4brains_read):
    adrs = log4brains_read

    assert [adr["title"] for adr in adrs] == [
        "Call Inventory synchronously",
        "Publish order events to a message broker",
        "Reserve stock with a lease",
        "Deliver order events at least once",
    ]
    # template.md, index.md and README.md sit in the same folder and are no records.
    assert {path.name for path in (LOG4BRAINS / "docs/adr").iterdir()} >= {
        "template.md",
        "index.md",
        "README.md",
    }


@pytest.mark.parametrize("repository", ["madr4", "madr3", "madr2"])
def test_markdownlint_passes_the_madr_records_under_madrs_rules(repository):
    records = sorted((FIXTURE_REPOS / repository).rglob("*.md"))

    assert len(records) == 4
    assert markdownlint(records) == []


def test_madr4_records_keep_the_heading_layout_of_madrs_template():
    template = (MADR_TEMPLATES / "adr-template.md").read_text()
    layout = [
        line
        for line in template.splitlines()
        if line.startswith("## ") or line.startswith("### Con")
    ]

    for record in sorted((FIXTURE_REPOS / "madr4/docs/decisions").glob("*.md")):
        text = record.read_text()
        assert text.startswith("---\nstatus: ")
        assert [
            line
            for line in text.splitlines()
            if line.startswith("## ") or line.startswith("### Con")
        ] == layout, record.name


def test_the_superseded_madr4_record_names_its_successor_in_front_matter():
    record = FIXTURE_REPOS / "madr4/docs/decisions/0001-call-inventory-synchronously.md"
    successor = FIXTURE_REPOS / "madr4/docs/decisions/0003-reserve-stock-with-a-lease.md"

    assert 'status: "superseded by ADR-0003"\n' in record.read_text()
    assert "Supersedes [ADR-0001](0001-call-inventory-synchronously.md)." in (successor.read_text())


def _differences(comparison: filecmp.dircmp) -> list[str]:
    found = [
        *(f"only committed: {name}" for name in comparison.left_only),
        *(f"only regenerated: {name}" for name in comparison.right_only),
        *(f"differs: {name}" for name in comparison.diff_files + comparison.funny_files),
    ]
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found


def test_regenerating_the_repositories_with_the_tools_gives_the_committed_files(tmp_path):
    script = FIXTURE_REPOS / "regenerate.sh"
    env = {**os.environ, "PYTHON": sys.executable, "ADR_TOOLS_DIR": str(NODE_MODULES.parent)}
    result = subprocess.run(
        ["bash", script, tmp_path], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr

    for repository in ("adr-tools", "adr-tools-old", "madr4", "madr3", "madr2", "log4brains"):
        comparison = filecmp.dircmp(FIXTURE_REPOS / repository, tmp_path / repository, ignore=[])
        assert _differences(comparison) == [], repository
