"""Statements compiled once per process and shape, bound to new values at each call.

The bucket rules of status_sql.py are large SQLAlchemy trees: building one, and walking it for
its cache key, cost a page more than running it. Their structure depends only on a few choices
(the deadline compared against, whether the day is rebuilt from the history, which filters are
given), so each shape is built once with named slots (``:name``) where the values go, compiled
for the database in use with every constant written inline, and kept as a ``text()``. A call
only binds the day, the period and the ids to it and uses it as a subquery or a CTE: the
statements around it stay ordinary SQLAlchemy.

A short list (a unit and the units merged into it) is expanded into one parameter per value
(``is_in``): the database then knows its length and plans for it. A long one (a list's 450
candidate directives) is bound as one text value, a JSON array on SQLite or an array literal on
PostgreSQL, read as the driving table of a join (``id_rows``): expanded, three times, it made a
new 9 KB statement to parse and plan each time, which neither SQLite's statement cache nor
PostgreSQL's prepared statements could keep. Not knowing that list's length, a planner may
choose another order for it (SQLite walked ten years of periods for a unit's record once a
second index offered the way), hence only where the list drives the statement.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

from tracker.core import clock
from tracker.extensions import db


class Slot(ColumnElement):
    """A named place for a value, rendered ``:key`` so the compiled text binds it later.
    ``many``: a short list of values, for ``is_in``; ``rows``: a long list of integers, for
    ``id_rows``."""

    inherit_cache = False  # compiled once into text, never cached as a tree

    def __init__(self, key: str, type_: TypeEngine, *, many: bool = False,
                 rows: bool = False) -> None:
        self.key, self.type, self.many, self.rows = key, type_, many, rows


@compiles(Slot)
def _render_slot(element: Slot, compiler, **kw) -> str:  # noqa: ANN001
    return f":{element.key}"


def id_rows(values: Slot, name: str) -> sa.TableValuedAlias:
    """The slot's integers (a ``rows`` slot) as rows of one column, ``value`` (bound as one
    text value: see ``encode_ids``). Written as the driving table of a join, so the database
    walks the list and looks each id up, as it does for a literal ``IN (...)``: behind
    ``IN (SELECT ...)`` SQLite, not knowing the list's length, scanned the table instead."""
    if db.engine.dialect.name == "sqlite":
        return sa.func.json_each(values).table_valued("value", name=name)
    array = sa.cast(values, ARRAY(sa.Integer()))
    return sa.func.unnest(array).table_valued("value", name=name).render_derived()


def is_in(column: ColumnElement, values: Slot) -> ColumnElement[bool]:
    """``column IN (values...)`` for a slot of a short list (expanded when the text runs)."""
    return column.op("IN", is_comparison=True)(values)


def encode_ids(values: Collection[int], dialect_name: str) -> str:
    """A list of integers as the one text value ``id_rows`` reads."""
    numbers = [int(value) for value in values]  # never anything but integers in the text
    if dialect_name == "sqlite":
        return json.dumps(numbers)
    return "{" + ",".join(map(str, numbers)) + "}"


@dataclass(frozen=True)
class Shape:
    """One compiled statement: its text and the slots it binds."""

    text: sa.TextClause
    slots: frozenset[str]
    lists: frozenset[str]  # the slots bound as one text value (see id_rows)
    dialect_name: str

    def bind(self, values: Mapping[str, object],
             columns: Mapping[str, TypeEngine]) -> sa.TextualSelect:
        """The statement with these values, with these columns."""
        given = {key: value for key, value in values.items() if key in self.slots}
        for key in self.lists & set(given):
            given[key] = encode_ids(given[key], self.dialect_name)  # type: ignore[arg-type]
        missing = self.slots - set(given)
        if missing:
            raise ValueError(f"no value for {sorted(missing)}")
        return self.text.bindparams(**given).columns(**columns)


_SHAPES: dict[tuple, Shape] = {}
_NAMES = re.compile(r"(?<![:\w]):(\w+)(?!:)")  # text()'s own rule for a bind name


def compile_once(key: tuple, build: Callable[[], sa.Select], slots: list[Slot]) -> Shape:
    """The shape ``key`` for the database in use, built and compiled on first use."""
    dialect = db.engine.dialect
    full = (dialect.name, *key)
    shape = _SHAPES.get(full)
    if shape is None:
        # Two threads may both compile it once: the same text, the first one kept.
        shape = _SHAPES.setdefault(full, _compile(build(), dialect, slots))
    return shape


def _compile(stmt: sa.Select, dialect: sa.Dialect, slots: list[Slot]) -> Shape:
    # Compiled for the same database with named parameters, constants inline; the few values
    # a dialect binds anyway (SQLite's "LIMIT -1" before an OFFSET) are then written inline.
    named = type(dialect)(paramstyle="named")
    compiled = stmt.compile(dialect=named, compile_kwargs={"literal_binds": True})
    sql = compiled.string
    for key, bind in compiled.binds.items():
        render = bind.type.literal_processor(named)
        if render is None:
            raise ValueError(f"cannot write {key} inline in a compiled shape")
        literal = render(bind.effective_value)
        sql = re.sub(rf"(?<![:\w]):{key}\b", lambda _m, text=literal: text, sql)
    by_key = {slot.key: slot for slot in slots}
    used = set(_NAMES.findall(sql))
    unknown = used - set(by_key)
    if unknown:  # a value was not written inline: the text would need it at every call
        raise ValueError(f"unexpected bind names {sorted(unknown)} in a compiled shape")
    lists = frozenset(key for key in used if by_key[key].rows)
    params = [sa.bindparam(key, type_=sa.String() if key in lists else by_key[key].type,
                           expanding=by_key[key].many) for key in sorted(used)]
    return Shape(sa.text(sql).bindparams(*params), frozenset(used), lists, dialect.name)


def built_per_day(maxsize: int) -> Callable[[Callable[..., sa.Select]],
                                              Callable[..., sa.Select]]:
    """A statement built once per arguments, today and database, then reused: building a
    bucket statement costs about what running it does. Today is in the key because it decides
    whether a day reads the history (another shape), the database because the text is
    compiled for one."""
    def decorate(build: Callable[..., sa.Select]) -> Callable[..., sa.Select]:
        @functools.lru_cache(maxsize=maxsize)
        def cached(_today: object, _dialect: str, *args: object) -> sa.Select:
            return build(*args)

        @functools.wraps(build)
        def statement(*args: object) -> sa.Select:
            return cached(clock.today(), db.engine.dialect.name, *args)

        statement.cache_info = cached.cache_info  # type: ignore[attr-defined]
        statement.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return statement
    return decorate


# --- JSON values of the audit trail, the same on SQLite and PostgreSQL --------------------------


class json_has(FunctionElement):  # noqa: N801 - reads as the SQL function it renders
    """The JSON object has the key (its value may be null)."""

    type = sa.Boolean()
    inherit_cache = True


class json_text(FunctionElement):  # noqa: N801
    """The key's value as text (NULL when absent or null)."""

    type = sa.String()
    inherit_cache = True


class json_date(FunctionElement):  # noqa: N801
    """The key's ISO date value as a date."""

    type = sa.Date()
    inherit_cache = True


def _args(element: FunctionElement, compiler, **kw) -> tuple[str, str]:  # noqa: ANN001
    column, key = list(element.clauses)
    return compiler.process(column, **kw), key.value


@compiles(json_has, "sqlite")
def _has_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    column, key = _args(element, compiler, **kw)
    return f"(json_type({column}, '$.\"{key}\"') IS NOT NULL)"


@compiles(json_has, "postgresql")
def _has_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    column, key = _args(element, compiler, **kw)
    return f"(({column})::jsonb ? '{key}')"


@compiles(json_text, "sqlite")
def _text_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    column, key = _args(element, compiler, **kw)
    return f"json_extract({column}, '$.\"{key}\"')"


@compiles(json_text, "postgresql")
def _text_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    column, key = _args(element, compiler, **kw)
    return f"(({column}) ->> '{key}')"


@compiles(json_date, "sqlite")
def _date_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    column, key = _args(element, compiler, **kw)
    return f"substr(json_extract({column}, '$.\"{key}\"'), 1, 10)"


@compiles(json_date, "postgresql")
def _date_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    column, key = _args(element, compiler, **kw)
    return f"CAST(substr(({column}) ->> '{key}', 1, 10) AS DATE)"


# --- the larger and the smaller of two values ---------------------------------------------------


class greatest(FunctionElement):  # noqa: N801
    """The larger of two values, neither of them NULL (SQLite's max(a, b), PostgreSQL's
    GREATEST: they differ on NULL, so the callers coalesce first)."""

    type = sa.Integer()
    inherit_cache = True


class least(FunctionElement):  # noqa: N801
    """The smaller of two values, neither of them NULL (see ``greatest``)."""

    type = sa.Integer()
    inherit_cache = True


def _pair(element: FunctionElement, compiler, **kw) -> str:  # noqa: ANN001
    first, second = list(element.clauses)
    return f"{compiler.process(first, **kw)}, {compiler.process(second, **kw)}"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"max({_pair(element, compiler, **kw)})"


@compiles(greatest)
def _greatest(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"GREATEST({_pair(element, compiler, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"min({_pair(element, compiler, **kw)})"


@compiles(least)
def _least(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"LEAST({_pair(element, compiler, **kw)})"
