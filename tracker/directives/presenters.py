"""Status of ORM objects, through the pure rules in status.py."""

from __future__ import annotations

import datetime as dt

from tracker.constants import LEAD
from tracker.directives.models import Assignment, Directive
from tracker.directives.status import (
    EXTENDED,
    Bucket,
    Status,
    compute_status,
    deadline_in_force,
    facts_of,
    roll_up,
)


def assignment_deadline(
    assignment: Assignment, as_of: dt.date, against: str = EXTENDED
) -> dt.date | None:
    """The deadline in force for this assignment on ``as_of`` (status.deadline_in_force)."""
    return deadline_in_force(facts_of(assignment), as_of, against)


def assignment_status(assignment: Assignment, as_of: dt.date, against: str = EXTENDED) -> Status:
    withdrawn = assignment.directive.is_withdrawn
    return compute_status(facts_of(assignment, withdrawn=withdrawn), as_of, against)


def directive_status(directive: Directive, as_of: dt.date, against: str = EXTENDED) -> Status:
    """Roll up from sub-directives when it has them, else from its lead assignment(s).

    A directive with no assignment yet is judged by its own deadline.
    """
    if directive.is_withdrawn:
        return Status(Bucket.WITHDRAWN)
    if directive.children:
        rolled = roll_up(directive_status(child, as_of, against) for child in directive.children)
        if rolled is not None:
            return rolled
    leads = [a for a in directive.assignments if a.role == LEAD] or directive.assignments
    rolled = roll_up(
        compute_status(facts_of(a, withdrawn=False), as_of, against) for a in leads
    )
    if rolled is not None:
        return rolled
    if directive.deadline is None:
        return Status(Bucket.NO_DEADLINE)
    if as_of > directive.deadline:
        return Status(Bucket.OVERDUE, directive.deadline, (as_of - directive.deadline).days)
    return Status(Bucket.NOT_STARTED, directive.deadline)
