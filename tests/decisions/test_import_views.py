"""The import pages: upload ADR files, see what would be created, confirm the import."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from advisor.models import Role
from decisions.exporting import build_export
from decisions.models import Decision, ImportUpload, Status
from decisions.services import decision_change_status
from decisions.services.uploads import UploadGone, upload_import
from tests.factories import (
    SOMEONE_WAITS,
    MembershipFactory,
    SystemFactory,
    TeamFactory,
    make_interaction,
    record_decision,
)

pytestmark = pytest.mark.django_db

BROKEN_JSON = ("docs/decisions/0099-broken.json", "{not json")


def accepted(decision: Decision) -> Decision:
    decision_change_status(
        decision=decision, user=decision.created_by, status=Status.ACCEPTED,
        base_version=decision.version,
    )  # fmt: skip
    return decision


def exported_log(count: int, *, supersede: bool = False) -> bytes:
    """A MADR zip of `count` accepted decisions recorded by another team; with `supersede`,
    the last one supersedes the first."""
    source = TeamFactory()
    user = MembershipFactory(team=source, role=Role.OWNER).user
    system = SystemFactory(team=source, name="Shop")
    recorded: list[Decision] = []
    for index in range(1, count + 1):
        interaction = make_interaction(
            system=system, user=user, name=f"Call {index}",
            answers={**SOMEONE_WAITS, "operation": "query"},
        )  # fmt: skip
        replaces = [recorded[0]] if supersede and index == count else []
        decision = record_decision(
            interaction, user=user, title=f"Decision number {index}", supersedes=replaces
        )
        recorded.append(accepted(decision))
    return build_export(team=source, format="madr").data


def with_files(data: bytes, *extra: tuple[str, str]) -> bytes:
    """The zip `data` with more files in it."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        for path, text in extra:
            archive.writestr(path, text)
    return buffer.getvalue()


def upload_url(team) -> str:
    return reverse("decision_import", args=[team.slug])


def preview_url(upload: ImportUpload) -> str:
    return reverse("decision_import_preview", args=[upload.team.slug, upload.pk])


def zip_file(data: bytes, name: str = "log.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def kept(team, user, data: bytes, filename: str = "log.zip") -> ImportUpload:
    return ImportUpload.objects.create(team=team, uploaded_by=user, filename=filename, data=data)


def field_error(response, field: str) -> str:
    found = re.search(rf'id="id_{field}_error">([^<]*)<', response.text)
    return found.group(1) if found else ""


class TestUploadPage:
    def test_it_offers_files_and_a_folder_with_the_size_limit(self, client, editor, team):
        client.force_login(editor)

        response = client.get(upload_url(team))

        assert response.status_code == 200
        assert 'enctype="multipart/form-data"' in response.text
        assert re.search(r'<input type="file" name="files"[^>]* multiple', response.text)
        assert re.search(r'<input type="file" name="folder"[^>]* webkitdirectory', response.text)
        assert "Up to 20.0\xa0MB in one upload" in response.text

    def test_an_uploaded_zip_is_kept_and_leads_to_its_preview(self, client, editor, team):
        data = exported_log(2)
        client.force_login(editor)

        response = client.post(upload_url(team), {"files": zip_file(data)})

        upload = ImportUpload.objects.get()
        assert response.status_code == 302
        assert response["Location"] == preview_url(upload)
        assert (upload.team, upload.uploaded_by, upload.filename) == (team, editor, "log.zip")
        assert bytes(upload.data) == data
        assert not Decision.objects.filter(team=team).exists()

    def test_several_files_are_kept_as_one_zip_of_them(self, client, editor, team):
        files = zipfile.ZipFile(io.BytesIO(exported_log(2)))
        chosen = [SimpleUploadedFile(name.rsplit("/", 1)[-1], files.read(name))
                  for name in files.namelist()]  # fmt: skip
        client.force_login(editor)

        client.post(upload_url(team), {"files": chosen})

        upload = ImportUpload.objects.get()
        kept_names = zipfile.ZipFile(io.BytesIO(bytes(upload.data))).namelist()
        assert sorted(kept_names) == sorted(item.name for item in chosen)
        assert upload.filename == "files.zip"

    def test_a_folder_keeps_the_paths_its_script_sends(self, client, editor, team):
        files = zipfile.ZipFile(io.BytesIO(exported_log(2)))
        names = files.namelist()
        chosen = [SimpleUploadedFile(name.rsplit("/", 1)[-1], files.read(name)) for name in names]
        paths = [f"adr/{name}" for name in names]
        client.force_login(editor)

        client.post(upload_url(team), {"folder": chosen, "folder_paths": json.dumps(paths)})

        upload = ImportUpload.objects.get()
        assert sorted(zipfile.ZipFile(io.BytesIO(bytes(upload.data))).namelist()) == sorted(paths)
        assert upload.filename == "adr.zip"

    def test_a_file_that_is_not_a_zip_is_refused_next_to_the_field(self, client, editor, team):
        client.force_login(editor)

        response = client.post(upload_url(team), {"files": zip_file(b"hello, world")})

        assert response.status_code == 422
        assert field_error(response, "files") == "This is not a zip archive."
        assert not ImportUpload.objects.exists()

    def test_a_file_that_is_no_record_is_refused_next_to_the_field(self, client, editor, team):
        client.force_login(editor)

        response = client.post(upload_url(team), {"files": SimpleUploadedFile("a.png", b"\x89")})

        assert response.status_code == 422
        assert "Upload a zip of ADR files" in field_error(response, "files")

    def test_an_upload_over_the_limit_is_refused_next_to_the_field(
        self, client, editor, team, settings
    ):
        settings.IMPORT_MAX_UPLOAD_BYTES = 1000
        client.force_login(editor)

        response = client.post(upload_url(team), {"files": zip_file(b"x" * 1001)})

        assert response.status_code == 422
        assert field_error(response, "files").startswith(
            "This upload is 1001\xa0bytes; at most 1000\xa0bytes can be uploaded at once."
        )
        assert not ImportUpload.objects.exists()

    def test_an_oversized_folder_is_refused_next_to_the_folder_field(
        self, client, editor, team, settings
    ):
        settings.IMPORT_MAX_UPLOAD_BYTES = 10
        client.force_login(editor)

        response = client.post(
            upload_url(team), {"folder": [SimpleUploadedFile("0001-a.md", b"# 1. A\n" * 5)]}
        )

        assert response.status_code == 422
        assert "at most 10\xa0bytes" in field_error(response, "folder")

    def test_a_zip_among_other_files_is_refused(self, client, editor, team):
        client.force_login(editor)
        chosen = [zip_file(exported_log(1)), SimpleUploadedFile("0002-b.md", b"# 2. B\n")]

        response = client.post(upload_url(team), {"files": chosen})

        assert response.status_code == 422
        assert "Upload a zip on its own" in field_error(response, "files")

    def test_sending_nothing_asks_for_a_file(self, client, editor, team):
        client.force_login(editor)

        response = client.post(upload_url(team), {})

        assert response.status_code == 422
        assert field_error(response, "files").startswith("Choose a zip")

    def test_a_new_upload_deletes_the_expired_ones(self, client, editor, team):
        old = kept(team, editor, exported_log(1))
        ImportUpload.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(hours=25)
        )
        client.force_login(editor)

        client.post(upload_url(team), {"files": zip_file(exported_log(1))})

        assert not ImportUpload.objects.filter(pk=old.pk).exists()
        assert ImportUpload.objects.count() == 1


class TestPreviewPage:
    def test_it_lists_what_will_be_created_and_offers_the_import(self, client, editor, team):
        upload = kept(team, editor, exported_log(3, supersede=True))
        client.force_login(editor)

        response = client.get(preview_url(upload))

        assert response.status_code == 200
        text = response.text
        for number in (1, 2, 3):
            assert f"ADR-000{number}</span> Decision number {number}" in text
        assert "docs/decisions/0001-decision-number-1.md" in text
        assert "MADR" in text
        assert ">Superseded</span>" in text and ">Accepted</span>" in text
        assert "Supersedes ADR-0001" in text
        assert "Superseded by ADR-0003" in text
        assert "no frozen assessment" in text
        assert 'type="submit">Import 3 records</button>' in text

    def test_records_from_our_json_are_shown_with_their_assessment(self, client, editor, team):
        source = TeamFactory()
        user = MembershipFactory(team=source, role=Role.OWNER).user
        interaction = make_interaction(system=SystemFactory(team=source), user=user)
        accepted(record_decision(interaction, user=user, title="Kept whole"))
        upload = kept(team, editor, build_export(team=source, format="json").data)
        client.force_login(editor)

        response = client.get(preview_url(upload))

        assert "ADR-0001</span> Kept whole" in response.text
        assert "with its assessment" in response.text
        assert "Crossroads JSON" in response.text
        assert "no frozen assessment" not in response.text
        assert "framework version of the records" in response.text
        assert "Import 1 record</button>" in response.text

    def test_a_bad_file_is_shown_with_its_problem_and_nothing_can_be_imported(
        self, client, editor, team
    ):
        upload = kept(team, editor, with_files(exported_log(2), BROKEN_JSON))
        client.force_login(editor)

        response = client.get(preview_url(upload))

        assert response.status_code == 200
        assert "What cannot be imported" in response.text
        assert "0099-broken.json" in response.text
        assert "It is not valid JSON" in response.text
        assert "Nothing can be imported yet" in response.text
        assert "Import 2 records" not in response.text
        assert f'action="{preview_url(upload)}"' not in response.text

    def test_files_that_are_no_records_are_listed_as_skipped(self, client, editor, team):
        upload = kept(team, editor, with_files(exported_log(1), ("docs/diagram.png", "png")))
        client.force_login(editor)

        response = client.get(preview_url(upload))

        assert "Skipped" in response.text
        assert "docs/diagram.png</span>: not a Markdown or JSON file" in response.text
        assert "Import 1 record</button>" in response.text

    def test_confirming_imports_every_record_and_deletes_the_upload(self, client, editor, team):
        upload = kept(team, editor, exported_log(3))
        client.force_login(editor)

        response = client.post(preview_url(upload), follow=True)

        assert response.redirect_chain == [(reverse("decision_log", args=[team.slug]), 302)]
        numbers = sorted(Decision.objects.filter(team=team).values_list("number", flat=True))
        assert numbers == [1, 2, 3]
        assert "Imported 3 records: ADR-0001 to ADR-0003." in response.text
        assert not ImportUpload.objects.exists()

    def test_a_number_taken_meanwhile_brings_the_preview_back_with_the_problem(
        self, client, editor, team
    ):
        upload = kept(team, editor, exported_log(2))
        interaction = make_interaction(system=SystemFactory(team=team), user=editor)
        record_decision(interaction, user=editor)  # takes ADR-0001 after the preview
        client.force_login(editor)

        response = client.post(preview_url(upload))

        assert response.status_code == 409
        assert "Nothing was imported." in response.text
        assert "the team already has ADR-0001." in response.text
        assert Decision.objects.filter(team=team).count() == 1
        assert ImportUpload.objects.filter(pk=upload.pk).exists()

    def test_the_same_upload_cannot_be_imported_twice(self, editor, team):
        upload = kept(team, editor, exported_log(1))
        upload_import(upload=upload, user=editor)

        with pytest.raises(UploadGone):
            upload_import(upload=upload, user=editor)
        assert Decision.objects.filter(team=team).count() == 1

    def test_an_expired_upload_is_gone_with_a_friendly_page(self, client, editor, team):
        upload = kept(team, editor, exported_log(1))
        ImportUpload.objects.filter(pk=upload.pk).update(
            created_at=timezone.now() - timedelta(hours=25)
        )
        client.force_login(editor)

        response = client.get(preview_url(upload))
        posted = client.post(preview_url(upload))

        assert response.status_code == 404
        assert "This upload is no longer here" in response.text
        assert "Upload the files again" in response.text
        assert posted.status_code == 404
        assert not Decision.objects.filter(team=team).exists()

    def test_another_teams_upload_is_not_found(self, client, owner, team, other_team, outsider):
        theirs = kept(other_team, outsider, exported_log(1))
        client.force_login(owner)

        response = client.get(reverse("decision_import_preview", args=[team.slug, theirs.pk]))
        posted = client.post(reverse("decision_import_preview", args=[team.slug, theirs.pk]))

        assert response.status_code == 404
        assert posted.status_code == 404
        assert not Decision.objects.filter(team__in=[team, other_team]).exists()
        assert ImportUpload.objects.filter(pk=theirs.pk).exists()

    def test_the_query_count_does_not_grow_with_the_records(
        self, client, editor, team, django_assert_num_queries
    ):
        small = kept(team, editor, exported_log(3, supersede=True))
        large = kept(team, editor, exported_log(6, supersede=True))
        client.force_login(editor)
        client.get(preview_url(small))  # the session and the framework are warm

        with django_assert_num_queries(8):
            assert "Import 3 records" in client.get(preview_url(small)).text
        with django_assert_num_queries(8):
            assert "Import 6 records" in client.get(preview_url(large)).text


class TestAccess:
    def test_a_viewer_may_not_import(self, client, viewer, editor, team):
        upload = kept(team, editor, exported_log(1))
        client.force_login(viewer)

        assert client.get(upload_url(team)).status_code == 403
        assert client.post(upload_url(team), {"files": zip_file(b"x")}).status_code == 403
        assert client.get(preview_url(upload)).status_code == 403
        assert client.post(preview_url(upload)).status_code == 403
        assert not Decision.objects.filter(team=team).exists()

    def test_anonymous_people_are_sent_to_log_in(self, client, editor, team):
        upload = kept(team, editor, exported_log(1))

        for url in (upload_url(team), preview_url(upload)):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))

    def test_another_teams_pages_are_not_found(self, client, outsider, editor, team):
        upload = kept(team, editor, exported_log(1))
        client.force_login(outsider)

        assert client.get(upload_url(team)).status_code == 404
        assert client.get(preview_url(upload)).status_code == 404
        assert client.post(preview_url(upload)).status_code == 404
        assert ImportUpload.objects.filter(pk=upload.pk).exists()

    @pytest.mark.parametrize("method", ["put", "delete", "patch"])
    def test_other_methods_are_refused_with_405(self, client, editor, team, method):
        upload = kept(team, editor, exported_log(1))
        client.force_login(editor)

        assert getattr(client, method)(upload_url(team)).status_code == 405
        assert getattr(client, method)(preview_url(upload)).status_code == 405

    def test_the_log_links_to_the_import_for_editors_only(self, client, editor, viewer, team):
        client.force_login(editor)
        assert upload_url(team) in client.get(reverse("decision_log", args=[team.slug])).text

        client.force_login(viewer)
        assert upload_url(team) not in client.get(reverse("decision_log", args=[team.slug])).text
