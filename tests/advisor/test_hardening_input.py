"""A NUL character or bytes that are not UTF-8, in the path, the query string or a form
field, answer 400 with a page that says so, before any view (or database) sees them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from advisor.models import Team
from tests.factories import MembershipFactory, SystemFactory

pytestmark = pytest.mark.django_db

MESSAGE = "holds a NUL character or bytes that are not UTF-8 text"


@pytest.fixture
def member(client, owner, team):
    client.force_login(owner)
    return client


def assert_refused(response, where: str) -> None:
    assert response.status_code == 400
    assert MESSAGE in response.text
    assert f"Crossroads could not read this request: {where}" in response.text


class TestLogFilters:
    @pytest.mark.parametrize("field", ["q", "system", "pattern", "status"])
    def test_a_nul_in_a_filter_is_refused(self, member, team, field):
        SystemFactory(team=team, name="Payments")

        response = member.get(reverse("decision_log", args=[team.slug]), {field: "pay\x00ments"})

        assert_refused(response, "its address (the part after “?”)")

    def test_bytes_that_are_not_utf8_are_refused(self, member, team):
        response = member.get(reverse("decision_log", args=[team.slug]) + "?q=caf%E9")
        assert_refused(response, "its address (the part after “?”)")

    def test_raw_bytes_that_are_not_utf8_are_refused(self, team):
        client = Client()
        response = client.generic(
            "GET", reverse("decision_log", args=[team.slug]), QUERY_STRING="q=caf\xe9"
        )
        assert_refused(response, "its address (the part after “?”)")

    def test_ordinary_text_still_filters(self, member, team):
        response = member.get(reverse("decision_log", args=[team.slug]), {"q": "café ☕"})
        assert response.status_code == 200


class TestTeamSwitch:
    def test_a_nul_in_the_team_is_refused(self, member, other_team, owner):
        MembershipFactory(team=other_team, user=owner)

        response = member.post(reverse("team_switch"), {"team": "elsewhere\x00"})

        assert_refused(response, "the form it sent")

    def test_undecodable_bytes_in_the_team_are_refused(self, member):
        response = member.post(
            reverse("team_switch"), "team=elsewhere%FF",
            content_type="application/x-www-form-urlencoded",
        )  # fmt: skip
        assert_refused(response, "the form it sent")

    def test_a_nul_in_a_multipart_field_is_refused(self, member):
        response = member.post(reverse("team_switch"), {"team": "a\x00"}, format="multipart")
        assert_refused(response, "the form it sent")

    def test_the_switch_still_works(self, member, other_team, owner):
        MembershipFactory(team=other_team, user=owner)
        response = member.post(reverse("team_switch"), {"team": "elsewhere"})
        assert response.status_code == 302


class TestForms:
    def test_a_nul_in_a_team_name_is_refused_and_nothing_is_created(self, member):
        before = Team.objects.count()

        response = member.post(reverse("team_create"), {"name": "Pay\x00ments", "slug": "pay"})

        assert_refused(response, "the form it sent")
        assert Team.objects.count() == before

    def test_a_nul_in_a_field_name_is_refused(self, member):
        response = member.post(reverse("team_create"), {"na\x00me": "Payments"})
        assert_refused(response, "the form it sent")


class TestPath:
    def test_a_nul_in_the_path_is_refused(self, member):
        assert_refused(member.get("/t/checkout%00/"), "its address")

    def test_bytes_that_are_not_utf8_in_the_path_are_refused(self, member):
        assert_refused(member.get("/t/caf%E9/"), "its address")

    def test_anonymous_requests_are_refused_before_the_login_redirect(self, client):
        assert_refused(client.get("/t/x%00/members/"), "its address")


def test_the_refusal_page_reads_no_session_and_is_not_cached(member, team):
    response = member.get(reverse("decision_log", args=[team.slug]), {"q": "\x00"})

    assert "Request not readable" in response.text
    assert "no-store" in response["Cache-Control"]
    assert "Signed in as" not in response.text  # rendered without the request


class TestCharset:
    """Django decodes the query string and the form with the charset a request declares: in
    UTF-7, `+AAA-` is a NUL no check of the bytes would find."""

    @pytest.mark.parametrize(
        ("method", "charset", "query"),
        [
            ("get", "utf-7", "%2BAAA-"),
            ("post", "utf-7", "%2BAAA-"),
            ("get", "us-ascii", "caf%C3%A9"),
        ],
    )
    def test_a_request_declaring_another_charset_is_refused(
        self, member, team, method, charset, query
    ):
        url = reverse("decision_log", args=[team.slug]) + "?q=" + query
        send = getattr(member, method)
        response = send(url, CONTENT_TYPE=f"text/plain; charset={charset}")
        assert response.status_code == 400
        assert "reads requests in UTF-8 only" in response.text

    @pytest.mark.parametrize("charset", ["utf-8", "UTF8"])
    def test_utf8_declared_is_read(self, member, team, charset):
        url = reverse("decision_log", args=[team.slug]) + "?q=caf%C3%A9"
        response = member.get(url, CONTENT_TYPE=f"text/plain; charset={charset}")
        assert response.status_code == 200
