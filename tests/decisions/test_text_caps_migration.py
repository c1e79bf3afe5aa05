"""The migration that brings the caps in loses nothing: longer text stored before it is kept
and its row marked, and the log's search keeps working on SQLite (whose table rebuilds drop
triggers)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("decisions", "0008_revision_imported")]
CAPS = [("decisions", "0009_text_caps")]


def _migrate(targets):
    """Migrate the decisions app to `targets`; the models as the database then has them
    (every other app as it is now)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "decisions"]
    return executor.loader.project_state([*targets, *others]).apps


@pytest.fixture
def migrated_back():
    """The database as it was before the caps, brought back to the newest state after."""
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_longer_text_is_kept_and_marked_and_search_still_works(migrated_back):
    apps = migrated_back
    team = apps.get_model("advisor", "Team").objects.create(name="Old", slug="old")
    user = apps.get_model("auth", "User").objects.create(username="old-timer")
    Decision = apps.get_model("decisions", "Decision")
    common = {"team": team, "system_name": "Shop", "interaction_name": "Pay",
              "created_by": user, "answers": {}, "result": {}}  # fmt: skip
    long = Decision.objects.create(number=1, title="Long", context="c" * 30_000, **common)
    short = Decision.objects.create(number=2, title="Short", context="Fine.", **common)
    Decision.objects.filter(pk=short.pk).update(search_text="queue")
    apps.get_model("decisions", "Revision").objects.create(
        decision=long, version=1, kind="amended", author=user, note="n" * 5_000, data={}
    )

    apps = _migrate(CAPS)
    Decision = apps.get_model("decisions", "Decision")
    Revision = apps.get_model("decisions", "Revision")
    kept = Decision.objects.get(pk=long.pk)
    assert (kept.context, kept.kept_over_caps) == ("c" * 30_000, True)
    assert Decision.objects.get(pk=short.pk).kept_over_caps is False
    revision = Revision.objects.get()
    assert (revision.note, revision.kept_over_caps) == ("n" * 5_000, True)
    if connection.vendor == "sqlite":
        # The search index still follows every write.
        Decision.objects.filter(pk=long.pk).update(search_text="broker")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM decision_fts WHERE decision_fts MATCH 'broker'")
            assert cursor.fetchall() == [(long.pk,)]
