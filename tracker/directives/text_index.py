"""The directive list's text filter: the folded query inside the folded text (search.fold) of a
directive or of one of its sub-directives, a plain substring (any characters, %, _ and quotes
included), on both databases.

Across periods the match is driven by an index over ``directive.search_text`` (migration
0010): on SQLite the FTS5 table ``directive_fts`` (trigram tokenizer, external content, kept in
sync by triggers on ``directive``, so every writer, bulk inserts included, stays right), on
PostgreSQL a pg_trgm GIN index that ``LIKE '%...%'`` uses. A quoted FTS5 phrase of trigrams
matches exactly the texts that contain the query, as LIKE does (tests/directives/
test_text_search.py), but a trigram index knows nothing of a query under 3 characters: those
keep the scan.

When the other filters keep few directives (one period's: a few hundred; one unit's: a few
thousand in ten years) each of them is checked instead: finding every match of ten years first,
then keeping those few, costs more. At 50,000 directives, "ngan sach" in one period: 0.2 ms
checked one by one, 6 ms through the index on SQLite (0.4 and 22 ms on PostgreSQL); for one
unit over ten years 5 against 8 ms (14 against 89 ms). Across periods, with a field or alone,
the index wins: 6 against 9 ms and 6 against 24 ms (7 against 11, 8 against 48 ms).

SQLite drops a table's triggers with the table: a migration that rebuilds ``directive`` (batch
mode) must create the three ``directive_fts_*`` triggers again.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.directives.models import Directive
from tracker.directives.search import fold
from tracker.extensions import db

FTS_TABLE = "directive_fts"  # SQLite
TRIGRAM_INDEX = "ix_directive_search_text_trgm"  # PostgreSQL
MIN_INDEXED_LENGTH = 3  # a trigram index answers nothing shorter

_FTS = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer), sa.column(FTS_TABLE))


def folded_query(q: str) -> str:
    """The query folded as the texts are, each run of spaces made one."""
    return " ".join(fold(q).split())


def fts_phrase(folded: str) -> str:
    """An FTS5 query of one phrase: the text in double quotes, its own double quotes doubled;
    nothing else is syntax inside the quotes."""
    return '"' + folded.replace('"', '""') + '"'


LIKE_ESCAPE = "/"


def like_pattern(folded: str) -> str:
    """The folded query as a LIKE operand matching it anywhere, its own %, _ and / escaped
    (what ``contains(..., autoescape=True)`` does, for a bound parameter)."""
    for char in (LIKE_ESCAPE, "%", "_"):
        folded = folded.replace(char, LIKE_ESCAPE + char)
    return folded


def match_kind(q: str, *, few_rows: bool) -> str:
    """How ``matches`` finds the query: "checked" one directive at a time, or through the
    index ("fts" on SQLite, "trigram" on PostgreSQL). Part of a cached statement's shape."""
    if few_rows or len(folded_query(q)) < MIN_INDEXED_LENGTH:
        return "checked"
    return "fts" if db.engine.dialect.name == "sqlite" else "trigram"


def match_value(q: str, kind: str) -> str:
    """The value ``matches`` binds as ``QUERY_PARAM`` for this kind of match."""
    folded = folded_query(q)
    return fts_phrase(folded) if kind == "fts" else like_pattern(folded)


QUERY_PARAM = "text_q"


def matches(q: str, d: type[Directive], *, few_rows: bool) -> sa.ColumnElement[bool]:
    """The directive ``d`` or one of its sub-directives holds the folded query in its text.
    ``few_rows``: the other filters keep few directives (one period's or one unit's). The
    query is the bound parameter ``QUERY_PARAM``: a statement built once serves other queries
    of the same kind (``match_kind``) with ``{QUERY_PARAM: match_value(q, kind)}``."""
    kind = match_kind(q, few_rows=few_rows)
    value = sa.bindparam(QUERY_PARAM, match_value(q, kind), type_=sa.String())
    if kind == "checked":
        return _checked_one_by_one(value, d)
    c = aliased(Directive)
    if kind == "fts":
        own_text = c.id.in_(sa.select(_FTS.c.rowid).where(_FTS.c[FTS_TABLE].match(value)))
    else:
        own_text = c.search_text.contains(value, escape=LIKE_ESCAPE)
    # the matching directives, each standing for its parent if it has one
    return d.id.in_(sa.select(sa.func.coalesce(c.parent_id, c.id)).where(own_text))


def _checked_one_by_one(pattern: sa.BindParameter, d: type[Directive]) -> sa.ColumnElement[bool]:
    c = aliased(Directive)
    return sa.or_(
        d.search_text.contains(pattern, escape=LIKE_ESCAPE),
        sa.exists(
            sa.select(c.id).where(
                c.parent_id == d.id, c.search_text.contains(pattern, escape=LIKE_ESCAPE)
            )
        ),
    )


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's comparison of the models with the database leaves the index alone: it is no
    model (the FTS5 table and its shadow tables, the GIN index)."""
    if type_ == "table":
        return not (name == FTS_TABLE or (name or "").startswith(f"{FTS_TABLE}_"))
    if type_ == "index":
        return name != TRIGRAM_INDEX
    return True
