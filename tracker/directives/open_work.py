"""The directives that may be in an open bucket: a cheap first cut for lists over ten years.

A top-level directive is overdue, in progress, not started or without deadline (status.roll_up)
only if something it rolls up is open: an assignment of its own or of a sub-directive that is
not withdrawn and not done by the day, or a directive of the two with no assignment at all
(judged by its own deadline, directive_roll_up). Work of past years is done, so these are a few
thousand of a province's 50,000 directives, found through the index on (state, completed_on);
the list then computes the buckets of those alone (listing._candidates) instead of rolling up
200,000 assignments (a quarter of a second) for one page of "overdue, all periods".

A superset, never the answer: the bucket computed afterwards decides. Only for a day judged as
the rows are stored (today or later); a past day's states come from the history
(status_sql.uses_history), and there every directive is computed as before.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from tracker.constants import DONE, STATES, WITHDRAWN
from tracker.directives.models import Assignment, Directive
from tracker.directives.status import Bucket
from tracker.directives.status_sql import uses_history

OPEN_BUCKETS = frozenset({Bucket.OVERDUE, Bucket.IN_PROGRESS, Bucket.NOT_STARTED,
                          Bucket.NO_DEADLINE})
# The states the app writes that are neither done nor withdrawn: listed, so the state index
# finds them (a "not done" condition would read every assignment of ten years).
OPEN_STATES = tuple(state for state in STATES if state not in (DONE, WITHDRAWN))
AS_OF_PARAM = "open_as_of"


def applies(bucket: Bucket | None, as_of: dt.date) -> bool:
    """The cut can be made: an open bucket, on a day judged as stored."""
    return bucket in OPEN_BUCKETS and not uses_history(as_of)


def _in_force_may(bucket: Bucket, deadline: ColumnElement, extended: ColumnElement | None,
                  as_of: ColumnElement) -> ColumnElement[bool]:
    """What the deadline in force (the deadline or the extended one: status.deadline_in_force)
    allows of an open item for the directive to end up in ``bucket``: overdue needs an item
    past its deadline; in progress or not started one whose deadline is still ahead; without
    deadline one without any."""
    if bucket is Bucket.NO_DEADLINE:
        return deadline.is_(None)
    either = [deadline] if extended is None else [deadline, extended]
    if bucket is Bucket.OVERDUE:
        return sa.or_(*[day < as_of for day in either])
    return sa.or_(*[day >= as_of for day in either])


def may_be_in(bucket: Bucket, d: type[Directive]) -> ColumnElement[bool]:
    """Top-level directive ``d`` has an open item that allows ``bucket`` (_in_force_may): an
    assignment of its own or of a sub-directive, open on the day, or one of the two with no
    assignment at all (its own deadline). The day is the parameter ``AS_OF_PARAM``: a
    completion recorded for a later day is not done yet on it."""
    as_of = sa.bindparam(AS_OF_PARAM, type_=sa.Date)
    a = aliased(Assignment, name="open_a")
    may = _in_force_may(bucket, a.deadline, a.extended_deadline, as_of)

    def open_ones(*where: ColumnElement[bool]) -> sa.Select:
        return sa.select(a.directive_id).where(*where, may)

    # Driven from the few open assignments through the state index, one state at a time (its
    # statistics tell SQLite how many states there are, not that the open ones are rare: for
    # three of them at once it read every assignment of ten years instead), the directives
    # then read by id (written as a join, SQLite walked every directive to probe its work).
    with_work = sa.union_all(
        *[open_ones(a.state == state) for state in OPEN_STATES],
        open_ones(a.state == DONE, a.completed_on.is_(None)),
        open_ones(a.state == DONE, a.completed_on > as_of),
    )
    c = aliased(Directive, name="open_c")
    none = aliased(Assignment, name="open_none")
    top = sa.func.coalesce(c.parent_id, c.id)
    keys = sa.union_all(
        sa.select(top).where(c.id.in_(with_work)),
        sa.select(top).where(_in_force_may(bucket, c.deadline, None, as_of),
                             ~sa.exists().where(none.directive_id == c.id)),
    )
    return d.id.in_(keys)
