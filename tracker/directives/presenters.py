"""Status of ORM objects, through the pure rules in status.py and asof.py.

For today (or later) the stored rows are the history: nothing can be recorded after now, so the
row holds exactly what was recorded up to the end of today and is judged directly. For a past
day the facts are rebuilt from the history (``asof.py``): a :class:`StatusBook` loads it for many
directives at once (a fixed number of queries), the single-object helpers for one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import inspect

from tracker.calendar.services import load_calendar
from tracker.constants import LEAD, PENDING
from tracker.core import clock
from tracker.directives.asof import Book
from tracker.directives.models import Assignment, Directive
from tracker.directives.status import (
    EXTENDED,
    Bucket,
    Facts,
    Status,
    compute_status,
    deadline_in_force,
    directive_roll_up,
    facts_of,
)


def uses_history(as_of: dt.date) -> bool:
    """A day before today is judged from the history, today and later from the rows."""
    return as_of < clock.today()


def _row_facts(assignment: Assignment) -> Facts:
    """The row's facts; a pending extension request counts only when the requests are loaded
    (a plain row, as the list pages read them, carries none)."""
    facts = facts_of(assignment, withdrawn=assignment.directive.is_withdrawn)
    state = inspect(assignment, raiseerr=False)
    if state is None or "extension_requests" in state.unloaded:
        return facts
    pending = [r for r in assignment.extension_requests if r.status == PENDING]
    if not pending:
        return facts
    return Facts(**{**facts.__dict__, "extension_requested": pending[-1].proposed_deadline})


def assignment_deadline(
    assignment: Assignment, as_of: dt.date, against: str = EXTENDED
) -> dt.date | None:
    """The deadline in force for this assignment on ``as_of`` (status.deadline_in_force)."""
    if uses_history(as_of):
        book = status_book([assignment.directive], as_of, against)
        return deadline_in_force(book.book.assignments[assignment.id].facts, as_of, against)  # type: ignore[union-attr]
    return deadline_in_force(facts_of(assignment), as_of, against)


class StatusBook:
    """Statuses of loaded directives (and their assignments) as of one day: ORM rows, or the
    list pages' plain rows (list_rows.py), which carry the same attributes."""

    def __init__(self, as_of: dt.date, against: str, book: Book | None) -> None:
        self.as_of = as_of
        self.against = against
        self.book = book
        self.calendar = load_calendar()

    def assignment(self, assignment: Assignment) -> Status:
        if self.book is not None and assignment.id in self.book.assignments:
            return self.book.assignment_status(assignment.id)
        return compute_status(_row_facts(assignment), self.as_of, self.against, self.calendar)

    def directive(self, directive: Directive) -> Status:
        """Rolled up from its own lead work and its sub-directives (status.directive_roll_up)."""
        if self.book is not None and directive.id in self.book.directives:
            return self.book.status(directive.id)
        if directive.is_withdrawn:
            return Status(Bucket.WITHDRAWN)
        leads = [a for a in directive.assignments if a.role == LEAD] or directive.assignments
        own = [self.assignment(a) for a in leads]
        children = [self.directive(child) for child in directive.children]
        return directive_roll_up(own, children, directive.deadline, self.as_of, self.calendar)


def status_book(
    directives: Iterable[Directive], as_of: dt.date, against: str = EXTENDED
) -> StatusBook:
    """Statuses for these directives (top level or not) and their sub-directives; for a past
    day their history is loaded in one go."""
    book = None
    if uses_history(as_of):
        from tracker.directives.asof_queries import load_book

        ids = {d.parent_id or d.id for d in directives}
        book = load_book(as_of, against, directive_ids=ids)
    return StatusBook(as_of, against, book)


def assignment_status(assignment: Assignment, as_of: dt.date, against: str = EXTENDED) -> Status:
    return status_book([assignment.directive], as_of, against).assignment(assignment)


def assignment_statuses(
    assignments: Iterable[Assignment], as_of: dt.date, against: str = EXTENDED
) -> dict[int, Status]:
    """Many assignments at once (their directives' history loaded together)."""
    items = list(assignments)
    book = status_book({a.directive for a in items}, as_of, against)
    return {a.id: book.assignment(a) for a in items}


def directive_status(directive: Directive, as_of: dt.date, against: str = EXTENDED) -> Status:
    """Rolled up from its own lead assignment(s) and its sub-directives: done only when all are
    done, overdue when any is. A directive with neither is judged by its own deadline."""
    return status_book([directive], as_of, against).directive(directive)
