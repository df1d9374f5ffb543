"""The bucket rules of status.py and asof.py as SQL expressions, for filtering and counting.

Pages show buckets computed by the pure functions (status.py, asof.py via presenters.py).
Filtering a list by bucket, sorting by it, or counting a unit's record over ten years cannot load
every directive into Python, so the same rules are written here once more as CASE expressions.
Every branch mirrors a line of compute_status / roll_up / directive_roll_up, and for a past day
of asof.assignment_as_of / directive_as_of; tests/directives/test_status_sql.py and
tests/directives/test_asof_sql.py check that both agree on every boundary case. Change one,
change the other.

For today and later the rows are judged as stored (nothing can be recorded after now); for a
past day each assignment's state, deadline, role and extension are rebuilt from its history
with correlated subqueries (progress records, extension requests, the audit trail's ``before``
values), so the count of queries stays one whatever the amount of data.

Depth: a directive rolls up from its own lead assignments and its sub-directives, and
sub-directives from their assignments (the importer and the editor create one level of
sub-directives, as the monthly report does).

``assignment_facts``, ``directive_buckets`` and the dashboard's ``period_board`` are built once
per process for each shape (the deadline compared against, today or a past day, which filters)
with slots for the day, the period and the ids, compiled to text (sql_shapes.py); a call binds
its values to that text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from tracker.constants import LEAD
from tracker.core import clock
from tracker.core.models import AuditEvent
from tracker.directives.asof import REPLAYED_STATES
from tracker.directives.models import Assignment, Directive, ExtensionRequest, ProgressUpdate
from tracker.directives.sql_shapes import (
    Shape,
    Slot,
    compile_once,
    is_in,
    json_date,
    json_has,
    json_text,
)
from tracker.directives.status import BUCKET_ORDER, EXTENDED, Bucket

B = Bucket


def uses_history(as_of: dt.date) -> bool:
    """presenters.uses_history: a past day is rebuilt from the history."""
    return as_of < clock.today()


@dataclass(frozen=True)
class _Day:
    """The day judged: ``as_of`` and the end of it (``clock.end_of_day``), as values for an
    expression built for one call, or as slots for a shape compiled once; ``history``: a past
    day, rebuilt from the history (decides the shape)."""

    as_of: Any
    eod: Any
    history: bool


def _day_of(as_of: dt.date) -> _Day:
    return _Day(as_of, clock.end_of_day(as_of), uses_history(as_of))


@dataclass(frozen=True)
class _Scope:
    """The filters of a shape, as slots (None: not filtered)."""

    period_id: Slot | None = None
    directive_ids: Slot | None = None
    unit_ids: Slot | None = None


# --- one assignment as of a day ----------------------------------------------------------------


class _AsOf:
    """Correlated expressions for assignment ``a`` (directive ``d``) at the end of ``as_of``."""

    def __init__(self, day: _Day, a: type[Assignment], d: type[Directive]) -> None:
        self.as_of, self.eod, self.a, self.d = day.as_of, day.eod, a, d

    def _undo(self, entity: str, entity_id: ColumnElement, key: str, current: ColumnElement,
              *, date: bool = False) -> ColumnElement:
        """asof.rolled_back: the ``before`` of the first audited change after the day."""
        ae = aliased(AuditEvent)
        where = (ae.entity == entity, ae.entity_id == entity_id, ae.at >= self.eod,
                 json_has(ae.before, sa.literal(key, literal_execute=True)))
        value_fn = json_date if date else json_text
        value = (
            sa.select(value_fn(ae.before, sa.literal(key, literal_execute=True)))
            .where(*where).order_by(ae.at, ae.id).limit(1).scalar_subquery()
        )
        return sa.case((sa.exists().where(*where), value), else_=current)

    def state_parts(self) -> dict[str, ColumnElement]:
        """What asof._state reads: the last record's kind by the end of the day, the state
        before the first audited change after it, whether the unit ever reported, the row."""
        a = self.a
        pu = aliased(ProgressUpdate)
        last_kind = (
            sa.select(pu.kind).where(pu.assignment_id == a.id, pu.created_at < self.eod)
            .order_by(pu.created_at.desc(), pu.id.desc()).limit(1).scalar_subquery()
        )
        ae = aliased(AuditEvent)
        key = sa.literal("state", literal_execute=True)
        undo_state = (
            sa.select(json_text(ae.before, key))
            .where(ae.entity == "assignment", ae.entity_id == a.id, ae.at >= self.eod,
                   json_has(ae.before, key))
            .order_by(ae.at, ae.id).limit(1).scalar_subquery()
        )
        any_record = sa.exists().where(aliased(ProgressUpdate).assignment_id == a.id)
        return {"last_kind": last_kind, "undo_state": undo_state, "any_record": any_record,
                "row_state": a.state}

    @staticmethod
    def state_of(parts: dict[str, ColumnElement]) -> ColumnElement[str]:
        """asof._state over the parts (each read several times: compute them once first)."""
        last_kind, undo_state = parts["last_kind"], parts["undo_state"]
        return sa.case(
            (last_kind.in_(["progress", "returned"]), "in_progress"),
            (last_kind == "completion", "awaiting_confirmation"),
            (last_kind == "confirmed", "done"),
            (last_kind.is_not(None), "in_progress"),
            (undo_state.in_(list(REPLAYED_STATES)), undo_state),
            (parts["any_record"], "not_started"),
            (parts["row_state"] == "withdrawn", "not_started"),
            else_=parts["row_state"],
        )

    def state(self) -> ColumnElement[str]:
        return self.state_of(self.state_parts())

    def deadline(self) -> ColumnElement:
        return self._undo("assignment", self.a.id, "deadline", self.a.deadline, date=True)

    def role(self) -> ColumnElement:
        return self._undo("assignment", self.a.id, "role", self.a.role)

    def extended(self) -> ColumnElement:
        """The extension in force by the end of the day (asof._extensions), or NULL."""
        a = self.a
        er = aliased(ExtensionRequest)
        latest = (
            sa.select(er.proposed_deadline)
            .where(er.assignment_id == a.id, er.status == "approved",
                   er.decided_at.is_not(None), er.decided_at < self.eod)
            .order_by(er.decided_at.desc(), er.id.desc()).limit(1).scalar_subquery()
        )
        any_request = sa.exists().where(aliased(ExtensionRequest).assignment_id == a.id)
        stored = sa.case(
            (sa.and_(a.extended_deadline.is_not(None),
                     sa.or_(a.extension_approved_on.is_(None),
                            a.extension_approved_on <= self.as_of)), a.extended_deadline),
            else_=sa.null(),
        )
        return sa.case((any_request, latest), else_=stored)

    def exists(self) -> ColumnElement[bool]:
        return sa.or_(self.a.assigned_on.is_(None), self.a.assigned_on <= self.as_of)

    def withdrawn(self) -> ColumnElement[bool]:
        return sa.and_(self.d.withdrawn_at.is_not(None), self.d.withdrawn_at < self.eod)


def directive_deadline(as_of: dt.date, d: type[Directive]) -> ColumnElement:
    """A directive's own deadline as of the day (asof.directive_as_of)."""
    return _directive_deadline(_day_of(as_of), d)


def _directive_deadline(day: _Day, d: type[Directive]) -> ColumnElement:
    if not day.history:
        return d.deadline
    return _AsOf(day, Assignment, d)._undo("directive", d.id, "deadline", d.deadline, date=True)


def directive_exists(as_of: dt.date, d: type[Directive]) -> ColumnElement[bool]:
    """Entered by the end of the day, or given to a unit by then (asof.directive_as_of)."""
    return _directive_exists(_day_of(as_of), d)


def _directive_exists(day: _Day, d: type[Directive]) -> ColumnElement[bool]:
    if not day.history:
        return sa.true()
    given = aliased(Assignment)
    return sa.or_(
        d.created_at.is_(None),
        d.created_at < day.eod,
        sa.exists().where(given.directive_id == d.id,
                          sa.or_(given.assigned_on.is_(None), given.assigned_on <= day.as_of)),
    )


def assignment_exists(
    as_of: dt.date, a: type[Assignment] = Assignment
) -> ColumnElement[bool]:
    return _assignment_exists(_day_of(as_of), a)


def _assignment_exists(day: _Day, a: type[Assignment]) -> ColumnElement[bool]:
    if not day.history:
        return sa.true()
    return sa.or_(a.assigned_on.is_(None), a.assigned_on <= day.as_of)


def _bucket_case(
    state: ColumnElement, in_force: ColumnElement, completed_on: ColumnElement,
    frozen: ColumnElement, withdrawn: ColumnElement, as_of: Any,
) -> ColumnElement[str]:
    """status.compute_status over an assignment's facts (done is tested once: nested)."""
    done = sa.and_(state == "done", completed_on.is_not(None), completed_on <= as_of)
    in_time = sa.or_(in_force.is_(None), completed_on <= in_force)
    finished = sa.case(
        (frozen == sa.true(), B.DONE_ON_TIME.value),
        (frozen == sa.false(), B.DONE_LATE.value),
        (in_time, B.DONE_ON_TIME.value),
        else_=B.DONE_LATE.value,
    )
    return sa.case(
        (withdrawn, B.WITHDRAWN.value),
        (done, finished),
        (in_force.is_(None), B.NO_DEADLINE.value),
        (in_force < as_of, B.OVERDUE.value),
        (state == "not_started", B.NOT_STARTED.value),
        else_=B.IN_PROGRESS.value,
    )


def _facts_columns(
    day: _Day, against: str, a: type[Assignment], d: type[Directive]
) -> tuple[ColumnElement, ColumnElement, ColumnElement, ColumnElement]:
    """(state, deadline in force, withdrawn, role) of assignment ``a`` on the day."""
    if day.history:
        facts = _AsOf(day, a, d)
        deadline = facts.deadline()
        in_force = deadline if against != EXTENDED else sa.func.coalesce(facts.extended(),
                                                                         deadline)
        return facts.state(), in_force, facts.withdrawn(), facts.role()
    withdrawn = sa.or_(d.withdrawn_at.is_not(None), a.state == "withdrawn")
    return a.state, deadline_in_force(a, day.as_of, against), withdrawn, a.role


def assignment_bucket(
    as_of: dt.date,
    against: str = EXTENDED,
    a: type[Assignment] = Assignment,
    d: type[Directive] = Directive,
) -> ColumnElement[str]:
    """status.compute_status for one assignment (as of a past day: over asof's facts); needs its
    directive joined as `d`. For counting many, ``assignment_facts`` computes each fact once.
    Built at each call: it reads the outer statement's rows, so it cannot be compiled alone."""
    state, in_force, withdrawn, _ = _facts_columns(_day_of(as_of), against, a, d)
    frozen = a.on_time if against == EXTENDED else a.on_time_original
    return _bucket_case(state, in_force, a.completed_on, frozen, withdrawn, as_of)


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
    day, scope, slots = _slots(name, history, *scoped)
    shape = compile_once(("facts", name, against, history, scoped),
                         lambda: sa.select(_facts_tree(day, against, scope, name)), slots)
    values = _values(name, as_of, period_id, directive_ids, unit_ids)
    return shape.bind(values, FACT_COLUMNS).subquery(name)


def _slots(prefix: str, history: bool, period: bool, directives: bool,
           units: bool) -> tuple[_Day, _Scope, list[Slot]]:
    """The day and the filters of a shape as slots named ``<prefix>_as_of`` and so on."""
    day = _Day(Slot(f"{prefix}_as_of", sa.Date()), Slot(f"{prefix}_eod", sa.DateTime()),
               history)
    scope = _Scope(
        Slot(f"{prefix}_period_id", sa.Integer()) if period else None,
        Slot(f"{prefix}_directive_ids", sa.Integer(), many=True) if directives else None,
        Slot(f"{prefix}_unit_ids", sa.Integer(), many=True) if units else None,
    )
    slots = [day.as_of, day.eod, *(s for s in (scope.period_id, scope.directive_ids,
                                               scope.unit_ids) if s is not None)]
    return day, scope, slots


def _values(prefix: str, as_of: dt.date, period_id: int | None,
            directive_ids: Collection[int] | None,
            unit_ids: Collection[int] | None) -> dict[str, object]:
    return {
        f"{prefix}_as_of": as_of,
        f"{prefix}_eod": clock.end_of_day(as_of),
        f"{prefix}_period_id": period_id,
        f"{prefix}_directive_ids": None if directive_ids is None else list(directive_ids),
        f"{prefix}_unit_ids": None if unit_ids is None else list(unit_ids),
    }


def _facts_tree(day: _Day, against: str, scope: _Scope, name: str) -> sa.Subquery:
    """assignment_facts as a tree. Each fact is computed once per row in an inner query the
    database may not flatten (OFFSET 0): the CASE expressions above it read each fact several
    times."""
    a = aliased(Assignment, name=f"{name}_a")
    d = aliased(Directive, name=f"{name}_d")
    frozen = a.on_time if against == EXTENDED else a.on_time_original
    if day.history:
        facts = _AsOf(day, a, d)
        parts = facts.state_parts()
        deadline = facts.deadline()
        in_force = deadline if against != EXTENDED else sa.func.coalesce(facts.extended(),
                                                                         deadline)
        withdrawn, role = facts.withdrawn(), facts.role()
    else:
        parts = {"row_state": a.state}
        in_force = deadline_in_force(a, day.as_of, against)
        withdrawn = sa.or_(d.withdrawn_at.is_not(None), a.state == "withdrawn")
        role = a.role
    inner = (
        sa.select(a.id.label("id"), a.directive_id.label("directive_id"),
                  d.period_id.label("period_id"), a.unit_id.label("unit_id"), role.label("role"),
                  *[value.label(key) for key, value in parts.items()],
                  in_force.label("in_force"), a.completed_on.label("completed_on"),
                  frozen.label("frozen"), withdrawn.label("withdrawn"))
        .join(d, d.id == a.directive_id)
        .where(_assignment_exists(day, a))
    )
    inner = _scoped(inner, d, scope)
    if scope.unit_ids is not None:
        inner = inner.where(is_in(a.unit_id, scope.unit_ids))
    f = inner.offset(0).subquery(f"{name}_inner")
    state = _AsOf.state_of({key: f.c[key] for key in parts}) if day.history else f.c.row_state
    bucket = _bucket_case(state, f.c.in_force, f.c.completed_on, f.c.frozen, f.c.withdrawn,
                          day.as_of)
    return sa.select(f.c.id, f.c.directive_id, f.c.period_id, f.c.unit_id, f.c.role,
                     bucket.label("bucket")).subquery(name)


def deadline_in_force(a: type[Assignment], as_of: Any, against: str) -> ColumnElement:
    """status.deadline_in_force over the stored row."""
    if against != EXTENDED:
        return a.deadline
    approved = sa.and_(
        a.extended_deadline.is_not(None),
        sa.or_(a.extension_approved_on.is_(None), a.extension_approved_on <= as_of),
    )
    return sa.case((approved, a.extended_deadline), else_=a.deadline)


# --- directives: roll-up over counts -----------------------------------------------------------


def _count_of(
    bucket_col: ColumnElement,
    bucket: Bucket,
    extra: ColumnElement | None = None,
    weight: ColumnElement | int = 1,
):
    cond = bucket_col == bucket.value
    if extra is not None:
        cond = sa.and_(extra, cond)
    return sa.func.coalesce(sa.func.sum(sa.case((cond, weight), else_=0)), 0)


def _count_if(cond: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet ``cond``."""
    return sa.func.sum(sa.case((cond, 1), else_=0))


_COUNTED = [B.DONE_ON_TIME, B.DONE_LATE, B.OVERDUE, B.NO_DEADLINE, B.NOT_STARTED, B.WITHDRAWN]


def _roll_up(n: ColumnElement, c: dict[Bucket, ColumnElement], empty: ColumnElement | str):
    """status.roll_up over counts: n items, c[bucket] of them in each bucket."""
    items = n - c[B.WITHDRAWN]
    open_items = items - c[B.DONE_ON_TIME] - c[B.DONE_LATE]
    return sa.case(
        (n == 0, empty),
        (items == 0, B.WITHDRAWN.value),
        (sa.and_(open_items == 0, c[B.DONE_LATE] > 0), B.DONE_LATE.value),
        (open_items == 0, B.DONE_ON_TIME.value),
        (c[B.OVERDUE] > 0, B.OVERDUE.value),
        (c[B.NO_DEADLINE] == open_items, B.NO_DEADLINE.value),
        (c[B.NOT_STARTED] == items, B.NOT_STARTED.value),
        else_=B.IN_PROGRESS.value,
    )


def _scoped(stmt: sa.Select, d: type[Directive], scope: _Scope) -> sa.Select:
    if scope.period_id is not None:
        stmt = stmt.where(d.period_id == scope.period_id)
    if scope.directive_ids is not None:
        ids = scope.directive_ids
        stmt = stmt.where(sa.or_(is_in(d.id, ids), is_in(d.parent_id, ids)))
    return stmt


def _materialized(stmt: sa.Select, name: str) -> sa.CTE:
    return stmt.cte(name).prefix_with("MATERIALIZED")


def _bucket_facts(day: _Day, against: str, scope: _Scope) -> sa.Subquery:
    """(directive_id, unit_id, role, bucket) of each assignment, the bucket computed once per
    row (OFFSET 0: not flattened into the sums that read it a dozen times)."""
    tree = _facts_tree(day, against, scope, "ba")
    return sa.select(tree.c.directive_id, tree.c.unit_id, tree.c.role,
                     tree.c.bucket).offset(0).subquery("bf")


def _own_counts(facts: sa.FromClause) -> sa.CTE:
    """Per directive: how many of its own picked assignments (the leads, or all when none is
    lead) are in each bucket (directive_id, own_n, own_<bucket>...), in one pass."""
    is_lead = facts.c.role == LEAD
    lead_n = _count_if(is_lead)
    has_lead = lead_n > 0
    cols = [facts.c.directive_id.label("directive_id"),
            sa.case((has_lead, lead_n), else_=sa.func.count()).label("own_n")]
    for b in _COUNTED:
        in_bucket = facts.c.bucket == b.value
        cols.append(sa.case((has_lead, _count_if(sa.and_(is_lead, in_bucket))),
                            else_=_count_if(in_bucket)).label(f"own_{b.value}"))
    grouped = sa.select(*cols).group_by(facts.c.directive_id)
    # Read twice (sub-directives and every directive): computed once, whatever the planner
    # thinks of the period filter (PostgreSQL re-ran it per row on unanalysed tables).
    return _materialized(grouped, "own_counts")


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
    name = "directive_buckets"
    history = uses_history(as_of)
    scoped = (period_id is not None, directive_ids is not None, False)
    day, scope, slots = _slots(name, history, *scoped)
    shape: Shape = compile_once(("buckets", against, history, scoped),
                                lambda: _buckets_tree(day, against, scope), slots)
    values = _values(name, as_of, period_id, directive_ids, None)
    # A materialized CTE of the statement around it, not a subquery: its text holds CTEs of its
    # own, and PostgreSQL, unable to flatten such a subquery, may re-run it for each row of a
    # join (seconds on tables not analysed yet); computed once, it is joined like a table.
    columns = {"directive_id": sa.Integer, "bucket": sa.String}
    return shape.bind(values, columns).cte(name).prefix_with("MATERIALIZED")


def _buckets_tree(day: _Day, against: str, scope: _Scope,
                  facts: sa.FromClause | None = None) -> sa.Select:
    """directive_buckets as a tree (over ``facts``, _bucket_facts' columns, when given)."""
    own = _own_counts(_bucket_facts(day, against, scope) if facts is None else facts)
    as_of = day.as_of

    def withdrawn(d: type[Directive]) -> ColumnElement[bool]:
        if day.history:
            return sa.and_(d.withdrawn_at.is_not(None), d.withdrawn_at < day.eod)
        return d.withdrawn_at.is_not(None)

    def own_rule(d: type[Directive]) -> ColumnElement:
        deadline = _directive_deadline(day, d)
        return sa.case(
            (deadline.is_(None), B.NO_DEADLINE.value),
            (deadline < as_of, B.OVERDUE.value),
            else_=B.NOT_STARTED.value,
        )

    def own_col(name: str) -> ColumnElement:
        return sa.func.coalesce(own.c[name], 0)

    # Sub-directives: their own work only (one level).
    ld = aliased(Directive, name="bld")
    leaf_bucket = sa.case(
        (withdrawn(ld), B.WITHDRAWN.value),
        else_=_roll_up(own_col("own_n"), {b: own_col(f"own_{b.value}") for b in _COUNTED},
                       own_rule(ld)),
    )
    leaf = _scoped(
        sa.select(ld.parent_id.label("parent_id"), leaf_bucket.label("bucket"))
        .outerjoin(own, own.c.directive_id == ld.id)
        .where(ld.parent_id.is_not(None), _directive_exists(day, ld)),
        ld, scope,
    )
    leaf = _materialized(leaf, "leaf_buckets")
    child_cols = [leaf.c.parent_id.label("parent_id"), sa.func.count().label("n")]
    child_cols += [_count_of(leaf.c.bucket, b).label(b.value) for b in _COUNTED]
    children = sa.select(*child_cols).group_by(leaf.c.parent_id).subquery("child_buckets")

    # Every directive: its own lead work and its sub-directives together (directive_roll_up).
    pd = aliased(Directive, name="bpd")

    def child_col(name: str) -> ColumnElement:
        return sa.func.coalesce(children.c[name], 0)

    total = own_col("own_n") + child_col("n")
    counts = {b: own_col(f"own_{b.value}") + child_col(b.value) for b in _COUNTED}
    final = sa.case(
        (withdrawn(pd), B.WITHDRAWN.value),
        else_=_roll_up(total, counts, own_rule(pd)),
    )
    return _scoped(
        sa.select(pd.id.label("directive_id"), final.label("bucket"))
        .outerjoin(own, own.c.directive_id == pd.id)
        .outerjoin(children, children.c.parent_id == pd.id)
        .where(_directive_exists(day, pd)),
        pd, scope,
    )


def period_board(as_of: dt.date, against: str = EXTENDED, *, period_id: int) -> sa.Subquery:
    """The dashboard's counts of one period in one statement: (field, unit_id, bucket, n), the
    top-level directives per field (unit_id NULL) and the assignments per unit (field NULL).
    Each assignment's bucket is computed once for both (directive_buckets, assignment_facts)."""
    name = "period_board"
    history = uses_history(as_of)
    day, scope, slots = _slots(name, history, True, False, False)
    shape = compile_once(("board", against, history),
                         lambda: _board_tree(day, against, scope), slots)
    values = _values(name, as_of, period_id, None, None)
    return shape.bind(values, {"field": sa.String, "unit_id": sa.Integer,
                               "bucket": sa.String, "n": sa.Integer}).subquery(name)


def _board_tree(day: _Day, against: str, scope: _Scope) -> sa.CompoundSelect:
    facts = _materialized(sa.select(_bucket_facts(day, against, scope)), "board_facts")
    buckets = _buckets_tree(day, against, scope, facts).subquery("board_buckets")
    d = aliased(Directive, name="board_d")
    per_field = (
        sa.select(d.field.label("field"), sa.cast(sa.null(), sa.Integer).label("unit_id"),
                  buckets.c.bucket, sa.func.count().label("n"))
        .join(buckets, buckets.c.directive_id == d.id)
        .where(d.parent_id.is_(None))
        .group_by(d.field, buckets.c.bucket)
    )
    per_unit = (
        sa.select(sa.cast(sa.null(), sa.String).label("field"), facts.c.unit_id,
                  facts.c.bucket, sa.func.count().label("n"))
        .group_by(facts.c.unit_id, facts.c.bucket)
    )
    return sa.union_all(per_field, per_unit)


def bucket_rank(bucket_col: ColumnElement) -> ColumnElement[int]:
    """Position in BUCKET_ORDER (overdue first), for sorting by bucket."""
    return sa.case(
        *[(bucket_col == b.value, i) for i, b in enumerate(BUCKET_ORDER)], else_=len(BUCKET_ORDER)
    )
