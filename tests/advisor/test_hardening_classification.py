"""Which database errors answer 503 (the database cannot be reached: try again later) and
which stay a 500 with a traceback (a fault in the code), and what a deadline that fires
late or a restarted database leave behind."""

from __future__ import annotations

import logging
import sqlite3
import threading
from unittest import mock

import psycopg.errors
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import reverse

from advisor.middleware import deadlines
from advisor.middleware.deadlines import database_deadline, is_unreachable


def translated(driver_error: Exception) -> OperationalError:
    """The error as Django raises it: its own class, the driver's error as the cause."""
    error = OperationalError(*driver_error.args)
    error.__cause__ = driver_error
    return error


def run_missing_table_query(*args, **kwargs):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")


class TestIsUnreachable:
    @pytest.mark.parametrize(
        "driver_error",
        [
            sqlite3.OperationalError("database is locked"),
            sqlite3.OperationalError("interrupted"),
            psycopg.errors.lookup("08006")("connection failure"),
            psycopg.errors.lookup("57P01")("terminating connection due to administrator"),
            psycopg.errors.lookup("57P03")("the database system is starting up"),
            psycopg.errors.lookup("53300")("too many clients already"),
            psycopg.OperationalError("consuming input failed: server closed the connection"),
        ],
        ids=str,
    )
    def test_a_database_out_of_reach_is_unreachable(self, driver_error):
        assert is_unreachable(translated(driver_error))

    @pytest.mark.parametrize(
        "driver_error",
        [
            sqlite3.OperationalError("no such table: advisor_team"),
            sqlite3.OperationalError("no such column: name2"),
            sqlite3.OperationalError('near "SELCT": syntax error'),
            psycopg.errors.lookup("40P01")("deadlock detected"),
            psycopg.errors.lookup("57014")("canceling statement due to statement timeout"),
        ],
        ids=str,
    )
    def test_a_fault_in_the_code_is_not(self, driver_error):
        assert not is_unreachable(translated(driver_error))

    def test_an_interface_error_and_a_fired_deadline_are_unreachable(self):
        error = translated(sqlite3.OperationalError("no such table: x"))
        error.deadline_fired = True
        assert is_unreachable(error)
        assert is_unreachable(InterfaceError("connection already closed"))
        assert not is_unreachable(ValueError("no database here"))


@pytest.mark.django_db
class TestPages:
    def test_a_missing_table_in_a_view_is_a_500_with_its_traceback(self, owner, team, caplog):
        client = Client(raise_request_exception=False)
        client.force_login(owner)
        with (
            mock.patch.object(SessionStore, "load", run_missing_table_query),
            caplog.at_level(logging.ERROR),
        ):
            response = client.get(reverse("team_detail", args=[team.slug]))
        assert response.status_code == 500
        logged = [r for r in caplog.records if r.exc_info]
        assert logged and any("no_such_table" in str(r.exc_info[1]) for r in logged)

    def test_a_missing_table_outside_any_view_is_a_500_too(self, owner, other_team):
        from tests.factories import MembershipFactory

        MembershipFactory(team=other_team, user=owner)
        client = Client(raise_request_exception=False)
        client.force_login(owner)
        with mock.patch.object(SessionStore, "save", run_missing_table_query):
            response = client.post(reverse("team_switch"), {"team": other_team.slug})
        assert response.status_code == 500

    def test_a_503_is_logged_with_its_traceback(self, client, owner, team, caplog):
        client.force_login(owner)
        gone = OperationalError("server closed the connection unexpectedly")
        with (
            mock.patch.object(connection._connections["default"], "cursor", side_effect=gone),
            caplog.at_level(logging.ERROR, logger="advisor.middleware.database"),
        ):
            response = client.get(reverse("team_detail", args=[team.slug]))
        assert response.status_code == 503
        (record,) = [r for r in caplog.records if r.name == "advisor.middleware.database"]
        assert record.exc_info[1] is gone


def wait_until_fired(deadline) -> None:
    for _ in range(1000):  # the watchdog wakes within IDLE_WAKE_SECONDS at the latest
        if deadline.fired:
            return
        threading.Event().wait(0.01)
    raise AssertionError("the deadline never fired")


@pytest.mark.django_db
class TestDeadlines:
    @pytest.fixture
    def second_connection(self):
        wrapper = connection.copy()
        wrapper.ensure_connection()
        yield wrapper
        wrapper.close()

    def test_a_deadline_firing_as_the_call_ends_marks_the_connection_for_a_check(
        self, second_connection
    ):
        second_connection.errors_occurred = False
        with database_deadline(second_connection, 0.05) as deadline:
            wait_until_fired(deadline)  # the call is done, its deadline fires anyway
        assert second_connection.errors_occurred

    def test_a_call_within_its_deadline_leaves_the_connection_trusted(self, second_connection):
        second_connection.errors_occurred = False
        with database_deadline(second_connection, 30):
            pass
        assert not second_connection.errors_occurred

    def test_the_watchdog_logs_a_firing_without_holding_its_lock(self, second_connection):
        held = []
        logged = threading.Event()

        def lock_is_free() -> None:  # asked from another thread: the lock is reentrant
            free = deadlines._watchdog._condition.acquire(blocking=False)
            if free:
                deadlines._watchdog._condition.release()
            held.append(not free)

        class Probe(logging.Handler):
            def emit(self, record):
                asking = threading.Thread(target=lock_is_free)
                asking.start()
                asking.join()
                logged.set()

        probe = Probe(level=logging.WARNING)
        deadlines.logger.addHandler(probe)
        try:
            with database_deadline(second_connection, 0.05) as deadline:
                wait_until_fired(deadline)
            assert logged.wait(10)
        finally:
            deadlines.logger.removeHandler(probe)
        assert held == [False]


@pytest.mark.django_db(transaction=True)
def test_healthz_after_a_database_restart_checks_on_a_fresh_connection(client):
    connection.ensure_connection()
    restarted = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(connection._connections["default"], "cursor", side_effect=restarted):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}
    assert connection.connection is None  # the kept one was dropped
