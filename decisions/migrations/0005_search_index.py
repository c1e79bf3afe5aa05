"""Index the decision's search text, each database its own way (see decisions.search).

PostgreSQL: a GIN index on `to_tsvector('english', search_text)`, replacing 0002's index
over title, context and consequences. SQLite: an FTS5 table over search_text, with external
content (the text is stored once, in decisions_decision), and the triggers that keep it in
step with every insert, change of search_text and delete, whoever writes the row.

SQLite drops a table's triggers when a migration rebuilds the table (as it does for some
column changes): such a migration must run SQLITE_TRIGGERS again.
"""

from __future__ import annotations

from django.db import migrations

POSTGRES_INDEX = (
    "CREATE INDEX decision_search_text_idx ON decisions_decision "
    "USING GIN (to_tsvector('english'::regconfig, search_text))"
)
# 0002's index, recreated when this migration is reversed.
OLD_POSTGRES_INDEX = (
    "CREATE INDEX decision_search_idx ON decisions_decision USING GIN ("
    "to_tsvector('english'::regconfig, "
    "COALESCE(title, '') || ' ' || COALESCE(context, '') || ' ' || "
    "COALESCE(good_consequences, '') || ' ' || COALESCE(bad_consequences, '')))"
)

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE decision_fts USING fts5(search_text, "
    "content='decisions_decision', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')"
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS decision_fts_insert AFTER INSERT ON decisions_decision "
    "BEGIN INSERT INTO decision_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS decision_fts_delete AFTER DELETE ON decisions_decision "
    "BEGIN INSERT INTO decision_fts(decision_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS decision_fts_update AFTER UPDATE OF search_text "
    "ON decisions_decision BEGIN "
    "INSERT INTO decision_fts(decision_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO decision_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)
SQLITE_REBUILD = "INSERT INTO decision_fts(decision_fts) VALUES ('rebuild')"


def create_index(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS decision_search_idx")
        schema_editor.execute(POSTGRES_INDEX)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TABLE)
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)
        schema_editor.execute(SQLITE_REBUILD)


def drop_index(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS decision_search_text_idx")
        schema_editor.execute(OLD_POSTGRES_INDEX)
    elif vendor == "sqlite":
        for trigger in ("decision_fts_insert", "decision_fts_delete", "decision_fts_update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        schema_editor.execute("DROP TABLE IF EXISTS decision_fts")


class Migration(migrations.Migration):
    dependencies = [("decisions", "0004_decision_search_text")]

    operations = [migrations.RunPython(create_index, drop_index)]
