"""The index over ``directive.search_text`` for the directive list's text filter (migration
0010): on SQLite the FTS5 table ``directive_fts`` (trigram tokenizer, external content, kept in
sync by triggers on ``directive``), on PostgreSQL a pg_trgm GIN index.

SQLite drops a table's triggers with the table: a migration that rebuilds ``directive`` (batch
mode) must create the three ``directive_fts_*`` triggers again.
"""

from __future__ import annotations

FTS_TABLE = "directive_fts"  # SQLite
TRIGRAM_INDEX = "ix_directive_search_text_trgm"  # PostgreSQL


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's comparison of the models with the database leaves the index alone: it is no
    model (the FTS5 table and its shadow tables, the GIN index)."""
    if type_ == "table":
        return not (name == FTS_TABLE or (name or "").startswith(f"{FTS_TABLE}_"))
    if type_ == "index":
        return name != TRIGRAM_INDEX
    return True
