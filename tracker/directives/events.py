"""What the directive rules announce: units given work, a directive withdrawn.

The rules here and in the intake must not know who is told or how (dependencies point from
``work`` to ``directives``, never back), so they call one of these functions and the work wing
(tracker/work/notify.py, subscribed by the app factory) turns the event into notifications and
e-mails in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.directives.models import Assignment, Directive


@dataclass(frozen=True)
class AssignmentsCreated:
    """Units were given work: one assignment by hand, or many by an import."""

    assignments: Sequence[Assignment]
    actor: Any = None


@dataclass(frozen=True)
class DirectiveWithdrawn:
    """A directive (and its sub-directives) withdrawn: their assignments are void."""

    directives: Sequence[Directive]
    reason: str
    actor: Any = None


Listener = Callable[[Any], None]
_LISTENERS: dict[type, list[Listener]] = {}


def subscribe(kind: type, listener: Listener) -> None:
    """Call ``listener(event)`` for every event of this kind (once, however often asked)."""
    listeners = _LISTENERS.setdefault(kind, [])
    if listener not in listeners:
        listeners.append(listener)


def _emit(event: object) -> None:
    for listener in _LISTENERS.get(type(event), []):
        listener(event)


def assignments_created(assignments: Sequence[Assignment], actor: Any = None) -> None:
    if assignments:
        _emit(AssignmentsCreated(list(assignments), actor))


def directive_withdrawn(directives: Sequence[Directive], reason: str, actor: Any = None) -> None:
    if directives:
        _emit(DirectiveWithdrawn(list(directives), reason, actor))
