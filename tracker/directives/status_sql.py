"""The bucket rules of status.py as SQL expressions, for filtering and counting in the database.

Pages show buckets computed by the pure functions (status.py via presenters.py). Filtering a list
by bucket, sorting by it, or counting a unit's record over ten years cannot load every directive
into Python, so the same rules are written here once more as CASE expressions. Every branch
mirrors a line of compute_status / roll_up / directive_status; tests/directives/test_status_sql.py
checks that both agree on every boundary case. Change one, change the other.

Depth: a directive rolls up from its sub-directives, and sub-directives from their assignments
(the importer and the editor create one level of sub-directives, as the monthly report does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from tracker.constants import LEAD
from tracker.directives.models import Assignment, Directive
from tracker.directives.status import BUCKET_ORDER, EXTENDED, Bucket

B = Bucket


def deadline_in_force(a: type[Assignment], as_of: dt.date, against: str) -> ColumnElement:
    """status.deadline_in_force: the extension counts once approved, and only when asked for."""
    if against != EXTENDED:
        return a.deadline
    approved = sa.and_(
        a.extended_deadline.is_not(None),
        sa.or_(a.extension_approved_on.is_(None), a.extension_approved_on <= as_of),
    )
    return sa.case((approved, a.extended_deadline), else_=a.deadline)


def assignment_bucket(
    as_of: dt.date,
    against: str = EXTENDED,
    a: type[Assignment] = Assignment,
    d: type[Directive] = Directive,
) -> ColumnElement[str]:
    """status.compute_status for one assignment; needs its directive joined as `d`."""
    deadline = deadline_in_force(a, as_of, against)
    frozen = a.on_time if against == EXTENDED else a.on_time_original
    done = sa.and_(a.state == "done", a.completed_on.is_not(None), a.completed_on <= as_of)
    in_time = sa.or_(deadline.is_(None), a.completed_on <= deadline)
    return sa.case(
        (sa.or_(d.withdrawn_at.is_not(None), a.state == "withdrawn"), B.WITHDRAWN.value),
        (sa.and_(done, frozen == sa.true()), B.DONE_ON_TIME.value),
        (sa.and_(done, frozen == sa.false()), B.DONE_LATE.value),
        (sa.and_(done, in_time), B.DONE_ON_TIME.value),
        (done, B.DONE_LATE.value),
        (deadline.is_(None), B.NO_DEADLINE.value),
        (deadline < as_of, B.OVERDUE.value),
        (a.state == "not_started", B.NOT_STARTED.value),
        else_=B.IN_PROGRESS.value,
    )


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


def directive_buckets(
    as_of: dt.date,
    against: str = EXTENDED,
    *,
    period_id: int | None = None,
    directive_ids: Collection[int] | None = None,
) -> sa.Subquery:
    """A subquery (directive_id, bucket): presenters.directive_status for every directive.

    With period_id only that period's directives are computed (the usual case); without it, all.
    directive_ids (ids of top-level directives) narrows it further to those directives
    and their sub-directives, so a list filtered by field or text over ten years aggregates the
    assignments of the candidates only, not of every directive.
    """
    a = aliased(Assignment, name="ba")
    ad = aliased(Directive, name="bad")
    # Each assignment's bucket, computed once per row: grouping here keeps the CASE out of the
    # conditional sums below (and stops SQLite from inlining it into every one of them).
    bucket = assignment_bucket(as_of, against, a, ad).label("bucket")
    per_assignment = (
        sa.select(a.directive_id.label("directive_id"), a.role.label("role"), bucket,
                  sa.func.count().label("n"))
        .join(ad, ad.id == a.directive_id)
        .group_by(a.directive_id, a.role, bucket)
    )
    if period_id is not None:
        per_assignment = per_assignment.where(ad.period_id == period_id)
    if directive_ids is not None:
        per_assignment = per_assignment.where(
            sa.or_(ad.id.in_(directive_ids), ad.parent_id.in_(directive_ids))
        )
    ab = per_assignment.subquery("assignment_buckets")
    is_lead = ab.c.role == LEAD
    lead_n = sa.func.coalesce(sa.func.sum(sa.case((is_lead, ab.c.n), else_=0)), 0)
    leaf_cols = [ab.c.directive_id.label("directive_id"), lead_n.label("lead_n"),
                 sa.func.sum(ab.c.n).label("all_n")]
    for b in _COUNTED:
        leaf_cols.append(_count_of(ab.c.bucket, b, is_lead, ab.c.n).label(f"lead_{b.value}"))
        leaf_cols.append(_count_of(ab.c.bucket, b, None, ab.c.n).label(f"all_{b.value}"))
    counts_q = sa.select(*leaf_cols).group_by(ab.c.directive_id)
    counts = counts_q.subquery("bucket_counts")

    # Leaf rule: the lead assignments, or all of them when none is lead; no assignment at all
    # means the directive's own deadline decides.
    ld = aliased(Directive, name="bld")
    has_lead = sa.func.coalesce(counts.c.lead_n, 0) > 0

    def pick(name: str) -> ColumnElement:
        return sa.func.coalesce(
            sa.case((has_lead, counts.c[f"lead_{name}"]), else_=counts.c[f"all_{name}"]), 0
        )

    n = sa.case((has_lead, counts.c.lead_n), else_=sa.func.coalesce(counts.c.all_n, 0))
    own = sa.case(
        (ld.deadline.is_(None), B.NO_DEADLINE.value),
        (ld.deadline < as_of, B.OVERDUE.value),
        else_=B.NOT_STARTED.value,
    )
    leaf_bucket = sa.case(
        (ld.withdrawn_at.is_not(None), B.WITHDRAWN.value),
        else_=_roll_up(n, {b: pick(b.value) for b in _COUNTED}, own),
    )
    leaf_q = sa.select(
        ld.id.label("directive_id"), ld.parent_id.label("parent_id"),
        leaf_bucket.label("bucket"),
    ).outerjoin(counts, counts.c.directive_id == ld.id)
    if period_id is not None:
        leaf_q = leaf_q.where(ld.period_id == period_id)
    if directive_ids is not None:
        leaf_q = leaf_q.where(sa.or_(ld.id.in_(directive_ids), ld.parent_id.in_(directive_ids)))
    # A CTE: the leaf buckets are used twice (parents roll up from them), computed once.
    leaf = leaf_q.cte("leaf_buckets")

    # Parents roll up from their sub-directives' buckets.
    child_cols = [leaf.c.parent_id.label("parent_id"), sa.func.count().label("n")]
    child_cols += [_count_of(leaf.c.bucket, b).label(b.value) for b in _COUNTED]
    children = (
        sa.select(*child_cols)
        .where(leaf.c.parent_id.is_not(None))
        .group_by(leaf.c.parent_id)
        .subquery("child_buckets")
    )
    pd = aliased(Directive, name="bpd")
    child_n = sa.func.coalesce(children.c.n, 0)
    final = sa.case(
        (pd.withdrawn_at.is_not(None), B.WITHDRAWN.value),
        (
            child_n > 0,
            _roll_up(child_n, {b: children.c[b.value] for b in _COUNTED}, leaf.c.bucket),
        ),
        else_=leaf.c.bucket,
    )
    return (
        sa.select(pd.id.label("directive_id"), final.label("bucket"))
        .join(leaf, leaf.c.directive_id == pd.id)
        .outerjoin(children, children.c.parent_id == pd.id)
        .subquery("directive_buckets")
    )


def bucket_rank(bucket_col: ColumnElement) -> ColumnElement[int]:
    """Position in BUCKET_ORDER (overdue first), for sorting by bucket."""
    return sa.case(
        *[(bucket_col == b.value, i) for i, b in enumerate(BUCKET_ORDER)], else_=len(BUCKET_ORDER)
    )
