"""The framework a team's questionnaires use: shown on its page, and only one that exists."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from advisor.frameworks import framework_get

pytestmark = pytest.mark.django_db


def test_the_team_page_names_the_framework_by_its_title_and_version(client, viewer, team):
    framework = framework_get(team.framework_name, team.framework_version)
    client.force_login(viewer)
    response = client.get(reverse("team_detail", args=[team.slug]))
    assert f"Framework: {framework.title} v{framework.version}" in response.text


def test_an_older_version_the_team_is_set_to_is_the_one_shown(client, viewer, team):
    team.framework_version = 2
    team.save(update_fields=["framework_version"])
    client.force_login(viewer)
    response = client.get(reverse("team_detail", args=[team.slug]))
    assert f"Framework: {framework_get('default', 2).title} v2" in response.text


@pytest.mark.parametrize(("name", "version"), [("nope", 3), ("default", 99), ("../default", 3)])
def test_a_team_cannot_be_set_to_a_framework_that_does_not_exist(team, name, version):
    team.framework_name, team.framework_version = name, version
    with pytest.raises(ValidationError) as raised:
        team.full_clean()
    assert "framework_version" in raised.value.message_dict
    assert "no framework" in " ".join(raised.value.message_dict["framework_version"])


def test_the_shipped_framework_is_a_valid_setting(team):
    team.full_clean()
