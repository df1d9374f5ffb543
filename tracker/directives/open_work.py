"""The directives that may be in an open bucket: a cheap first cut for lists over ten years.

A top-level directive is overdue, in progress, not started or without deadline (status.roll_up)
only if something it rolls up is open: an assignment of its own or of a sub-directive that is
not withdrawn and not done by the day (a lead's, or anyone's where nobody leads), or a
directive of the two with no assignment at all (judged by its own deadline, directive_roll_up).
Work of past years is done, so these are a few hundred or thousand of a province's 50,000
directives. What each directive's open work allows is stored on its row (open_key.py: the
earliest and latest deadlines of its open items, whether one has none, its latest completion
day), so the cut is a test of four indexed columns: the list then computes the buckets of the
directives it keeps alone, instead of rolling up 200,000 assignments for one page of "overdue,
all periods", and a list narrowed by field or text computes those of its open ones only.

A superset, never the answer: the bucket computed afterwards decides. Only for a day judged as
the rows are stored (today or later); a past day's states come from the history
(status_sql.uses_history), and there every directive is computed as before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from tracker.directives import open_key
from tracker.directives.models import Directive
from tracker.directives.status import Bucket
from tracker.directives.status_sql import uses_history
from tracker.extensions import db

OPEN_BUCKETS = frozenset({Bucket.OVERDUE, Bucket.IN_PROGRESS, Bucket.NOT_STARTED,
                          Bucket.NO_DEADLINE})
AS_OF_PARAM = "open_as_of"


def applies(bucket: Bucket | None, as_of: dt.date) -> bool:
    """The cut can be made: an open bucket, on a day judged as stored."""
    return bucket in OPEN_BUCKETS and not uses_history(as_of)


def may_be_in(bucket: Bucket, d: type[Directive]) -> ColumnElement[bool]:
    """Top-level directive ``d`` has an open item that allows ``bucket`` on the day (parameter
    ``AS_OF_PARAM``): overdue needs one whose deadline or extended deadline is past; in progress
    or not started one whose deadline is still ahead; without deadline one without any. Or one
    of its items was completed after the day: not done yet on it, so open."""
    as_of = sa.bindparam(AS_OF_PARAM, type_=sa.Date)
    if db.engine.dialect.name != "sqlite":
        # PostgreSQL ORs the two indexes' bitmaps and filters the rows it reads anyway.
        return sa.or_(_allows(bucket, d, as_of), d.done_last > as_of)
    # SQLite: each condition through its own index, the ids then probed; written as an OR
    # beside a field filter, it walked the field's 7,000 directives to test both (10 ms, not
    # 0.7). Probing 1,300 ids one by one costs PostgreSQL 4 ms instead.
    k = aliased(Directive, name="open_k")
    return d.id.in_(sa.union_all(sa.select(k.id).where(_allows(bucket, k, as_of)),
                                 sa.select(k.id).where(k.done_last > as_of)))


def _allows(bucket: Bucket, d: type[Directive], as_of: sa.BindParameter) -> ColumnElement[bool]:
    if bucket is Bucket.NO_DEADLINE:
        return d.open_undated == sa.true()  # the partial index's own condition
    if bucket is Bucket.OVERDUE:
        return d.open_earliest < as_of
    return d.open_latest >= as_of


def values(as_of: dt.date) -> dict[str, Any]:
    """The parameters of ``may_be_in`` for the day; the keys this transaction's own changes
    call for are written first (open_key.settle: nothing to do in a request that only reads)."""
    open_key.settle(db.session())
    return {AS_OF_PARAM: as_of}
