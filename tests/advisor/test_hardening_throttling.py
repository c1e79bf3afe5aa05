"""Sign-in throttling: per account and per client address, on the app's and the admin's
login pages, with a 429 page that says how long to wait, and a log record of each refusal."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse

from advisor.middleware.throttling import client_address
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins for this account or from this address. Try again in 15 minutes."


@pytest.fixture(autouse=True)
def _throttled(settings):
    # The suite's settings leave django-axes off for the test client's login(); these
    # tests are about it, with the production defaults.
    settings.AXES_ENABLED = True
    assert settings.AXES_FAILURE_LIMIT == 5


def sign_in(client, username: str, password: str, address: str, url: str = ""):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


class TestPerAccount:
    def test_the_right_password_is_refused_after_five_failures_from_other_addresses(self, client):
        UserFactory(username="lou")
        for attempt in range(4):
            response = sign_in(client, "lou", "wrong", f"10.0.0.{attempt + 1}")
            assert response.status_code == 200
            assert "Please enter a correct username and password" in response.text

        fifth = sign_in(client, "lou", "wrong", "10.0.0.5")
        after = sign_in(client, "lou", PASSWORD, "10.0.0.6")

        assert fifth.status_code == 429
        assert after.status_code == 429
        assert LOCKED in after.text
        assert not signed_in(client)

    def test_fifty_wrong_passwords_then_the_right_one_is_still_refused(self, client):
        UserFactory(username="lou")
        for attempt in range(50):
            sign_in(client, "lou", f"guess-{attempt}", "10.0.1.1")

        response = sign_in(client, "lou", PASSWORD, "10.0.1.1")

        assert response.status_code == 429
        assert not signed_in(client)

    def test_another_account_signs_in_from_elsewhere_meanwhile(self, client):
        UserFactory(username="lou")
        UserFactory(username="max")
        for attempt in range(5):
            sign_in(client, "lou", "wrong", f"10.0.2.{attempt + 1}")

        response = sign_in(client, "max", PASSWORD, "10.0.2.99")

        assert response.status_code == 302
        assert signed_in(client)


class TestPerAddress:
    def test_an_address_trying_many_accounts_is_refused_even_the_right_password(self, client):
        UserFactory(username="lou")
        for attempt in range(5):
            sign_in(client, f"someone-{attempt}", "wrong", "192.0.2.7")

        response = sign_in(client, "lou", PASSWORD, "192.0.2.7")

        assert response.status_code == 429
        assert LOCKED in response.text
        assert not signed_in(client)

    def test_the_same_account_signs_in_from_another_address(self, client):
        UserFactory(username="lou")
        for attempt in range(5):
            sign_in(client, f"someone-{attempt}", "wrong", "192.0.2.7")

        response = sign_in(client, "lou", PASSWORD, "192.0.2.8")

        assert response.status_code == 302


def test_the_lockout_page_says_how_long_and_asks_clients_to_wait(client, settings):
    settings.AXES_COOLOFF_TIME = settings.AXES_COOLOFF_TIME * 2
    UserFactory(username="lou")
    for _ in range(5):
        response = sign_in(client, "lou", "wrong", "10.0.3.1")

    assert response.status_code == 429
    assert "Try again in 30 minutes." in response.text
    assert response["Retry-After"] == "1800"
    assert "Sign-in paused" in response.text
    assert "no-store" in response["Cache-Control"]


def test_each_refusal_is_logged_with_the_account_and_address(client, caplog):
    UserFactory(username="lou")
    with caplog.at_level(logging.WARNING, logger="advisor.security"):
        for _ in range(5):
            sign_in(client, "lou", "wrong", "10.0.4.1")

    records = [r for r in caplog.records if r.name == "advisor.security"]
    assert len(records) == 1
    assert "'lou'" in records[0].getMessage()
    assert "10.0.4.1" in records[0].getMessage()


def test_the_admin_login_is_throttled_too(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for attempt in range(5):
        response = sign_in(client, "root", "wrong", f"10.0.5.{attempt + 1}", url=url)

    after = sign_in(client, "root", PASSWORD, "10.0.5.9", url=url)

    assert response.status_code == 429
    assert after.status_code == 429
    assert LOCKED in after.text
    assert not signed_in(client)


class TestClientAddress:
    def request(self, forwarded: str = "", remote: str = "10.9.9.9"):
        headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
        return RequestFactory().post("/login/", REMOTE_ADDR=remote, **headers)

    def test_without_proxies_the_connection_is_the_client(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        assert client_address(self.request("203.0.113.5")) == "10.9.9.9"

    def test_behind_one_proxy_the_last_forwarded_address_is_the_client(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        spoofed = self.request("198.51.100.1, 203.0.113.5")
        assert client_address(spoofed) == "203.0.113.5"

    def test_behind_two_proxies_the_second_last_is_the_client(self, settings):
        settings.TRUSTED_PROXY_COUNT = 2
        request = self.request("198.51.100.1, 203.0.113.5, 10.0.0.2")
        assert client_address(request) == "203.0.113.5"

    def test_a_header_shorter_than_the_proxy_chain_is_not_trusted(self, settings):
        settings.TRUSTED_PROXY_COUNT = 2
        assert client_address(self.request("203.0.113.5")) == "10.9.9.9"

    def test_a_forwarded_value_that_is_no_address_is_not_trusted(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        assert client_address(self.request("evil, not-an-ip")) == "10.9.9.9"

    def test_failures_behind_a_proxy_count_per_client_not_per_proxy(self, client, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        UserFactory(username="lou")
        for attempt in range(5):
            client.post(
                reverse("login"), {"username": f"someone-{attempt}", "password": "wrong"},
                REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5",
            )  # fmt: skip

        elsewhere = client.post(
            reverse("login"), {"username": "lou", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6",
        )  # fmt: skip

        assert elsewhere.status_code == 302


def test_attempts_during_a_lockout_do_not_extend_it(client):
    from axes.models import AccessAttempt

    UserFactory(username="lou")
    for _ in range(5):
        sign_in(client, "lou", "wrong", "10.0.6.1")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))

    during = sign_in(client, "lou", "wrong-again", "10.0.6.1")  # a minute before the end
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))
    after = sign_in(client, "lou", PASSWORD, "10.0.6.1")  # a minute after the end

    assert during.status_code == 429
    assert after.status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("203.0.113.5:51234", "203.0.113.5"),
        ("[2001:db8::5]:51234", "2001:db8::5"),
        ("[2001:db8::5]", "2001:db8::5"),
        ("2001:db8::5", "2001:db8::5"),
    ],
)
def test_a_forwarded_address_with_a_port_or_brackets_is_the_client(settings, forwarded, client):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post(
        "/login/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=f"198.51.100.1, {forwarded}"
    )
    assert client_address(request) == client
