"""Which parts of the data a changed directive row shows on, for the page cache.

A progress report on one unit's task changes that task's directive page, the unit pages of
every unit working on that directive (they show its title and deadline), and the pages of its
period (dashboard, first page, lists); nothing else. A report that moves only the percent and
the time of the last report (no state, deadline or unit) leaves every bucket as it was: the
pages that show a period's buckets but no progress (dashboard, first page: ``ps:``) stay
valid; the lists, which show the last report's time, do not (``p:``).
tracker/core/versioning.py bumps the tokens returned here in the same transaction, and cached
pages are keyed by the tokens of the parts they show (``page_scopes``). A row this module
cannot place (a new or deleted directive, one moved to another period or parent, any other
table) makes everything stale (``base``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.core import versioning
from tracker.directives.models import (
    Assignment,
    Attachment,
    Directive,
    ExtensionRequest,
    ProgressUpdate,
)


def period_scope(period_id: int) -> str:
    """Anything shown about the period's directives (the lists: last report's time too)."""
    return f"p:{period_id}"


def period_status_scope(period_id: int) -> str:
    """The period's directives and their buckets, not the progress reported on them."""
    return f"ps:{period_id}"


# Every period's directives and buckets: moved with any period's status scope.
ALL_STATUS = "ps:all"


# What a progress report alone changes on an assignment (and the version every change moves):
# none of it counts in a bucket (status.py and status_sql.py read state, deadlines, days).
PROGRESS_ONLY = frozenset({"percent", "last_update_at", "version"})


def unit_scope(unit_id: int) -> str:
    return f"u:{unit_id}"


def directive_scope(directive_id: int) -> str:
    return f"d:{directive_id}"


class _UnknownValueError(Exception):
    """A value the row does not hold in memory: the change is not placed (base)."""


def _values(obj: object, attribute: str) -> list:
    """The attribute's value now and, while flushing, the values it replaced."""
    history = sa.inspect(obj).attrs[attribute].history
    values = [v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None]
    if not values:
        raise _UnknownValueError(attribute)  # expired or never set: do not guess
    return values


def _moved(obj: object, *attributes: str) -> bool:
    return any(sa.inspect(obj).attrs[a].history.deleted for a in attributes)


def _progress_only(obj: Assignment, change: str) -> bool:
    """An assignment whose flushed change is its percent and last report only."""
    if change != "dirty":
        return False
    state = sa.inspect(obj)
    columns = state.mapper.column_attrs.keys()  # the report's own row is noted on its own
    return all(key in PROGRESS_ONLY or not state.attrs[key].history.has_changes()
               for key in columns)


class DirectiveScopes:
    """versioning.ScopeRules for directives, their assignments and what is recorded on them."""

    def note(self, obj: object, change: str) -> Iterable[Hashable] | None:
        try:
            return self._note(obj, change)
        except _UnknownValueError:
            return None

    def _note(self, obj: object, change: str) -> Iterable[Hashable] | None:
        if isinstance(obj, Directive):
            if change != "dirty" or _moved(obj, "period_id", "parent_id"):
                return None  # the period lists, sub-task lists and counts all move
            return [("d", obj.id)]
        if isinstance(obj, Assignment):
            kind = "dp" if _progress_only(obj, change) else "d"
            return [(kind, v) for v in _values(obj, "directive_id")] + [
                ("u", v) for v in _values(obj, "unit_id")
            ]
        if isinstance(obj, ProgressUpdate):  # shown with the progress, counted in no bucket
            return [("ap", v) for v in _values(obj, "assignment_id")]
        if isinstance(obj, ExtensionRequest):  # "awaiting a decision" is part of the status
            return [("a", v) for v in _values(obj, "assignment_id")]
        if isinstance(obj, Attachment):
            return [("pu", v) for v in _values(obj, "update_id")]
        return None

    def scopes(self, session: Session, notes: set[Hashable]) -> set[str]:
        """``d``/``a``: directives and assignments whose status may have moved; ``dp``/``ap``/
        ``pu``: only progress (percent, reports, their files) was recorded on them."""
        ids: dict[str, set[int]] = {k: set() for k in ("d", "dp", "u", "a", "ap", "pu")}
        for kind, value in notes:  # type: ignore[misc]
            ids[kind].add(value)
        if ids["pu"]:
            ids["ap"] |= set(session.scalars(
                sa.select(ProgressUpdate.assignment_id).where(ProgressUpdate.id.in_(ids["pu"]))
            ))
        for kind, into in (("a", "d"), ("ap", "dp")):
            if not ids[kind]:
                continue
            for directive_id, unit_id in session.execute(
                sa.select(Assignment.directive_id, Assignment.unit_id)
                .where(Assignment.id.in_(ids[kind]))
            ).tuples():
                ids[into].add(directive_id)
                ids["u"].add(unit_id)
        return ({unit_scope(u) for u in ids["u"]}
                | _tree_scopes(session, ids["d"] | ids["dp"], status=ids["d"]))


def _tree_scopes(session: Session, directive_ids: set[int], *, status: set[int]) -> set[str]:
    """The period, every directive and every unit of the trees these directives belong to
    (a directive page shows its sub-tasks and its parent; a unit page, titles and deadlines);
    for the directives in ``status`` the period's status too. Progress alone (the others)
    shows on the directive pages and the lists, and on the reporting unit's own page only
    (a unit's page shows its own assignments): their trees' units are left alone."""
    if not directive_ids:
        return set()
    rows = session.execute(
        sa.select(Directive.id, Directive.parent_id, Directive.period_id)
        .where(Directive.id.in_(directive_ids))
    ).tuples().all()
    roots = {parent_id or id_ for id_, parent_id, _ in rows}
    status_roots = {parent_id or id_ for id_, parent_id, _ in rows if id_ in status}
    scopes = {period_scope(period_id) for _, _, period_id in rows}
    moved = {period_status_scope(period_id) for id_, _, period_id in rows if id_ in status}
    scopes |= moved | ({ALL_STATUS} if moved else set())
    if not roots:
        return scopes
    tree = session.execute(
        sa.select(Directive.id, Directive.parent_id, Assignment.unit_id)
        .outerjoin(Assignment, Assignment.directive_id == Directive.id)
        .where(sa.or_(Directive.id.in_(roots), Directive.parent_id.in_(roots)))
    ).tuples()
    for directive_id, parent_id, unit_id in tree:
        scopes.add(directive_scope(directive_id))
        if unit_id is not None and (parent_id or directive_id) in status_roots:
            scopes.add(unit_scope(unit_id))
    return scopes


def register() -> None:
    versioning.register_scope_rules(DirectiveScopes())


# --- what a page shows ----------------------------------------------------------------------


def period_page(
    *, all_periods_is_everything: bool = True, status_only: bool = False
) -> list[str] | None:
    """A page of one period (the ``period`` argument, else the default one): its scope (its
    status scope for a page showing no progress); for "every period" (the list), None: any
    change may show."""
    from flask import request

    from tracker.directives import listing, queries

    periods = queries.period_rows()
    period = listing.parse_period(request.args, periods)
    if period is None and not all_periods_is_everything:
        period = queries.pick_default(periods)
    if period is None or period.id is None:
        return None
    return [period_status_scope(period.id) if status_only else period_scope(period.id)]


def list_page() -> list[str] | None:
    """The directive list: the status of its period (or of every period) and, added while it
    is computed (``pagecache.depends_on``), the directives on the page, whose latest report it
    shows; sorted by the latest report, any change may move it: None."""
    from flask import request

    from tracker.directives import listing, queries

    if (request.args.get("sort") or "").strip() == "updated":
        return None
    period = listing.parse_period(request.args, queries.period_rows())
    if period is None:
        return [ALL_STATUS]
    return None if period.id is None else [period_status_scope(period.id)]


def unit_page(unit_id: int) -> list[str]:
    """A unit's page also shows the work of the units it replaced."""
    from tracker.units import lineage

    links = lineage.all_links()
    replaced = lineage.ancestors(unit_id, links) if links else ()
    return [unit_scope(u) for u in (unit_id, *replaced)]


def directive_page(directive_id: int) -> list[str]:
    return [directive_scope(directive_id)]
