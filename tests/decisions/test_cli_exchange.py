"""The command line exchange of decision logs: `export_decisions` and `import_decisions`."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from advisor.models import Membership, Role
from decisions.exporting import FORMATS
from decisions.models import Decision, Status
from decisions.services import decision_change_status
from tests.factories import (
    SOMEONE_WAITS,
    MembershipFactory,
    SystemFactory,
    TeamFactory,
    make_interaction,
    record_decision,
)

pytestmark = pytest.mark.django_db


def accepted_decisions(team, user, system_name: str, count: int) -> list[Decision]:
    system = SystemFactory(team=team, name=system_name)
    recorded = []
    for index in range(1, count + 1):
        interaction = make_interaction(
            system=system, user=user, name=f"{system_name} call {index}",
            answers={**SOMEONE_WAITS, "operation": "query"},
        )  # fmt: skip
        decision = record_decision(interaction, user=user, title=f"{system_name} rule {index}")
        decision_change_status(
            decision=decision, user=user, status=Status.ACCEPTED, base_version=decision.version
        )
        recorded.append(decision)
    return recorded


@pytest.fixture
def log(team, owner) -> list[Decision]:
    """Three decisions about the shop and one about billing."""
    return accepted_decisions(team, owner, "Shop", 3) + accepted_decisions(
        team, owner, "Billing", 1
    )


@pytest.fixture
def empty_team(db):
    team = TeamFactory(name="Newcomers", slug="newcomers")
    MembershipFactory(team=team, role=Role.OWNER, user__username="nora")
    return team


def run(name: str, *args: str) -> list[str]:
    """The command's output lines."""
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue().splitlines()


def refused(name: str, *args: str) -> tuple[str, list[str]]:
    """The one-line message of a command refusing its input with exit code 2, and what it
    printed before."""
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(name, *args, stdout=out)
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert "\n" not in message
    return message, out.getvalue().splitlines()


def export_zip(tmp_path: Path, format: str = "madr", team: str = "checkout") -> Path:
    path = tmp_path / f"export-{format}.zip"
    run("export_decisions", "--team", team, "--format", format, "--out", str(path))
    return path


def with_broken_file(path: Path) -> Path:
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("docs/decisions/0099-broken.json", "{not json")
    return path


class TestExport:
    @pytest.mark.parametrize("format", [f for f in FORMATS if f != "pdf"])
    def test_each_repository_format_is_written_and_listed(self, log, tmp_path, format):
        lines = run("export_decisions", "--team", "checkout", "--format", format,
                    "--out", str(tmp_path))  # fmt: skip

        written = list(tmp_path.iterdir())
        assert len(written) == 1 and written[0].name.startswith(f"checkout-decisions-{format}-")
        names = zipfile.ZipFile(written[0]).namelist()
        assert [line for line in lines if line in names] == names
        records = [n for n in names if n.endswith((".md", ".json")) and "frameworks/" not in n]
        assert len(records) == 4 and any("shop-rule-1." in n for n in records)
        assert lines[-1] == f"Exported 4 decisions to {written[0]}"

    def test_the_pdf_is_written_with_its_page_count_and_size(self, log, tmp_path):
        out = tmp_path / "log.pdf"

        lines = run("export_decisions", "--team", "checkout", "--format", "pdf", "--out", str(out))

        assert out.read_bytes().startswith(b"%PDF")
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
        pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))
        assert re.fullmatch(rf"{pages} pages?, [\d.]+ KB", lines[0])
        assert lines[-1] == f"Exported 4 decisions to {out}"

    def test_one_systems_decisions_can_be_exported_alone(self, log, tmp_path):
        out = tmp_path / "billing.zip"

        lines = run("export_decisions", "--team", "checkout", "--system", "Billing",
                    "--format", "madr", "--out", str(out))  # fmt: skip

        names = zipfile.ZipFile(out).namelist()
        assert names == ["docs/decisions/0004-billing-rule-1.md"]
        assert lines == [*names, f"Exported 1 decision to {out}"]

    def test_what_the_format_cannot_hold_is_printed(self, team, owner, tmp_path):
        first = accepted_decisions(team, owner, "Shop", 1)[0]
        interaction = make_interaction(system=first.interaction.system, user=owner, name="Two")
        for _ in range(2):  # two successors of one record: log4brains keeps one superseder
            Decision.objects.filter(pk=first.pk).update(status=Status.ACCEPTED)
            first.refresh_from_db()
            successor = record_decision(interaction, user=owner, supersedes=[first])
            decision_change_status(decision=successor, user=owner, status=Status.ACCEPTED,
                                   base_version=successor.version)  # fmt: skip

        lines = run("export_decisions", "--team", "checkout", "--format", "log4brains",
                    "--out", str(tmp_path))  # fmt: skip

        assert "Note: ADR-0001 is superseded by 2 decisions; log4brains keeps one" in "\n".join(
            lines
        )


class TestImport:
    def test_a_dry_run_lists_every_file_and_changes_nothing(self, log, empty_team, tmp_path):
        path = export_zip(tmp_path, "json")

        lines = run("import_decisions", str(path), "--team", "newcomers", "--dry-run")

        assert lines[-1] == "Dry run: 4 records would be imported"
        assert sum("→ ADR-000" in line for line in lines) == 4
        assert any(line.startswith("frameworks/") and "skipped" in line for line in lines)
        assert not Decision.objects.filter(team=empty_team).exists()

    def test_it_imports_every_record_as_the_teams_first_owner(self, log, empty_team, tmp_path):
        path = export_zip(tmp_path, "madr")
        MembershipFactory(team=empty_team, role=Role.OWNER, user__username="zed")

        lines = run("import_decisions", str(path), "--team", "newcomers")

        assert lines[-1] == "Imported 4 records"
        imported = Decision.objects.filter(team=empty_team).order_by("number")
        assert [d.title for d in imported] == [d.title for d in log]
        assert {d.created_by.username for d in imported} == {"nora"}

    def test_it_records_the_import_as_the_member_named(self, log, empty_team, tmp_path):
        MembershipFactory(team=empty_team, role=Role.EDITOR, user__username="ed")

        run("import_decisions", str(export_zip(tmp_path)), "--team", "newcomers", "--as", "ed")

        assert set(
            Decision.objects.filter(team=empty_team).values_list("created_by__username", flat=True)
        ) == {"ed"}

    def test_a_folder_is_read_with_its_subfolders_but_not_hidden_ones(
        self, log, empty_team, tmp_path
    ):
        folder = tmp_path / "repo"
        zipfile.ZipFile(export_zip(tmp_path, "adr-tools")).extractall(folder)
        (folder / ".git").mkdir()
        (folder / ".git" / "0009-stale-copy.md").write_text("# 9. Stale\n\n## Status\n\nAccepted\n")

        lines = run("import_decisions", str(folder), "--team", "newcomers")

        assert lines[-1] == "Imported 4 records"
        assert not any(".git" in line for line in lines)
        assert any(line.startswith("doc/adr/0001-shop-rule-1.md: adr-tools → ") for line in lines)

    def test_one_markdown_file_is_imported(self, log, empty_team, tmp_path):
        archive = zipfile.ZipFile(export_zip(tmp_path, "madr"))
        record = tmp_path / "0002-shop-rule-2.md"
        record.write_bytes(archive.read("docs/decisions/0002-shop-rule-2.md"))

        lines = run("import_decisions", str(record), "--team", "newcomers")

        assert lines == [
            "0002-shop-rule-2.md: MADR → ADR-0002 “Shop rule 2” (accepted)",
            "Imported 1 record",
        ]


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--team", "nope", "--format", "madr"], "No team has the slug 'nope'."),
            (["--team", "checkout", "--format", "docx"],
             "Unknown format 'docx': use --format madr|adr-tools|log4brains|json|pdf."),
            (["--team", "checkout"],
             "No format given: use --format madr|adr-tools|log4brains|json|pdf."),
            (["--format", "madr"], "Name the team with --team SLUG."),
            (["--team", "checkout", "--format", "madr", "--system", "Warehouse"],
             "Team 'checkout' has no system named 'Warehouse'."),
        ],
    )  # fmt: skip
    def test_export_refuses_with_one_line(self, log, tmp_path, args, message):
        assert refused("export_decisions", *args, "--out", str(tmp_path))[0] == message
        assert not list(tmp_path.iterdir())

    def test_export_refuses_a_place_it_cannot_write(self, log, tmp_path):
        out = tmp_path / "missing" / "log.zip"

        message, _ = refused(
            "export_decisions", "--team", "checkout", "--format", "madr", "--out", str(out)
        )

        assert message == f"Cannot write {out}: the folder {out.parent} does not exist."

    def test_export_refuses_a_file_where_its_folder_should_be(self, log, tmp_path):
        (tmp_path / "notes.txt").write_text("a file, not a folder")
        out = tmp_path / "notes.txt" / "log.zip"

        message, _ = refused(
            "export_decisions", "--team", "checkout", "--format", "madr", "--out", str(out)
        )

        assert message == f"Cannot write {out}: {out.parent} is not a folder."

    def test_import_refuses_a_team_that_does_not_exist(self, tmp_path):
        message, _ = refused("import_decisions", str(tmp_path), "--team", "nope")

        assert message == "No team has the slug 'nope'."

    def test_import_refuses_a_path_that_does_not_exist(self, empty_team, tmp_path):
        message, _ = refused("import_decisions", str(tmp_path / "gone"), "--team", "newcomers")

        assert message == f"No file or folder at {tmp_path / 'gone'}."

    def test_import_refuses_a_file_that_is_not_a_zip(self, empty_team, tmp_path):
        path = tmp_path / "log.zip"
        path.write_bytes(b"not a zip at all")

        message, _ = refused("import_decisions", str(path), "--team", "newcomers")

        assert message == f"{path}: This is not a zip archive."

    def test_import_refuses_a_plan_with_problems_after_listing_the_files(
        self, log, empty_team, tmp_path
    ):
        path = with_broken_file(export_zip(tmp_path))

        message, lines = refused("import_decisions", str(path), "--team", "newcomers")

        assert message == "1 file cannot be imported (listed above); nothing was imported."
        assert len(lines) == 5
        assert any(line.startswith("docs/decisions/0099-broken.json: cannot be imported: ")
                   for line in lines)  # fmt: skip
        assert not Decision.objects.filter(team=empty_team).exists()

    def test_import_refuses_numbers_the_team_already_has(self, log, tmp_path):
        message, lines = refused(
            "import_decisions", str(export_zip(tmp_path)), "--team", "checkout"
        )

        assert message == "4 files cannot be imported (listed above); nothing was imported."
        assert "the team already has ADR-0001." in lines[0]
        assert Decision.objects.filter(team__slug="checkout").count() == 4

    def test_import_refuses_someone_who_cannot_record(self, log, empty_team, viewer, tmp_path):
        path = export_zip(tmp_path)
        MembershipFactory(team=empty_team, role=Role.VIEWER, user=viewer)

        as_viewer, _ = refused("import_decisions", str(path), "--team", "newcomers",
                               "--as", "vera")  # fmt: skip
        as_nobody, _ = refused("import_decisions", str(path), "--team", "newcomers",
                               "--as", "nobody")  # fmt: skip

        assert as_viewer == (
            "vera cannot record decisions in team 'newcomers' (editors and owners can)."
        )
        assert as_nobody == "No user is named 'nobody'."
        assert not Decision.objects.filter(team=empty_team).exists()

    def test_import_needs_an_owner_when_nobody_is_named(self, log, empty_team, tmp_path):
        Membership.objects.filter(team=empty_team).update(role=Role.EDITOR)

        message, _ = refused("import_decisions", str(export_zip(tmp_path)), "--team", "newcomers")

        assert message == (
            "Team 'newcomers' has no owner to record the import as; name a member with "
            "--as USERNAME."
        )

    def test_the_real_process_exits_with_2_and_one_line_on_stderr(self, tmp_path):
        manage = Path(settings.BASE_DIR) / "manage.py"

        done = subprocess.run(
            [sys.executable, str(manage), "export_decisions", "--team", "checkout",
             "--format", "docx", "--out", str(tmp_path)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

        assert done.returncode == 2
        assert done.stderr.splitlines() == [
            "CommandError: Unknown format 'docx': use --format madr|adr-tools|log4brains|json|pdf."
        ]
        assert done.stdout == ""
