from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from advisor.models import Assessment, Interaction, Membership, Team

pytestmark = pytest.mark.django_db


def test_loading_the_demo_twice_duplicates_nothing(capsys):
    call_command("load_demo")
    call_command("load_demo")
    assert get_user_model().objects.filter(username="demo").count() == 1
    assert Team.objects.count() == 2
    assert Membership.objects.count() == 3  # demo in both teams, the guild's own owner
    assert Interaction.objects.count() == 3
    assert Assessment.objects.count() == 3
    assert "Demo login: demo / crossroads-demo" in capsys.readouterr().out


def test_the_printed_demo_login_works(client):
    call_command("load_demo")
    assert client.login(username="demo", password="crossroads-demo")


def test_the_demo_interactions_start_with_their_scenarios_answers():
    call_command("load_demo")
    fraud = Assessment.objects.get(interaction__name="Score fraud risk")
    assert fraud.answers["temporal_decoupling"] == "required"
    assert fraud.result["recommendation"] == "request_reply"


def test_every_demo_team_has_an_owner():
    call_command("load_demo")
    for team in Team.objects.all():
        assert team.memberships.filter(role="owner").exists(), team
