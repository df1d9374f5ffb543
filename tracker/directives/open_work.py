"""The directives that may be in an open bucket: a cheap first cut for lists over ten years.

A top-level directive is overdue, in progress, not started or without deadline (status.roll_up)
only if something it rolls up is open: an assignment of its own or of a sub-directive that is
not withdrawn and not done by the day (a lead's, or anyone's where nobody leads), or a
directive of the two with no assignment at all (judged by its own deadline, directive_roll_up).
Work of past years is done, so these are a few hundred or thousand of a province's 50,000
directives, found through the index on (state, completed_on); the list then computes the
buckets of those alone (listing._candidates) instead of rolling up 200,000 assignments (a
quarter of a second) for one page of "overdue, all periods".

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

from tracker.constants import DONE, LEAD, STATES, WITHDRAWN
from tracker.core import versioning
from tracker.directives.models import Assignment, Directive
from tracker.directives.sql_shapes import encode_ids, id_rows
from tracker.directives.status import Bucket, directive_roll_up
from tracker.directives.status_sql import uses_history
from tracker.extensions import db

OPEN_BUCKETS = frozenset({Bucket.OVERDUE, Bucket.IN_PROGRESS, Bucket.NOT_STARTED,
                          Bucket.NO_DEADLINE})
# The states the app writes that are neither done nor withdrawn: listed, so the state index
# finds them (a "not done" condition would read every assignment of ten years).
OPEN_STATES = tuple(state for state in STATES if state not in (DONE, WITHDRAWN))
AS_OF_PARAM = "open_as_of"
EMPTY_PARAM = "open_empty"


def applies(bucket: Bucket | None, as_of: dt.date) -> bool:
    """The cut can be made: an open bucket, on a day judged as stored."""
    return bucket in OPEN_BUCKETS and not uses_history(as_of)


def _in_force_may(bucket: Bucket, a: type[Assignment], as_of: Any) -> ColumnElement[bool]:
    """What the deadline in force of open assignment ``a`` (its deadline or the extended one:
    status.deadline_in_force) allows for the directive to end up in ``bucket``: overdue needs
    one past its deadline; in progress or not started one whose deadline is still ahead;
    without deadline one without any."""
    if bucket is Bucket.NO_DEADLINE:
        return a.deadline.is_(None)
    if bucket is Bucket.OVERDUE:
        return sa.or_(a.deadline < as_of, a.extended_deadline < as_of)
    return sa.or_(a.deadline >= as_of, a.extended_deadline >= as_of)


# What a directive without any assignment, judged by its own deadline (directive_roll_up with
# nothing to roll up), must be for its parent or itself to end up in each open bucket.
_OWN_RULE_ALLOWS = {Bucket.OVERDUE: Bucket.OVERDUE, Bucket.NO_DEADLINE: Bucket.NO_DEADLINE,
                    Bucket.IN_PROGRESS: Bucket.NOT_STARTED, Bucket.NOT_STARTED: Bucket.NOT_STARTED}


def may_be_in(bucket: Bucket, d: type[Directive]) -> ColumnElement[bool]:
    """Top-level directive ``d`` has an open item that allows ``bucket`` (_in_force_may): an
    assignment of its own or of a sub-directive, open on the day, or one of the two with no
    assignment at all (its own deadline). Parameters: the day, ``AS_OF_PARAM`` (a completion
    recorded for a later day is not done yet on it), and the top-level keys of the directives
    without assignments that the bucket allows, ``EMPTY_PARAM`` (``values``)."""
    as_of = sa.bindparam(AS_OF_PARAM, type_=sa.Date)
    a = aliased(Assignment, name="open_a")
    lead = aliased(Assignment, name="open_lead")
    may = _in_force_may(bucket, a, as_of)
    # A directive's own items are its lead assignments, or all of them when none is lead
    # (status_sql._own_ranks): open support work counts only where nobody leads. Two
    # branches, not an OR, which PostgreSQL answered by hashing every lead assignment.
    nobody_leads = ~sa.exists().where(lead.directive_id == a.directive_id, lead.role == LEAD)
    roles = [a.role == LEAD, sa.and_(a.role != LEAD, nobody_leads)]
    # Driven from the few open assignments through the state index, one state at a time (its
    # statistics tell SQLite how many states there are, not that the open ones are rare: for
    # three of them at once it read every assignment of ten years instead), the directives
    # then read by id (written as a join, SQLite walked every directive to probe its work).
    open_now = [*[a.state == state for state in OPEN_STATES],
                sa.and_(a.state == DONE, a.completed_on.is_(None)),
                sa.and_(a.state == DONE, a.completed_on > as_of)]
    with_work = sa.union_all(*[
        sa.select(a.directive_id).where(state, role, may) for state in open_now for role in roles
    ])
    c = aliased(Directive, name="open_c")
    empty = id_rows(sa.bindparam(EMPTY_PARAM, type_=sa.String), "open_empty")
    keys = sa.union_all(
        sa.select(sa.func.coalesce(c.parent_id, c.id)).where(c.id.in_(with_work)),
        sa.select(empty.c.value),
    )
    return d.id.in_(keys)


def values(bucket: Bucket, as_of: dt.date) -> dict[str, Any]:
    """The parameters of ``may_be_in`` for this bucket and day."""
    allowed = _OWN_RULE_ALLOWS[bucket]
    keys = sorted({key for key, deadline in _without_assignments()
                   if directive_roll_up((), (), deadline, as_of).bucket is allowed})
    return {AS_OF_PARAM: as_of, EMPTY_PARAM: encode_ids(keys, db.engine.dialect.name)}


def _without_assignments() -> tuple[tuple[int, dt.date | None], ...]:
    """(top-level key, own deadline) of each directive without any assignment (rare: judged by
    its own deadline). Finding them reads every directive against the assignments (12 ms on
    SQLite, 50-70 ms on PostgreSQL at province scale), so they are kept per data version:
    read again after any change, never by a transaction that wrote."""
    def load() -> tuple[tuple[int, dt.date | None], ...]:
        c, none = aliased(Directive), aliased(Assignment)
        stmt = (sa.select(sa.func.coalesce(c.parent_id, c.id), c.deadline)
                .where(~sa.exists().where(none.directive_id == c.id)))
        return tuple(db.session.connection().execute(stmt).tuples())
    return versioning.per_version(db.session(), "directives_without_assignments", load)
