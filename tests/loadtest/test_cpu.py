"""Where the CPU went: the shares of the server, the database, locust and the rest."""

from __future__ import annotations

import os

import pytest

from loadtest.cpu import usage


def test_it_splits_the_machines_busy_time_between_the_processes():
    hertz = os.sysconf("SC_CLK_TCK")
    before = {"busy": 0, "total": 0, "server": 0, "database": 0, "load": 1.0}
    after = {"busy": 30 * hertz, "total": 40 * hertz, "server": 20 * hertz,
             "database": 2 * hertz, "load": 4.0}  # fmt: skip
    figures = usage(before, after)
    assert figures["busy_percent"] == pytest.approx(75.0)
    assert figures["seconds"] == pytest.approx(
        {"gunicorn": 20.0, "PostgreSQL": 2.0, "locust": 3.0, "everything else": 5.0}
    )


def test_without_two_snapshots_there_are_no_figures():
    assert usage(None, None) == {}
