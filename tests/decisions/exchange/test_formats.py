"""Each dialect's files exactly as its tool writes them: names, headings, metadata, links."""

from __future__ import annotations

import re

import yaml
from django.utils import timezone

from decisions import dialects
from decisions.exporting import build_export
from tests.decisions.exchange.conftest import loaded, unzip


def _export(team, format):
    return unzip(build_export(team=team, format=format).data)


class TestMadr:
    def test_files_are_named_and_laid_out_as_madr_4(self, team, log):
        files = _export(team, "madr")
        assert sorted(files) == [
            "docs/decisions/0001-call-inventory-synchronously.md",
            "docs/decisions/0002-reserve-stock-with-a-lease.md",
            "docs/decisions/0003-release-stock-on-cancel.md",
            "docs/decisions/0004-show-stock-1-2.md",
        ]

    def test_front_matter_is_madrs_with_our_documented_keys(self, team, log):
        text = _export(team, "madr")["docs/decisions/0001-call-inventory-synchronously.md"]
        front = text.split("---\n")[1]
        assert front.splitlines()[0] == 'status: "superseded by ADR-0002"'
        assert re.search(r"^date: \d{4}-\d{2}-\d{2}$", front, re.M)  # unquoted, as MADR's
        meta = yaml.safe_load(front)
        assert meta["date"] == timezone.localdate()
        assert meta["decision-makers"] == "olive, sam"
        assert meta["consulted"] == "Platform guild"
        assert (meta["system"], meta["interaction"]) == ("Storefront", "Reserve stock")
        assert meta["chosen-pattern"] and meta["framework"] == "default v3"

    def test_a_proposed_record_has_a_date_too(self, team, log):
        text = _export(team, "madr")["docs/decisions/0004-show-stock-1-2.md"]
        meta = yaml.safe_load(text.split("---\n")[1])
        assert meta["status"] == "proposed" and meta["date"] == timezone.localdate()

    def test_headings_follow_madrs_order_and_options_match_their_titles(self, team, log):
        text = _export(team, "madr")["docs/decisions/0001-call-inventory-synchronously.md"]
        headings = re.findall(r"^#{1,3} .*$", text, re.M)
        order = ["# Call Inventory synchronously", "## Context and Problem Statement",
                 "## Considered Options", "## Decision Outcome", "### Consequences",
                 "## Pros and Cons of the Options", "## More Information"]  # fmt: skip
        assert [h for h in headings if h in order] == order
        options = re.findall(r"^\* (.+)$", text.split("## Considered Options")[1].split("##")[0],
                             re.M)  # fmt: skip
        assert all("score" not in option for option in options)
        chosen = re.search(r'^Chosen option: "(.+?)", because .+\.$', text, re.M).group(1)
        assert chosen in options and f"### {chosen}" in text
        for option in options:
            assert f"### {option}" in text
        assert "\n\n\n" not in text  # markdownlint MD012

    def test_links_to_other_records_are_under_more_information(self, team, log):
        files = _export(team, "madr")
        first = files["docs/decisions/0001-call-inventory-synchronously.md"]
        more = first.split("## More Information\n\n")[1]
        assert more.startswith(
            "* Superseded by [ADR-0002](0002-reserve-stock-with-a-lease.md)\n"
            "* Superseded by [ADR-0003](0003-release-stock-on-cancel.md)\n"
            "* Amended by [ADR-0003](0003-release-stock-on-cancel.md)\n"
        )
        third = files["docs/decisions/0003-release-stock-on-cancel.md"]
        assert "* Supersedes [ADR-0001](0001-call-inventory-synchronously.md)\n" in third
        assert "* Amends [ADR-0001](0001-call-inventory-synchronously.md)" in third

    def test_consequences_read_as_good_and_bad_because(self, team, log):
        text = _export(team, "madr")["docs/decisions/0001-call-inventory-synchronously.md"]
        assert "* Good, because one reservation wins\n* Good, because nothing new to run\n" in text
        assert "* Bad, because checkout waits on Inventory" in text


class TestAdrTools:
    def test_files_and_adr_dir_are_as_adr_init_writes_them(self, team, log):
        files = _export(team, "adr-tools")
        assert files[".adr-dir"] == "doc/adr\n"
        assert "doc/adr/0003-release-stock-on-cancel.md" in files

    def test_a_record_reads_exactly_as_adr_tools_writes_one(self, team, log):
        text = _export(team, "adr-tools")["doc/adr/0003-release-stock-on-cancel.md"]
        day = timezone.localdate().isoformat()
        assert text.startswith(
            f"# 3. Release stock on cancel\n\nDate: {day}\n\n## Status\n\nAccepted\n\n"
            "Supersedes [1. Call Inventory synchronously](0001-call-inventory-synchronously.md)"
            "\n\nAmends [1. Call Inventory synchronously](0001-call-inventory-synchronously.md)"
            "\n\n## Context\n\n"
        )
        sections = re.findall(r"^## (.+)$", text, re.M)
        assert sections == ["Status", "Context", "Decision", "Consequences"]
        assert not text.startswith("---")

    def test_a_superseded_record_has_its_successors_instead_of_a_status_word(self, team, log):
        text = _export(team, "adr-tools")["doc/adr/0001-call-inventory-synchronously.md"]
        status = text.split("## Status\n\n")[1].split("## Context")[0]
        assert status == (
            "Superseded by [2. Reserve stock with a lease](0002-reserve-stock-with-a-lease.md)"
            "\n\nSuperseded by [3. Release stock on cancel](0003-release-stock-on-cancel.md)"
            "\n\nAmended by [3. Release stock on cancel](0003-release-stock-on-cancel.md)\n\n"
        )

    def test_a_proposed_record_says_proposed(self, team, log):
        text = _export(team, "adr-tools")["doc/adr/0004-show-stock-1-2.md"]
        assert "## Status\n\nProposed\n\n## Context" in text


class TestLog4brains:
    def test_config_and_dated_file_names(self, team, log):
        files = _export(team, "log4brains")
        day = log[0].created_at.strftime("%Y%m%d")
        assert files[".log4brains.yml"].startswith("---\nproject:\n  name: ")
        assert "adrFolder: ./docs/adr" in files[".log4brains.yml"]
        assert f"docs/adr/{day}-call-inventory-synchronously.md" in files

    def test_metadata_is_the_list_before_the_first_heading(self, team, log):
        files = _export(team, "log4brains")
        day = log[0].created_at.strftime("%Y%m%d")
        text = files[f"docs/adr/{day}-call-inventory-synchronously.md"]
        assert not text.startswith("---")
        head = text.split("\n## ")[0]
        lines = head.splitlines()
        assert lines[0] == "# Call Inventory synchronously"
        # log4brains has no numbers: of two superseders, the first by file name is named.
        assert lines[2] == (
            f"- Status: superseded by [{day}-release-stock-on-cancel]"
            f"({day}-release-stock-on-cancel.md)"
        )
        assert lines[3] == "- Deciders: olive, sam"
        assert lines[4] == f"- Date: {timezone.localdate().isoformat()}"
        assert lines[5] == "- Tags: storefront, reserve-stock"

    def test_a_second_superseder_is_listed_under_links_and_said_so(self, team, log):
        export = build_export(team=team, format="log4brains")
        day = log[0].created_at.strftime("%Y%m%d")
        text = unzip(export.data)[f"docs/adr/{day}-call-inventory-synchronously.md"]
        assert "log4brains keeps one superseder per record" in text
        links = text.split("## Links\n\n")[1]
        assert (
            f"- Superseded by [{day}-reserve-stock-with-a-lease]"
            f"({day}-reserve-stock-with-a-lease.md)" in links
        )
        assert "ADR-0001 is superseded by 2 decisions" in export.summary

    def test_the_successor_lists_what_it_supersedes_under_links(self, team, log):
        day = log[0].created_at.strftime("%Y%m%d")
        text = _export(team, "log4brains")[f"docs/adr/{day}-release-stock-on-cancel.md"]
        assert text.endswith(
            "## Links\n\n"
            f"- Supersedes [{day}-call-inventory-synchronously]"
            f"({day}-call-inventory-synchronously.md)\n"
            f"- Amends [{day}-call-inventory-synchronously]"
            f"({day}-call-inventory-synchronously.md)\n"
        )


class TestJson:
    def test_one_file_per_record_and_one_per_framework_version(self, team, log):
        files = _export(team, "json")
        records = [name for name in files if name.startswith("decisions/")]
        frameworks = [name for name in files if name.startswith("frameworks/")]
        assert len(records) == 4 and len(frameworks) == 1
        assert frameworks[0] == f"frameworks/{log[0].framework_frozen.digest}.json"


def test_every_dialect_reads_back_what_it_wrote(team, log):
    for key in ("madr", "adr-tools", "log4brains", "json"):
        for path, text in _export(team, key).items():
            if path.endswith((".md", ".json")) and "frameworks/" not in path:
                assert key == dialects.detect(path, text).KEY, path


def test_an_export_loads_the_log_in_a_fixed_number_of_queries(
    team, log, owner, django_assert_num_queries
):
    with django_assert_num_queries(8):  # the decisions and one query per relation
        decisions = loaded(team)
    for key in ("madr", "adr-tools", "log4brains", "json"):
        with django_assert_num_queries(0):
            dialects.get(key).write(decisions)


def test_a_record_exports_straight_after_recording(team, owner):
    """The instance the service returns holds its status as an enum member, not a string."""
    from decisions.dialects import madr
    from decisions.dialects.records import adr_record
    from tests.factories import SystemFactory, make_interaction, record_decision

    decision = record_decision(make_interaction(system=SystemFactory(team=team)), user=owner)
    text = madr.write_record(adr_record(decision))
    assert text.startswith("---\nstatus: proposed\n")
