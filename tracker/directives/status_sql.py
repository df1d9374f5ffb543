"""The bucket rules of status.py and asof.py as SQL expressions, for filtering and counting.

Pages show buckets computed by the pure functions (status.py, asof.py via presenters.py).
Filtering a list by bucket, sorting by it, or counting a unit's record over ten years cannot load
every directive into Python, so the same rules are written here once more as CASE expressions.
Every branch mirrors a line of compute_status / roll_up / directive_roll_up, and for a past day
of asof.assignment_as_of / directive_as_of; tests/directives/test_status_sql.py (today and past
days) and tests/directives/test_asof.py (recorded histories) check that both agree on every
boundary case. Change one, change the other.

For today and later the rows are judged as stored (nothing can be recorded after now); for a
past day each assignment's state, deadline, role and extension are rebuilt from its history
with correlated subqueries (asof_sql.py), so the count of queries stays one whatever the amount
of data.

Inside a statement a bucket is an integer, its rank (RANK): roll_up is then the highest rank of
the items but for one case (_roll_up), so a directive aggregates its assignments into two
numbers in one pass instead of a count per bucket, and labels are written only at the edge.

Depth: a directive rolls up from its own lead assignments and its sub-directives, and
sub-directives from their assignments (the importer and the editor create one level of
sub-directives, as the monthly report does).

``assignment_facts``, ``directive_buckets``, ``top_level_counts`` and the dashboard's
``period_board`` are built once per process for each shape (the deadline compared against, today
or a past day, which filters) with slots for the day, the period and the ids, compiled to text
(sql_shapes.py); a call binds its values to that text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from tracker.constants import LEAD
from tracker.directives.asof_sql import AsOf
from tracker.directives.models import Assignment, Directive
from tracker.directives.shape_scope import (
    Day,
    Scope,
    day_of,
    shape_slots,
    shape_values,
    uses_history,
)
from tracker.directives.sql_shapes import (
    Shape,
    compile_once,
    greatest,
    id_rows,
    is_in,
    least,
)
from tracker.directives.status import BUCKET_ORDER, EXTENDED, Bucket

B = Bucket


def directive_deadline(as_of: dt.date, d: type[Directive]) -> ColumnElement:
    """A directive's own deadline as of the day (asof.directive_as_of)."""
    return _directive_deadline(day_of(as_of), d)


def _directive_deadline(day: Day, d: type[Directive]) -> ColumnElement:
    if not day.history:
        return d.deadline
    return AsOf(day.as_of, day.eod, Assignment, d).directive_deadline()


def directive_exists(as_of: dt.date, d: type[Directive]) -> ColumnElement[bool]:
    """Entered by the end of the day, or given to a unit by then (asof.directive_as_of)."""
    return _directive_exists(day_of(as_of), d)


def _directive_exists(day: Day, d: type[Directive]) -> ColumnElement[bool]:
    if not day.history:
        return sa.true()
    return AsOf(day.as_of, day.eod, Assignment, d).directive_exists()


def _directive_withdrawn(day: Day, d: type[Directive]) -> ColumnElement[bool]:
    if day.history:
        return sa.and_(d.withdrawn_at.is_not(None), d.withdrawn_at < day.eod)
    return d.withdrawn_at.is_not(None)


def assignment_exists(
    as_of: dt.date, a: type[Assignment] = Assignment
) -> ColumnElement[bool]:
    return _assignment_exists(day_of(as_of), a)


def _assignment_exists(day: Day, a: type[Assignment]) -> ColumnElement[bool]:
    if not day.history:
        return sa.true()
    return sa.or_(a.assigned_on.is_(None), a.assigned_on <= day.as_of)


# --- one assignment: its bucket, as a label or as a rank ---------------------------------------

# Inside the statements a bucket is a small integer, its rank in the roll-up (see _roll_up):
# withdrawn lowest, then done on time, done late, no deadline, not started, in progress, overdue.
# Integers are compared and aggregated cheaply; the labels (Bucket.value) callers read are
# written only at the outer edge (_label).
RANK: dict[Bucket, int] = {B.WITHDRAWN: 0, B.DONE_ON_TIME: 1, B.DONE_LATE: 2, B.NO_DEADLINE: 3,
                           B.NOT_STARTED: 4, B.IN_PROGRESS: 5, B.OVERDUE: 6}
_BY_RANK = sorted(RANK, key=RANK.__getitem__)
_ABOVE = 7  # above every rank but withdrawn's: the "lowest" of withdrawn items, or of none
_LEAD = 8  # added to a lead assignment's rank: above every rank (see _own_ranks)


def _label(rank: ColumnElement) -> ColumnElement[str]:
    """The Bucket.value of a rank (the rank is computed once: CASE's operand)."""
    return sa.case({RANK[b]: b.value for b in _BY_RANK[:-1]}, value=rank,
                   else_=_BY_RANK[-1].value)


def _bucket_case(
    state: ColumnElement, in_force: ColumnElement, completed_on: ColumnElement,
    frozen: ColumnElement, withdrawn: ColumnElement, as_of: Any,
    out: Callable[[Bucket], Any] = RANK.__getitem__,
) -> ColumnElement:
    """status.compute_status over an assignment's facts (done is tested once: nested), as
    ``out(bucket)``: its rank, or its label for a single assignment (assignment_bucket)."""
    done = sa.and_(state == "done", completed_on.is_not(None), completed_on <= as_of)
    in_time = sa.or_(in_force.is_(None), completed_on <= in_force)
    finished = sa.case(
        (frozen == sa.true(), out(B.DONE_ON_TIME)),
        (frozen == sa.false(), out(B.DONE_LATE)),
        (in_time, out(B.DONE_ON_TIME)),
        else_=out(B.DONE_LATE),
    )
    return sa.case(
        (withdrawn, out(B.WITHDRAWN)),
        (done, finished),
        (in_force.is_(None), out(B.NO_DEADLINE)),
        (in_force < as_of, out(B.OVERDUE)),
        (state == "not_started", out(B.NOT_STARTED)),
        else_=out(B.IN_PROGRESS),
    )


def _frozen(a: type[Assignment], against: str) -> ColumnElement:
    return a.on_time if against == EXTENDED else a.on_time_original


def _facts_columns(
    day: Day, against: str, a: type[Assignment], d: type[Directive]
) -> tuple[ColumnElement, ColumnElement, ColumnElement, ColumnElement]:
    """(state, deadline in force, withdrawn, role) of assignment ``a`` on the day."""
    if day.history:
        facts = AsOf(day.as_of, day.eod, a, d)
        deadline = facts.deadline()
        in_force = deadline if against != EXTENDED else sa.func.coalesce(facts.extended(),
                                                                         deadline)
        return facts.state(), in_force, facts.withdrawn(), facts.role()
    return (a.state, deadline_in_force(a, day.as_of, against),
            _withdrawn_as_stored(a, d.withdrawn_at), a.role)


def _withdrawn_as_stored(a: type[Assignment], directive_withdrawn_at: ColumnElement
                         ) -> ColumnElement[bool]:
    """The directive was withdrawn, or the unit's part of it was."""
    return sa.or_(directive_withdrawn_at.is_not(None), a.state == "withdrawn")


def _today_rank(day: Day, against: str, a: type[Assignment],
                d: type[Directive]) -> ColumnElement[int]:
    """The rank of assignment ``a`` (directive ``d``) judged as stored."""
    return _stored_rank(day, against, a, _withdrawn_as_stored(a, d.withdrawn_at))


def _stored_rank(day: Day, against: str, a: type[Assignment],
                 withdrawn: ColumnElement[bool]) -> ColumnElement[int]:
    return _bucket_case(a.state, deadline_in_force(a, day.as_of, against), a.completed_on,
                        _frozen(a, against), withdrawn, day.as_of)


def assignment_bucket(
    as_of: dt.date,
    against: str = EXTENDED,
    a: type[Assignment] = Assignment,
    d: type[Directive] = Directive,
) -> ColumnElement[str]:
    """status.compute_status for one assignment (as of a past day: over asof's facts); needs its
    directive joined as `d`. For counting many, ``assignment_facts`` computes each fact once.
    Built at each call: it reads the outer statement's rows, so it cannot be compiled alone."""
    state, in_force, withdrawn, _ = _facts_columns(day_of(as_of), against, a, d)
    return _bucket_case(state, in_force, a.completed_on, _frozen(a, against), withdrawn, as_of,
                        lambda b: b.value)


FACT_COLUMNS: dict[str, Any] = {"id": sa.Integer, "directive_id": sa.Integer,
                                 "period_id": sa.Integer, "unit_id": sa.Integer,
                                 "role": sa.String, "bucket": sa.String}


def assignment_facts(
    as_of: dt.date,
    against: str = EXTENDED,
    *,
    period_id: int | None = None,
    directive_ids: Collection[int] | None = None,
    unit_ids: Collection[int] | None = None,
    name: str = "assignment_facts",
) -> sa.Subquery:
    """Assignments that existed on the day: (id, directive_id, period_id, unit_id, role,
    bucket); period_id is the directive's, so counting per period needs no other join.

    Compiled once per shape (sql_shapes.py); its values are bound under names that start
    with ``name``, so two of them may sit in one statement under different names.
    """
    history = uses_history(as_of)
    scoped = (period_id is not None, directive_ids is not None, unit_ids is not None)
    day, scope, slots = shape_slots(name, history, *scoped)
    shape = compile_once(("facts", name, against, history, scoped),
                         lambda: _facts_tree(day, against, scope, name), slots)
    values = shape_values(name, as_of, period_id, directive_ids, unit_ids)
    return shape.bind(values, FACT_COLUMNS).subquery(name)


def _facts_tree(day: Day, against: str, scope: Scope, name: str) -> sa.Select:
    """assignment_facts as a tree: the rank of each row, labelled at the edge."""
    if day.history:
        rows = _history_rows(day, against, scope, name)
        return sa.select(rows.c.id, rows.c.directive_id, rows.c.period_id, rows.c.unit_id,
                         rows.c.role, _label(rows.c.rank).label("bucket"))
    if scope.unit_ids is not None and scope.directive_ids is None:
        return _unit_facts(day, against, scope, name)
    a = aliased(Assignment, name=f"{name}_a")
    d = aliased(Directive, name=f"{name}_d")
    stmt = _scoped(
        sa.select(a.id, a.directive_id, d.period_id, a.unit_id, a.role,
                  _label(_today_rank(day, against, a, d)).label("bucket"))
        .join(d, d.id == a.directive_id), d, scope,
    )
    if scope.unit_ids is not None:
        stmt = stmt.where(is_in(a.unit_id, scope.unit_ids))
    return stmt


def _unit_facts(day: Day, against: str, scope: Scope, name: str) -> sa.Select:
    """Today, units' assignments from their rows alone: the directive's period and withdrawal
    are copied on each (migration 0017's triggers), so ix_assignment_unit_record answers a
    ward's ten years without looking up each directive (PostgreSQL: 1.9 -> 0.8 ms)."""
    a = aliased(Assignment, name=f"{name}_a")
    copied = sa.inspect(a).selectable.c  # the columns the ORM does not map
    withdrawn = _withdrawn_as_stored(a, copied.directive_withdrawn_at)
    stmt = (sa.select(a.id, a.directive_id, copied.period_id, a.unit_id, a.role,
                      _label(_stored_rank(day, against, a, withdrawn)).label("bucket"))
            .where(is_in(a.unit_id, scope.unit_ids)))
    if scope.period_id is not None:
        stmt = stmt.where(copied.period_id == scope.period_id)
    return stmt


def _history_rows(day: Day, against: str, scope: Scope, name: str) -> sa.Subquery:
    """Each assignment existing on the past day: (id, directive_id, period_id, unit_id, role,
    rank). Its facts are correlated subqueries over the history, computed once per row in an
    inner query the database may not flatten (OFFSET 0): the rank reads each several times."""
    a = aliased(Assignment, name=f"{name}_a")
    d = aliased(Directive, name=f"{name}_d")
    facts = AsOf(day.as_of, day.eod, a, d)
    parts = facts.state_parts()
    deadline = facts.deadline()
    in_force = deadline if against != EXTENDED else sa.func.coalesce(facts.extended(), deadline)
    inner = _scoped(
        sa.select(a.id.label("id"), a.directive_id.label("directive_id"),
                  d.period_id.label("period_id"), a.unit_id.label("unit_id"),
                  facts.role().label("role"), *[value.label(key) for key, value in parts.items()],
                  in_force.label("in_force"), a.completed_on.label("completed_on"),
                  _frozen(a, against).label("frozen"), facts.withdrawn().label("withdrawn"))
        .join(d, d.id == a.directive_id)
        .where(facts.exists()),
        d, scope,
    )
    if scope.unit_ids is not None:
        inner = inner.where(is_in(a.unit_id, scope.unit_ids))
    f = inner.offset(0).subquery(f"{name}_inner")
    rank = _bucket_case(AsOf.state_of({key: f.c[key] for key in parts}), f.c.in_force,
                        f.c.completed_on, f.c.frozen, f.c.withdrawn, day.as_of)
    return sa.select(f.c.id, f.c.directive_id, f.c.period_id, f.c.unit_id, f.c.role,
                     rank.label("rank")).subquery(f"{name}_rows")


def deadline_in_force(a: type[Assignment], as_of: Any, against: str) -> ColumnElement:
    """status.deadline_in_force over the stored row."""
    if against != EXTENDED:
        return a.deadline
    approved = sa.and_(
        a.extended_deadline.is_not(None),
        sa.or_(a.extension_approved_on.is_(None), a.extension_approved_on <= as_of),
    )
    return sa.case((approved, a.extended_deadline), else_=a.deadline)


# --- directives: roll-up over ranks ------------------------------------------------------------


def _roll_up(n: ColumnElement, top: ColumnElement, low: ColumnElement,
             empty: ColumnElement) -> ColumnElement[int]:
    """status.roll_up over n items, ``top`` the highest rank among them and ``low`` the lowest
    among those not withdrawn (_ABOVE when none); ``empty`` with no item (directive_roll_up).

    roll_up's branches in rank order: every item withdrawn (top withdrawn); all the others done,
    late if one is (top done late or on time); one overdue (top overdue); the open ones all
    without deadline (top no deadline: nothing open ranks lower); one in progress (top in
    progress). Top not started leaves one branch that reads more than the top: not started
    only when every item not withdrawn is, in progress when one is done or without deadline
    beside them (low below not started)."""
    ns = RANK[B.NOT_STARTED]
    return sa.case(
        (n == 0, empty),
        (sa.and_(top == ns, low < ns), RANK[B.IN_PROGRESS]),
        else_=top,
    )


def _low(rank: ColumnElement) -> ColumnElement[int]:
    """The rank of an item for the lowest (_roll_up's ``low``): withdrawn ones above all."""
    return sa.func.coalesce(sa.func.nullif(rank, RANK[B.WITHDRAWN]), _ABOVE)


def _scoped(stmt: sa.Select, d: type[Directive], scope: Scope) -> sa.Select:
    """``stmt`` narrowed to the period, and to the directives of the ids with their
    sub-directives. Those are one list of ids, a subquery: written ``d.id IN (ids) OR
    d.parent_id IN (ids)``, SQLite walked every directive of ten years in id order (sparing
    itself a sort for the grouping by directive) to test both lists on each."""
    if scope.period_id is not None:
        stmt = stmt.where(d.period_id == scope.period_id)
    if scope.directive_ids is not None:
        picked, parents = id_rows(scope.directive_ids, "picked"), id_rows(
            scope.directive_ids, "parents")
        child = aliased(Directive, name="child")
        stmt = stmt.where(d.id.in_(sa.union_all(
            sa.select(picked.c.value),
            sa.select(child.id).select_from(parents)
            .join(child, child.parent_id == parents.c.value),
        )))
    return stmt


@dataclass(frozen=True)
class _Items:
    """The assignments judged, to join to their directive: ``target`` on ``on``, with their
    unit, role and rank as expressions over it."""

    target: sa.FromClause
    on: ColumnElement[bool]
    id: ColumnElement
    unit_id: ColumnElement
    role: ColumnElement
    rank: ColumnElement


def _items(day: Day, against: str, d: type[Directive],
           rows: sa.FromClause | None = None) -> _Items:
    """Today: the assignment table itself, joined to ``d`` in the same query (no subquery: the
    database reads each directive's assignments by index and groups them without sorting); a
    past day: ``rows`` (_history_rows)."""
    if rows is not None:
        return _Items(rows, rows.c.directive_id == d.id, rows.c.id, rows.c.unit_id, rows.c.role,
                      rows.c.rank)
    a = aliased(Assignment, name="ba_a")
    return _Items(a, a.directive_id == d.id, a.id, a.unit_id, a.role,
                  _today_rank(day, against, a, d))


def _own_ranks(day: Day, scope: Scope, items: _Items, d: type[Directive]) -> sa.CTE:
    """Every directive judged, with what its own assignments make of it, in one pass over
    them grouped per directive: (id, parent_id, field, withdrawn, empty: the rank its own
    deadline gives it with nothing to roll up, n, top, low).

    Its own items are its lead assignments, or all of them when none is lead: a lead's rank is
    aggregated with _LEAD added, above every plain rank, so the highest of a directive with a
    lead is a lead's, and the lowest is taken with _LEAD added to the others; modulo _LEAD
    gives the rank back. n counts all its assignments, lead or not: only whether it is 0 is
    read, and a directive with a lead has at least that one."""
    lead = sa.case((items.role == LEAD, _LEAD), else_=0)
    grouped = (
        sa.select(
            d.id.label("id"), d.parent_id.label("parent_id"), d.field.label("field"),
            _directive_withdrawn(day, d).label("withdrawn"), _own_rule(day, d).label("empty"),
            sa.func.count(items.id).label("n"),
            sa.func.max(lead + items.rank).label("top_key"),
            sa.func.min(_LEAD - lead + _low(items.rank)).label("low_key"),
        )
        .select_from(d).outerjoin(items.target, items.on)
        .where(_directive_exists(day, d))
        .group_by(d.id)
    )
    g = _scoped(grouped, d, scope).subquery("own_keys")
    has = g.c.n > 0
    own = sa.select(
        g.c.id, g.c.parent_id, g.c.field, g.c.withdrawn, g.c.empty, g.c.n,
        sa.case((has, g.c.top_key % _LEAD), else_=RANK[B.WITHDRAWN]).label("top"),
        sa.case((has, g.c.low_key % _LEAD), else_=_ABOVE).label("low"),
    )
    # Read twice (sub-directives, every directive): computed once.
    return own.cte("own_ranks").prefix_with("MATERIALIZED")


def _own_rule(day: Day, d: type[Directive]) -> ColumnElement[int]:
    """directive_roll_up with nothing to roll up: the directive's own deadline decides."""
    deadline = _directive_deadline(day, d)
    return sa.case(
        (deadline.is_(None), RANK[B.NO_DEADLINE]),
        (deadline < day.as_of, RANK[B.OVERDUE]),
        else_=RANK[B.NOT_STARTED],
    )


def _ranks_tree(day: Day, against: str, scope: Scope,
                rows: sa.FromClause | None = None) -> sa.Subquery:
    """Every directive judged with its rank: (directive_id, parent_id, field, rank), from its
    own lead work and its sub-directives (directive_roll_up), sub-directives from their own."""
    d = aliased(Directive, name="bd")
    own = _own_ranks(day, scope, _items(day, against, d, rows), d)
    withdrawn = RANK[B.WITHDRAWN]
    # Sub-directives: their own work only (one level), each one item of its parent.
    leaf = (
        sa.select(own.c.parent_id,
                  sa.case((own.c.withdrawn, withdrawn),
                          else_=_roll_up(own.c.n, own.c.top, own.c.low, own.c.empty))
                  .label("rank"))
        .where(own.c.parent_id.is_not(None))
        .subquery("leaf_ranks")
    )
    children = (
        sa.select(leaf.c.parent_id, sa.func.count().label("n"),
                  sa.func.max(leaf.c.rank).label("top"),
                  sa.func.min(_low(leaf.c.rank)).label("low"))
        .group_by(leaf.c.parent_id)
        .subquery("child_ranks")
    )
    n = own.c.n + sa.func.coalesce(children.c.n, 0)
    top = greatest(own.c.top, sa.func.coalesce(children.c.top, withdrawn))
    low = least(own.c.low, sa.func.coalesce(children.c.low, _ABOVE))
    rank = sa.case((own.c.withdrawn, withdrawn), else_=_roll_up(n, top, low, own.c.empty))
    return (
        sa.select(own.c.id.label("directive_id"), own.c.parent_id, own.c.field,
                  rank.label("rank"))
        .select_from(own)
        .outerjoin(children, children.c.parent_id == own.c.id)
        .subquery("directive_ranks")
    )


BUCKETS = "directive_buckets"
# Where directive_buckets' directive_ids go in its text (shape_values' naming): a statement
# built around it once may be given other ids under this name when it runs.
BUCKETS_IDS_PARAM = f"{BUCKETS}_directive_ids"


def directive_buckets(
    as_of: dt.date,
    against: str = EXTENDED,
    *,
    period_id: int | None = None,
    directive_ids: Collection[int] | None = None,
) -> sa.CTE:
    """A table (directive_id, bucket): the directive_roll_up of every directive that existed
    on the day (as of a past day: asof.Book.status).

    With period_id only that period's directives are computed (the usual case); without it, all.
    directive_ids (ids of top-level directives) narrows it further to those directives
    and their sub-directives, so a list filtered by field or text over ten years aggregates the
    assignments of the candidates only, not of every directive.

    Compiled once per shape (sql_shapes.py); a call binds its values.
    """
    name = BUCKETS
    history = uses_history(as_of)
    scoped = (period_id is not None, directive_ids is not None, False)
    day, scope, slots = shape_slots(name, history, *scoped)

    def build() -> sa.Select:
        ranks = _ranks_tree(day, against, scope, _rows_of(day, against, scope))
        return sa.select(ranks.c.directive_id, _label(ranks.c.rank).label("bucket"))

    shape: Shape = compile_once(("buckets", against, history, scoped), build, slots)
    values = shape_values(name, as_of, period_id, directive_ids, None)
    # A materialized CTE of the statement around it, not a subquery: its text holds CTEs of its
    # own, and PostgreSQL, unable to flatten such a subquery, may re-run it for each row of a
    # join (seconds on tables not analysed yet); computed once, it is joined like a table.
    columns = {"directive_id": sa.Integer, "bucket": sa.String}
    return shape.bind(values, columns).cte(name).prefix_with("MATERIALIZED")


def _rows_of(day: Day, against: str, scope: Scope) -> sa.CTE | None:
    """The assignments' rows to roll up: none today (_items reads the table), else the
    history's, computed once before they are joined: as a subquery of the join, PostgreSQL
    ran their correlated subqueries again for each directive (seconds on a small table not
    analysed yet, which it takes for one row)."""
    if not day.history:
        return None
    rows = _history_rows(day, against, scope, "ba")
    return sa.select(rows).cte("history_rows").prefix_with("MATERIALIZED")


def top_level_counts(as_of: dt.date, against: str = EXTENDED, *,
                     period_id: int | None = None) -> sa.Subquery:
    """The top-level directives counted per bucket: (bucket, n), in one statement that knows
    which are top-level. Joining directive_buckets back to the directive table for it may cost
    more than the buckets on SQLite: its statistics cannot tell NULL parents from the others,
    so it takes ``parent_id IS NULL`` for rare and may build a filter over every directive of
    ten years first (7 ms at province scale)."""
    name = "top_level_counts"
    history = uses_history(as_of)
    scoped = (period_id is not None, False, False)
    day, scope, slots = shape_slots(name, history, *scoped)

    def build() -> sa.Select:
        ranks = _ranks_tree(day, against, scope, _rows_of(day, against, scope))
        counts = (sa.select(ranks.c.rank, sa.func.count().label("n"))
                  .where(ranks.c.parent_id.is_(None)).group_by(ranks.c.rank).subquery("counts"))
        return sa.select(_label(counts.c.rank).label("bucket"), counts.c.n)

    shape = compile_once(("top_counts", against, history, scoped), build, slots)
    values = shape_values(name, as_of, period_id, None, None)
    return shape.bind(values, {"bucket": sa.String, "n": sa.Integer}).subquery(name)


def period_board(as_of: dt.date, against: str = EXTENDED, *, period_id: int) -> sa.Subquery:
    """The dashboard's counts of one period in one statement: (field, unit_id, bucket, n), the
    top-level directives per field (unit_id NULL) and the assignments per unit (field NULL)."""
    name = "period_board"
    history = uses_history(as_of)
    day, scope, slots = shape_slots(name, history, True, False, False)
    shape = compile_once(("board", against, history),
                         lambda: _board_tree(day, against, scope), slots)
    values = shape_values(name, as_of, period_id, None, None)
    return shape.bind(values, {"field": sa.String, "unit_id": sa.Integer,
                               "bucket": sa.String, "n": sa.Integer}).subquery(name)


def _board_tree(day: Day, against: str, scope: Scope) -> sa.Select:
    """Today the period's assignments are read twice, once grouped per directive for the
    roll-up and once per unit: cheaper than writing them to a temporary table first. A past
    day's facts are computed once (_rows_of), read by both."""
    rows = _rows_of(day, against, scope)
    ranks = _ranks_tree(day, against, scope, rows)
    per_field = (
        sa.select(ranks.c.field.label("field"), sa.cast(sa.null(), sa.Integer).label("unit_id"),
                  ranks.c.rank, sa.func.count().label("n"))
        .where(ranks.c.parent_id.is_(None))
        .group_by(ranks.c.field, ranks.c.rank)
    )
    board = sa.union_all(per_field, _per_unit(day, against, scope, rows)).subquery("board")
    return sa.select(board.c.field, board.c.unit_id, _label(board.c.rank).label("bucket"),
                     board.c.n)


def _per_unit(day: Day, against: str, scope: Scope,
              rows: sa.FromClause | None) -> sa.Select:
    """The assignments counted per unit and rank (field NULL)."""
    if rows is None:
        d = aliased(Directive, name="board_d")
        a = aliased(Assignment, name="board_a")
        unit_id, rank = a.unit_id, _today_rank(day, against, a, d)
        stmt = _scoped(sa.select().select_from(d).join(a, a.directive_id == d.id), d, scope)
    else:
        unit_id, rank, stmt = rows.c.unit_id, rows.c.rank, sa.select().select_from(rows)
    return (stmt.add_columns(sa.cast(sa.null(), sa.String).label("field"),
                             unit_id.label("unit_id"), rank.label("rank"),
                             sa.func.count().label("n"))
            .group_by(unit_id, rank))


def bucket_rank(bucket_col: ColumnElement) -> ColumnElement[int]:
    """Position in BUCKET_ORDER (overdue first), for sorting by bucket."""
    return sa.case(
        *[(bucket_col == b.value, i) for i, b in enumerate(BUCKET_ORDER)], else_=len(BUCKET_ORDER)
    )
