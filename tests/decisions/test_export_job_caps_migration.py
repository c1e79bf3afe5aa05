"""The migration that checks an export job's texts first shortens those stored longer before
it: a file name keeps its format, day and extension, the notes end after a whole sentence."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.decisions.test_text_caps_migration import _migrate

BEFORE = [("decisions", "0009_text_caps")]
CAPS = [("decisions", "0010_export_job_text_caps")]


@pytest.fixture
def migrated_back():
    """The database as it was before the checks, brought back to the newest state after."""
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_texts_stored_longer_are_shortened_and_the_rest_kept(migrated_back):
    apps = migrated_back
    team = apps.get_model("advisor", "Team").objects.create(name="Old", slug="old")
    user = apps.get_model("auth", "User").objects.create(username="old-timer")
    ExportJob = apps.get_model("decisions", "ExportJob")
    note = "ADR-0001 is superseded by 2 decisions; log4brains keeps one."
    notes = " ".join([note] * 200)  # 12,399 characters
    # A file name of 208 characters fits SQLite's column only; PostgreSQL's held 200.
    tail = "-decisions-log4brains-20261123.zip"
    name = ("o" * 174 if connection.vendor == "sqlite" else "o" * 166) + tail
    long = ExportJob.objects.create(team=team, requested_by=user, format="log4brains",
                                    filename=name, summary=notes, error="e" * 1_500)  # fmt: skip
    short = ExportJob.objects.create(team=team, requested_by=user, format="json",
                                     filename="old-decisions.zip", summary=note)  # fmt: skip

    apps = _migrate(CAPS)
    ExportJob = apps.get_model("decisions", "ExportJob")
    shortened = ExportJob.objects.get(pk=long.pk)
    assert len(shortened.filename) <= 200
    assert shortened.filename.endswith(f"o{tail}")
    assert len(shortened.summary) <= 5_000
    assert shortened.summary.startswith(note)
    assert shortened.summary.endswith("log4brains keeps one. And more of the same kind.")
    assert shortened.error == "e" * 1_000
    kept = ExportJob.objects.get(pk=short.pk)
    assert (kept.filename, kept.summary, kept.error) == ("old-decisions.zip", note, "")
