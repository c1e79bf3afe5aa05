from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_login_page_is_styled_with_the_apps_own_bootstrap(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "/static/bootstrap/css/bootstrap.min.css" in response.text
    assert "htmx" in response.text


def test_a_user_logs_in_and_lands_on_home(client):
    UserFactory(username="lou")
    response = client.post(reverse("login"), {"username": "lou", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_wrong_password_is_explained(client):
    UserFactory(username="lou")
    response = client.post(reverse("login"), {"username": "lou", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


def test_logout_needs_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_a_user_changes_their_password(client):
    user = UserFactory(username="lou")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-secret-9",
            "new_password2": "a-much-longer-secret-9",
        },
    )
    assert response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("a-much-longer-secret-9")


def test_the_page_carries_csrf_for_htmx(client):
    client.force_login(UserFactory())
    response = client.get(reverse("team_create"))
    assert 'hx-headers=\'{"X-CSRFToken": "' in response.text
