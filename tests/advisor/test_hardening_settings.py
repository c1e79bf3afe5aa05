"""Production settings by default: DEBUG off unless set, no development key, database
timeouts from the environment. Each case loads advisor.settings in a fresh process with
exactly the environment given."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEY = "x" * 20 + "-a-long-random-production-secret-value-0123456789"
PRINT = """
import json
import django
django.setup()
from django.conf import settings
database = settings.DATABASES["default"]
print(json.dumps({"DEBUG": settings.DEBUG, "OPTIONS": database.get("OPTIONS", {}),
                  "DB_CLIENT_DEADLINE": settings.DB_CLIENT_DEADLINE,
                  "AXES_FAILURE_LIMIT": settings.AXES_FAILURE_LIMIT,
                  "AXES_COOLOFF_SECONDS": settings.AXES_COOLOFF_TIME.total_seconds(),
                  "REQUEST_MAX_BODY_BYTES": settings.REQUEST_MAX_BODY_BYTES,
                  "DATA_UPLOAD_MAX_MEMORY_SIZE": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}))
"""


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    keep = {"PATH", "HOME", "LANG", "PYTHONPATH"}
    environment = {k: v for k, v in os.environ.items() if k in keep}
    environment.update({"DJANGO_SETTINGS_MODULE": "advisor.settings", **env})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def loaded(**env: str) -> dict:
    result = run("-c", PRINT, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_is_off_unless_set():
    assert loaded(SECRET_KEY=KEY)["DEBUG"] is False
    assert loaded(DEBUG="true")["DEBUG"] is True


def test_without_debug_a_secret_key_is_required_and_the_way_out_is_named():
    result = run("manage.py", "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr
    assert "For local development, set DEBUG=true." in result.stderr


def test_the_advisor_command_needs_no_key():
    scenario = ROOT / "tests/advisor/engine/scenarios/fraud-scoring.json"
    result = run("manage.py", "advise", str(scenario))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["recommendation"]


def test_the_deployment_checklist_passes():
    result = run(
        "manage.py", "check", "--deploy", "--fail-level", "DEBUG",
        DEBUG="false", SECRET_KEY=KEY, ALLOWED_HOSTS="crossroads.example.com",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


class TestDatabaseTimeouts:
    url = "postgres://crossroads@db.example.com:5432/crossroads"

    def test_postgresql_gets_a_connect_and_a_statement_timeout(self):
        options = loaded(SECRET_KEY=KEY, DATABASE_URL=self.url)["OPTIONS"]
        assert options["connect_timeout"] == 2
        assert options["options"] == "-c statement_timeout=15000"

    def test_the_environment_sets_them(self):
        settings = loaded(
            SECRET_KEY=KEY, DATABASE_URL=self.url, DB_CONNECT_TIMEOUT="5",
            DB_STATEMENT_TIMEOUT="30",
        )  # fmt: skip
        assert settings["OPTIONS"]["connect_timeout"] == 5
        assert settings["OPTIONS"]["options"] == "-c statement_timeout=30000"
        assert settings["DB_CLIENT_DEADLINE"] == 32

    def test_zero_turns_the_statement_timeout_and_the_client_deadline_off(self):
        settings = loaded(SECRET_KEY=KEY, DATABASE_URL=self.url, DB_STATEMENT_TIMEOUT="0")
        assert "options" not in settings["OPTIONS"]
        assert settings["DB_CLIENT_DEADLINE"] == 0

    def test_options_in_the_url_are_kept(self):
        url = self.url + "?connect_timeout=7&options=-c%20lock_timeout%3D1000"
        options = loaded(SECRET_KEY=KEY, DATABASE_URL=url)["OPTIONS"]
        assert options["connect_timeout"] == 7
        assert options["options"] == "-c lock_timeout=1000 -c statement_timeout=15000"

    def test_sqlite_waits_for_a_lock_as_long_as_a_statement_may_run(self):
        options = loaded(SECRET_KEY=KEY, DATABASE_URL="sqlite:////tmp/x.sqlite3")["OPTIONS"]
        assert options["timeout"] == 15

    def test_a_value_that_is_no_number_is_named(self):
        result = run("manage.py", "check", SECRET_KEY=KEY, DB_STATEMENT_TIMEOUT="soon")
        assert result.returncode != 0
        assert "DB_STATEMENT_TIMEOUT must be a number from 0 up, not 'soon'" in result.stderr


def test_throttling_and_body_caps_come_from_the_environment():
    settings = loaded(
        SECRET_KEY=KEY, AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="60",
        REQUEST_MAX_BODY_BYTES="2048",
    )  # fmt: skip
    assert settings["AXES_FAILURE_LIMIT"] == 3
    assert settings["AXES_COOLOFF_SECONDS"] == 3600
    assert settings["REQUEST_MAX_BODY_BYTES"] == 2048
    assert settings["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 2048
