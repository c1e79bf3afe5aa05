"""Fixtures shared by the whole suite, and the closing summary of what ran where."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from advisor.models import Role
from tests.factories import MembershipFactory, TeamFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    from advisor.frameworks import frozen_framework

    cache.clear()
    # Frozen framework rows are cached by id, and a rolled-back test frees its ids for the
    # next one.
    frozen_framework.cache_clear()


@pytest.fixture
def team(db):
    return TeamFactory(name="Checkout", slug="checkout")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Elsewhere", slug="elsewhere")


@pytest.fixture
def owner(team):
    return MembershipFactory(team=team, role=Role.OWNER, user__username="olive").user


@pytest.fixture
def editor(team, owner):
    return MembershipFactory(team=team, role=Role.EDITOR, user__username="eddie").user


@pytest.fixture
def viewer(team, owner):
    return MembershipFactory(team=team, role=Role.VIEWER, user__username="vera").user


@pytest.fixture
def outsider(other_team):
    return MembershipFactory(team=other_team, role=Role.OWNER, user__username="otto").user


def pytest_configure(config) -> None:
    # Password hashing is deliberately slow; tests need correctness, not key stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Tests that touch no database (the pure engine, `manage.py advise` in a subprocess, the real
# ADR tools on committed files) give the same result on any backend: they run in the SQLite
# run only, and the PostgreSQL run skips them saying so.
DATABASE_INDEPENDENT = (
    "tests/advisor/engine/",
    "tests/advisor/test_advise_command.py",
    "tests/tools/test_harness.py",
    "tests/tools/test_tool_fixtures.py",
    "tests/loadtest/",
)


def pytest_collection_modifyitems(config, items) -> None:
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    skip = pytest.mark.skip(reason="touches no database: runs in the SQLite run")
    root = Path(str(config.rootpath))
    for item in items:
        where = Path(str(item.path)).relative_to(root).as_posix()
        if where.startswith(DATABASE_INDEPENDENT):
            item.add_marker(skip)


def pytest_report_header(config) -> str:
    database = settings.DATABASES["default"]
    where = database.get("HOST") or database.get("NAME")
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} ({where})"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    counts = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for outcome in counts:
        for report in terminalreporter.stats.get(outcome, []):
            if "browser" not in getattr(report, "keywords", ()):
                continue
            if outcome == "passed" and report.when != "call":
                continue  # a passing test also passes its setup and teardown
            counts[outcome] += 1
    terminalreporter.write_line(
        f"Ran on database backend: {database}; Chromium browser tests: "
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors, "
        f"{counts['skipped']} skipped"
    )
