"""The pages a person sees for a missing page and for a failure of ours: the app's own,
with a way back, not the framework's bare text."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
@pytest.mark.parametrize("path", ["/decisions/999999/", "/t/no-such-team/", "/nothing-here/"])
def test_a_missing_page_says_so_in_the_apps_page(client, viewer, path):
    client.force_login(viewer)
    response = client.get(path)
    assert response.status_code == 404
    assert "belongs to a team you are not a member of" in response.text
    assert reverse("home") in response.text
    assert "Crossroads" in response.text


def test_a_failure_of_ours_answers_the_apps_500_page(viewer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("advisor.views.teams.team_page_context", broken)
    client = Client(raise_request_exception=False)
    client.force_login(viewer)
    response = client.get(reverse("team_detail", args=[viewer.memberships.get().team.slug]))
    assert response.status_code == 500
    assert "the error has been logged" in response.text
    assert reverse("home") in response.text
