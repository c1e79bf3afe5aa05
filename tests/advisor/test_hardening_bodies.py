"""Request bodies: a cap for every request, refused with 413 before the body is read; files
only where a view takes them (the import), up to that view's own limit."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advisor.models import Team
from decisions.models import ImportUpload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read


@pytest.fixture
def member(client, owner):
    client.force_login(owner)
    return client


def test_a_five_megabyte_file_is_refused_by_an_ordinary_form(member):
    before = Team.objects.count()
    upload = SimpleUploadedFile("big.bin", b"x" * (5 * MB))

    response = member.post(reverse("team_create"), {"name": "Payments", "file": upload})

    assert response.status_code == 413
    assert "This request weighs 5.0\xa0MB; this page takes at most 1.0\xa0MB." in response.text
    assert "Nothing was saved." in response.text
    assert Team.objects.count() == before


def test_an_oversized_body_is_refused_from_its_length_without_being_read(member):
    response = member.generic(
        "POST", reverse("team_create"), b"",
        content_type="application/x-www-form-urlencoded",
        **{"CONTENT_LENGTH": str(5 * MB), "wsgi.input": Unreadable()},
    )  # fmt: skip
    assert response.status_code == 413


def test_an_oversized_sign_in_is_refused_too(client):
    response = client.post(reverse("login"), {"username": "x" * (2 * MB), "password": "y"})
    assert response.status_code == 413


def test_a_small_file_is_refused_where_no_file_is_taken(member):
    before = Team.objects.count()
    upload = SimpleUploadedFile("note.txt", b"hello")

    response = member.post(reverse("team_create"), {"name": "Payments", "file": upload})

    assert response.status_code == 413
    assert "This page takes no files." in response.text
    assert Team.objects.count() == before


def test_an_empty_file_input_is_no_file(member):
    response = member.post(
        reverse("team_create"), {"name": "Payments", "slug": "payments"}, format="multipart"
    )
    assert response.status_code in {200, 302, 422}


def test_too_many_fields_are_refused(member, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{number}": "x" for number in range(20)}

    response = member.post(reverse("team_create"), fields)

    assert response.status_code == 413
    assert "The form sent more than 10 fields." in response.text


class TestImport:
    @pytest.fixture
    def limits(self, settings):
        settings.IMPORT_MAX_UPLOAD_BYTES = 40_000
        settings.REQUEST_MAX_BODY_BYTES = 8_000

    def url(self, team):
        return reverse("decision_import", args=[team.slug])

    def test_the_import_takes_files_over_the_ordinary_cap(self, member, team, limits):
        upload = SimpleUploadedFile("records.zip", b"x" * 30_000)

        response = member.post(self.url(team), {"files": upload})

        assert response.status_code == 422  # its form read the file, and says what is wrong
        assert "not a zip archive" in response.text

    def test_a_little_over_its_limit_still_reaches_its_form(self, member, team, limits):
        upload = SimpleUploadedFile("records.zip", b"x" * 40_001)

        response = member.post(self.url(team), {"files": upload})

        assert response.status_code == 422
        assert "can be uploaded at once" in response.text
        assert not ImportUpload.objects.exists()

    def test_far_over_its_limit_is_refused_before_reading(self, member, team, limits):
        response = member.generic(
            "POST", self.url(team), b"", content_type="multipart/form-data; boundary=x",
            **{"CONTENT_LENGTH": str(5 * MB), "wsgi.input": Unreadable()},
        )  # fmt: skip
        assert response.status_code == 413
        assert not ImportUpload.objects.exists()
