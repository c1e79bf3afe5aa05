"""A GIN index for the decision log's full-text search, on PostgreSQL only.

Its expression is the one decisions.selectors._search builds with SearchVector, so the
planner uses it for searches; other databases search without it.
"""

from __future__ import annotations

from django.db import migrations

EXPRESSION = (
    "to_tsvector('english'::regconfig, "
    "COALESCE(title, '') || ' ' || COALESCE(context, '') || ' ' || "
    "COALESCE(good_consequences, '') || ' ' || COALESCE(bad_consequences, ''))"
)


def create_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX decision_search_idx ON decisions_decision USING GIN ({EXPRESSION})"
        )


def drop_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS decision_search_idx")


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
