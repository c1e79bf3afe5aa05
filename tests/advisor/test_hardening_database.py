"""An unreachable or hung database: 503 pages and health checks, never a 500 or a hang.

The hung server is played by a socket server that completes PostgreSQL's handshake and then
never answers (or never answers at all), as a server stopped with SIGSTOP behaves.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
from django.test import Client, RequestFactory
from django.urls import reverse

from advisor.middleware.database import _QueryDeadline
from advisor.middleware.deadlines import database_deadline
from advisor.views import health

MESSAGE = (
    "Crossroads cannot reach its database right now. Try again in a minute; if you were "
    "saving a change, check first whether it was saved."
)
# Runs for minutes unless cut off.
LONG_QUERY = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
    "WHERE x < 4000000000) SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(60)",
}


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert MESSAGE in response.text
    assert response["Retry-After"] == "60"
    assert "no-store" in response["Cache-Control"]


def unreachable(error=OperationalError):
    """Every query of this thread's default connection fails as if the server were gone."""
    return mock.patch.object(
        connection._connections["default"], "cursor", side_effect=error("server closed")
    )


@pytest.mark.django_db
class TestPages:
    @pytest.mark.parametrize("error", [OperationalError, InterfaceError])
    def test_a_page_answers_the_503_page(self, client, owner, team, error):
        client.force_login(owner)
        with unreachable(error):
            response = client.get(reverse("team_detail", args=[team.slug]))
        assert_unavailable_page(response)

    def test_a_form_post_answers_the_503_page(self, client, owner):
        client.force_login(owner)
        with unreachable():
            response = client.post(reverse("team_create"), {"name": "Payments"})
        assert_unavailable_page(response)

    def test_the_page_recovers_by_itself(self, client, owner, team):
        client.force_login(owner)
        with unreachable():
            client.get(reverse("team_detail", args=[team.slug]))
        assert client.get(reverse("team_detail", args=[team.slug])).status_code == 200

    def test_a_failure_outside_any_view_answers_503_too(self, owner, other_team):
        from tests.factories import MembershipFactory

        MembershipFactory(team=other_team, user=owner)
        client = Client(raise_request_exception=False)
        client.force_login(owner)
        # The view only changes the session; SessionMiddleware saves it after the view.
        with mock.patch.object(SessionStore, "save", side_effect=OperationalError("gone")):
            response = client.post(reverse("team_switch"), {"team": other_team.slug})
        assert_unavailable_page(response)

    def test_other_database_errors_stay_500(self, owner, team):
        from django.db import ProgrammingError

        client = Client(raise_request_exception=False)
        client.force_login(owner)
        with unreachable(ProgrammingError):
            response = client.get(reverse("team_detail", args=[team.slug]))
        assert response.status_code == 500


@pytest.mark.django_db(transaction=True)
class TestConnections:
    def test_a_failed_connection_is_dropped_and_the_next_request_reconnects(
        self, client, owner, team
    ):
        client.force_login(owner)
        with unreachable():
            assert client.get(reverse("team_detail", args=[team.slug])).status_code == 503
        assert connection.connection is None

        assert client.get(reverse("team_detail", args=[team.slug])).status_code == 200
        assert connection.connection is not None

    def test_a_kept_connection_that_misses_its_health_check_deadline_answers_503(
        self, client, owner, team, settings
    ):
        client.force_login(owner)
        client.get(reverse("team_detail", args=[team.slug]))
        settings.DB_HEALTH_CHECK_DEADLINE = 0.2
        connection.health_check_done = False  # as at the start of a request
        raw = connection.connection

        def hung_is_usable():
            try:
                raw.cursor().execute(LONG_QUERY[connection.vendor])
            except Exception:
                return False
            return True

        with mock.patch.object(connection._connections["default"], "is_usable", hung_is_usable):
            response = client.get(reverse("team_detail", args=[team.slug]))

        assert_unavailable_page(response)
        assert connection.connection is None
        assert client.get(reverse("team_detail", args=[team.slug])).status_code == 200

    def test_healthz_connects_afresh_when_no_connection_is_kept(self, client):
        connection.close()
        response = client.get(reverse("healthz"))
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "up"}

    def test_healthz_answers_503_json_when_connecting_fails(self, client):
        connection.close()
        failing = mock.patch.object(
            type(connection._connections["default"]), "get_new_connection",
            side_effect=OperationalError("connection refused"),
        )  # fmt: skip
        with failing:
            response = client.get(reverse("healthz"))
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable", "database": "down"}
        assert response["Retry-After"] == "60"

    def test_healthz_answers_503_when_the_kept_and_a_fresh_connection_fail(self, client):
        connection.ensure_connection()
        failing = mock.patch.object(
            type(connection._connections["default"]), "get_new_connection",
            side_effect=OperationalError("connection refused"),
        )  # fmt: skip
        with unreachable(), failing:
            assert client.get(reverse("healthz")).status_code == 503
        assert connection.connection is None
        assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.django_db
class TestDeadlines:
    @pytest.fixture
    def second_connection(self):
        wrapper = connection.copy()
        yield wrapper
        wrapper.close()

    def test_a_call_past_its_deadline_is_cut_off(self, second_connection):
        with (
            pytest.raises(OperationalError),
            second_connection.cursor() as cursor,
            database_deadline(second_connection, 0.2) as deadline,
        ):
            cursor.execute(LONG_QUERY[second_connection.vendor])
        assert deadline.fired

    def test_a_call_within_its_deadline_is_left_alone(self, second_connection):
        with second_connection.cursor() as cursor:
            with database_deadline(second_connection, 30) as deadline:
                cursor.execute("SELECT 1")
                assert cursor.fetchone() == (1,)
            cursor.execute("SELECT 2")
            assert cursor.fetchone() == (2,)
        assert not deadline.fired

    def test_each_query_of_a_request_gets_the_client_deadline(self, second_connection):
        request = RequestFactory().get("/")
        with (
            pytest.raises(OperationalError),
            second_connection.execute_wrapper(_QueryDeadline(request, 0.2)),
            second_connection.cursor() as cursor,
        ):
            cursor.execute(LONG_QUERY[second_connection.vendor])
        assert request.database_unreachable


class HungPostgres:
    """Accepts connections; with `handshake`, lets a client connect, then never answers."""

    def __init__(self, handshake: bool) -> None:
        self.handshake = handshake
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.clients: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.clients.append(client)
            if self.handshake:
                threading.Thread(target=self._greet, args=(client,), daemon=True).start()

    @staticmethod
    def _read(client: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = client.recv(size - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def _greet(self, client: socket.socket) -> None:
        def message(kind: bytes, body: bytes) -> bytes:
            return kind + struct.pack("!i", len(body) + 4) + body

        try:
            while True:
                length, code = struct.unpack("!ii", self._read(client, 8))
                self._read(client, length - 8)
                if code not in (80877103, 80877104):  # SSL and GSSAPI requests: "no"
                    break
                client.sendall(b"N")
            parameters = {
                "server_version": "17.0", "client_encoding": "UTF8", "TimeZone": "UTC",
                "DateStyle": "ISO, MDY", "integer_datetimes": "on",
                "standard_conforming_strings": "on",
            }  # fmt: skip
            reply = message(b"R", struct.pack("!i", 0))
            for name, value in parameters.items():
                reply += message(b"S", f"{name}\0{value}\0".encode())
            reply += message(b"K", struct.pack("!ii", 1, 2)) + message(b"Z", b"I")
            client.sendall(reply)
            while client.recv(65536):
                pass
        except OSError:
            pass

    def wrapper(self) -> PostgresWrapper:
        settings_dict = {
            **connection.settings_dict, "ENGINE": "django.db.backends.postgresql",
            "NAME": "crossroads", "USER": "crossroads", "PASSWORD": "", "HOST": "127.0.0.1",
            "PORT": self.port, "OPTIONS": {"connect_timeout": 2}, "TIME_ZONE": None,
        }  # fmt: skip
        return PostgresWrapper(settings_dict, alias="hung")

    def close(self) -> None:
        self.server.close()
        for client in self.clients:
            client.close()


@pytest.fixture
def hung_server(request, django_db_blocker):
    server = HungPostgres(handshake=request.param)
    with django_db_blocker.unblock():  # it is not the test database
        yield server
    server.close()


@pytest.mark.parametrize("hung_server", [True], indirect=True)
def test_a_hung_servers_query_is_cut_off_and_its_connection_dropped(hung_server):
    wrapper = hung_server.wrapper()
    wrapper.connection = wrapper.get_new_connection(wrapper.get_connection_params())

    assert health.database_answers(wrapper, 0.3) is False
    assert wrapper.connection is None


@pytest.mark.parametrize("hung_server", [False], indirect=True)
def test_the_health_check_gives_up_on_a_server_that_never_lets_it_connect(hung_server):
    wrapper = hung_server.wrapper()

    assert health.database_answers(wrapper, 0.3) is False
    helpers = [t for t in threading.enumerate() if t.name == "healthz-check"]
    assert len(helpers) == 1  # still connecting: the check did not wait for it
    assert health.database_answers(wrapper, 0.3) is False
    assert [t for t in threading.enumerate() if t.name == "healthz-check"] == helpers

    helpers[0].join(timeout=30)  # ends by itself when its connect timeout expires
    assert not helpers[0].is_alive()
    assert not health._helper_running.locked()


def test_the_watchdog_cuts_off_calls_on_the_right_connection_only():
    """Two calls in flight, one past its deadline: only its connection is interrupted."""
    first, second = mock.Mock(vendor="sqlite"), mock.Mock(vendor="sqlite")
    with database_deadline(first, 0.1) as late, database_deadline(second, 30) as in_time:
        time.sleep(0.5)
    assert late.fired and not in_time.fired
    first.connection.interrupt.assert_called_once_with()
    second.connection.interrupt.assert_not_called()
