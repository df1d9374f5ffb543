"""an index for the directive list's text filter

Revision ID: 0010_directive_text_index
Revises: 0009_scope_versions
Create Date: 2026-12-01 00:10:00

Filtering the list by text across periods read every directive's search_text with
LIKE '%...%' (about 10 ms at 50,000 directives). SQLite gets an FTS5 trigram table over it,
with external content (the directive table itself, no copy of the text) kept in sync by
triggers, so that every writer, bulk inserts included, keeps it right without Python code;
PostgreSQL gets a pg_trgm GIN index, which LIKE '%...%' uses as it is. The filter that reads
them: tracker/directives/text_index.py. A later migration that rebuilds the directive table on
SQLite (batch mode) drops the triggers with the old table and must create them again.

The downgrade leaves the pg_trgm extension installed: other objects may use it.
"""
from alembic import op

revision = "0010_directive_text_index"
down_revision = "0009_scope_versions"
branch_labels = None
depends_on = None

SQLITE_UP = (
    "CREATE VIRTUAL TABLE directive_fts USING fts5("
    "search_text, content='directive', content_rowid='id', tokenize='trigram')",
    "INSERT INTO directive_fts(directive_fts) VALUES ('rebuild')",
    "CREATE TRIGGER directive_fts_insert AFTER INSERT ON directive BEGIN "
    "INSERT INTO directive_fts(rowid, search_text) VALUES (new.id, new.search_text); "
    "END",
    "CREATE TRIGGER directive_fts_delete AFTER DELETE ON directive BEGIN "
    "INSERT INTO directive_fts(directive_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "END",
    "CREATE TRIGGER directive_fts_update AFTER UPDATE OF id, search_text ON directive BEGIN "
    "INSERT INTO directive_fts(directive_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO directive_fts(rowid, search_text) VALUES (new.id, new.search_text); "
    "END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS directive_fts_update",
    "DROP TRIGGER IF EXISTS directive_fts_delete",
    "DROP TRIGGER IF EXISTS directive_fts_insert",
    "DROP TABLE IF EXISTS directive_fts",
)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_directive_search_text_trgm",
        "directive",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
        return
    op.drop_index("ix_directive_search_text_trgm", table_name="directive")
