"""Three holes the security sweep found: a framework an import brings with a name or version
no stored framework version can hold, export file names longer than an export job keeps,
and a status note over its cap answered with a redirect instead of the form."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from advisor.models import FrameworkVersion, Role, System, Team
from decisions import services
from decisions.archive import read_upload
from decisions.exporting import FORMATS, ExportFile, build_export, export_filename
from decisions.models import EXPORT_JOB_TEXTS, Decision, ExportJob, Status
from decisions.services.exports import export_job_create
from decisions.services.importing import import_plan
from decisions.tasks import run_export_job
from tests.factories import (
    MembershipFactory,
    SystemFactory,
    TeamFactory,
    make_interaction,
    record_decision,
)
from tests.security.html import forms_posting_to

pytestmark = pytest.mark.django_db

DIGEST = "f" * 64


# --- a framework an import brings -------------------------------------------------------


def _export_with_framework(team, owner, **changes) -> bytes:
    """The team's log as Crossroads JSON whose record was scored with a framework version
    this installation lacks, brought in the archive with `changes` to its document."""
    record_decision(make_interaction(system=SystemFactory(team=team)), user=owner)
    source = zipfile.ZipFile(io.BytesIO(build_export(team=team, format="json").data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path in source.namelist():
            content = json.loads(source.read(path))
            if path.startswith("frameworks/"):
                content["digest"] = DIGEST
                content["document"].update(changes)
                # Named after neither digest: the file is found by what it says it holds.
                path = "frameworks/brought.json"
            else:
                content["framework"]["digest"] = DIGEST
            archive.writestr(path, json.dumps(content))
    return out.getvalue()


def _framework_file_problem(team, data: bytes) -> str:
    plan = import_plan(team, read_upload("log.zip", data))
    assert not plan.importable
    (report,) = [report for report in plan.problems if report.path.startswith("frameworks/")]
    return report.problem


def test_a_framework_name_over_60_characters_is_a_problem_of_its_file(team, owner, other_team):
    data = _export_with_framework(team, owner, name="N" * 100)
    assert _framework_file_problem(other_team, data) == (
        "its framework's name is longer than 60 characters (it has 100)."
    )


@pytest.mark.parametrize("version", [0, -2, 2**31, 10**20, 2.5, "3", True, None])
def test_a_framework_version_that_is_not_a_sane_whole_number_is_a_problem_of_its_file(
    team, owner, other_team, version
):
    data = _export_with_framework(team, owner, version=version)
    assert _framework_file_problem(other_team, data) == (
        "its framework's version is not a whole number between 1 and 2147483647."
    )


def test_a_framework_name_of_60_characters_is_imported_with_its_records(
    client, team, owner, other_team
):
    importer = MembershipFactory(team=other_team, role=Role.OWNER).user
    data = _export_with_framework(team, owner, name="N" * 60, version=2_147_483_647)
    client.force_login(importer)
    upload = io.BytesIO(data)
    upload.name = "log.zip"
    preview = client.post(reverse("decision_import", args=[other_team.slug]), {"files": upload})
    assert client.post(preview["Location"]).status_code == 302
    imported = Decision.objects.get(team=other_team)
    assert imported.framework_frozen.name == "N" * 60
    assert imported.framework_frozen.version == 2_147_483_647


def test_the_import_page_refuses_an_overlong_framework_name_without_storing_it(
    client, team, owner, other_team
):
    importer = MembershipFactory(team=other_team, role=Role.OWNER).user
    data = _export_with_framework(team, owner, name="N" * 100)
    client.force_login(importer)
    upload = io.BytesIO(data)
    upload.name = "log.zip"
    preview = client.post(reverse("decision_import", args=[other_team.slug]), {"files": upload})
    page = client.get(preview["Location"])
    assert "Its framework&#x27;s name is longer than 60 characters (it has 100)." in page.text
    confirmed = client.post(preview["Location"])
    assert confirmed.status_code == 409
    assert not Decision.objects.filter(team=other_team).exists()
    assert not FrameworkVersion.objects.filter(name="N" * 100).exists()


# --- an export's file name --------------------------------------------------------------


def _longest_team() -> Team:
    team = Team(name="A" * 120, slug="-".join(["checkout"] * 6) + "-team-2")
    assert len(team.slug) == Team._meta.get_field("slug").max_length
    return team


@pytest.mark.parametrize("export_format", FORMATS)
def test_an_exports_file_name_fits_its_column_cut_after_a_whole_word(export_format):
    team = _longest_team()
    system = " ".join(["Storefront"] * 11)[:120]  # 120 characters, the last word cut short
    extension = "pdf" if export_format == "pdf" else "zip"
    name = export_filename(team, system, export_format, extension)
    day = f"{timezone.localdate():%Y%m%d}"
    assert len(name) <= ExportJob._meta.get_field("filename").max_length
    scope = name.removesuffix(f"-decisions-{export_format}-{day}.{extension}")
    assert scope.startswith(f"{team.slug}-storefront-")
    assert set(scope.removeprefix(f"{team.slug}-").split("-")) == {"storefront"}


def test_a_system_name_that_slugifies_longer_than_it_is_still_fits():
    # NFKD spells "㎒" as three letters: 120 of them make a slug of 360.
    name = export_filename(_longest_team(), "㎒" * 120, "log4brains", "zip")
    assert len(name) <= ExportJob._meta.get_field("filename").max_length
    assert "-mhzmhz" in name


def test_a_short_name_is_kept_whole():
    team = Team(name="Checkout", slug="checkout")
    day = f"{timezone.localdate():%Y%m%d}"
    assert export_filename(team, "Store Front", "madr", "zip") == (
        f"checkout-store-front-decisions-madr-{day}.zip"
    )
    assert export_filename(team, "", "pdf", "pdf") == f"checkout-decisions-pdf-{day}.pdf"


def test_the_whole_log_export_of_a_system_with_the_longest_names_finishes():
    team = TeamFactory(name="A" * 120, slug="a" * 50 + "-12")
    owner = MembershipFactory(team=team, role=Role.OWNER).user
    system = System.objects.create(team=team, name="S" * 120)
    record_decision(make_interaction(system=system), user=owner)
    job = export_job_create(team=team, user=owner, format="log4brains", system_name=system.name)
    run_export_job.call(job_id=job.pk, attempt=job.attempts)
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE, job.error
    assert job.filename.startswith(f"{team.slug}-sss")


@pytest.mark.parametrize(("field", "cap"), sorted(EXPORT_JOB_TEXTS.items()))
def test_the_database_keeps_an_export_jobs_texts_to_their_caps(team, owner, field, cap):
    job = ExportJob.objects.create(team=team, requested_by=owner, format="json")
    jobs = ExportJob.objects.filter(pk=job.pk)
    jobs.update(**{field: "é" * cap})
    # PostgreSQL's varchar refuses before the check does.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        jobs.update(**{field: "x" * (cap + 1)})


def test_the_notes_of_an_export_are_kept_whole_within_the_summarys_cap():
    notes = tuple(f"ADR-{n:04d} is superseded by 2 decisions; log4brains keeps one." for n in
                  range(1, 1001))  # fmt: skip
    summary = ExportFile("log.zip", "application/zip", b"", notes).summary
    assert len(summary) <= EXPORT_JOB_TEXTS["summary"]
    kept = summary.count("log4brains keeps one.")
    assert summary.startswith(notes[0])
    assert summary.endswith(f"keeps one. And {1000 - kept:,} more of the same kind.")


def test_notes_within_the_cap_are_the_summary_as_they_are():
    notes = ("One.", "Two.")
    assert ExportFile("log.zip", "application/zip", b"", notes).summary == "One. Two."


# --- a status note over its cap ---------------------------------------------------------


@pytest.fixture
def proposed(team, owner):
    return record_decision(make_interaction(system=SystemFactory(team=team)), user=owner)


def _status(client, decision, **data):
    url = reverse("decision_status", args=[decision.pk])
    return url, client.post(url, {"status": "accepted", "version": decision.version, **data})


def test_a_note_over_its_cap_comes_back_next_to_the_field_with_the_text_kept(
    client, owner, proposed
):
    client.force_login(owner)
    typed = "Agreed at the review of <b>May</b>. " + "x" * 2000
    url, response = _status(client, proposed, note=typed)
    assert response.status_code == 422
    (form,) = forms_posting_to(response.text, url, url)
    note = form.control("note")
    assert note.invalid
    assert note.attrs["value"] == typed
    assert note.attrs["aria-describedby"] == "status-note-error"
    assert f"Keep this within 2,000 characters (it has {len(typed):,})." in form.text
    # The record's page, as it was: the status is unchanged and no revision was written.
    assert proposed.title in response.text
    proposed.refresh_from_db()
    assert (proposed.status, proposed.version) == (Status.PROPOSED, 1)


def test_a_note_at_its_cap_changes_the_status(client, owner, proposed):
    client.force_login(owner)
    _, response = _status(client, proposed, note="é" * 2000)
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == Status.ACCEPTED
    assert proposed.revisions.order_by("version").last().note == "é" * 2000


def test_a_status_that_is_none_of_the_choices_is_pointed_out_in_the_form(client, owner, proposed):
    client.force_login(owner)
    url, response = _status(client, proposed, status="approved", note="Kept")
    assert response.status_code == 422
    (form,) = forms_posting_to(response.text, url, url)
    assert "Choose the status to move ADR-0001 to with one of the buttons." in form.text
    assert form.control("note").attrs["value"] == "Kept"
    assert not form.control("note").invalid


def test_the_refused_form_reads_the_page_in_a_fixed_number_of_queries(
    client, owner, proposed, django_assert_num_queries
):
    client.force_login(owner)
    _status(client, proposed, note="x" * 2001)
    # As many as the page read on its own (tests/decisions/test_views.py).
    with django_assert_num_queries(10):
        _status(client, proposed, note="x" * 2001)


def test_a_refused_form_for_a_record_whose_status_can_no_longer_change_says_so(
    client, owner, proposed
):
    for status in ("accepted", "deprecated"):
        proposed = services.decision_change_status(
            decision=proposed, user=owner, status=status, base_version=proposed.version
        )
    client.force_login(owner)
    _, response = _status(client, proposed, note="x" * 2001)
    assert response.status_code == 422
    assert "ADR-0001 is deprecated: its status can no longer change." in response.text
