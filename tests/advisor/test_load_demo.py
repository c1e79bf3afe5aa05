from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from advisor.models import Membership, Team

pytestmark = pytest.mark.django_db


def test_loading_the_demo_twice_duplicates_nothing(capsys):
    call_command("load_demo")
    call_command("load_demo")
    assert get_user_model().objects.filter(username="demo").count() == 1
    assert Team.objects.count() == 2
    assert Membership.objects.count() == 2
    assert "Demo login: demo / crossroads-demo" in capsys.readouterr().out


def test_the_printed_demo_login_works(client):
    call_command("load_demo")
    assert client.login(username="demo", password="crossroads-demo")
