"""Who may do what: one table, deny by default (the SecureDrop way).

Every view declares the one action it performs with ``@requires(Action.X)``; a view that
declares none answers 403 unless its endpoint is in ``PUBLIC_ENDPOINTS`` (checked for every
request in tracker/core/web.py, tested for every route in tests/security/test_permissions.py).
The role part of a rule is checked by the decorator; the object part (an officer acts only on
their own unit's assignments, sees only the evidence of directives given to their unit, reads
only issued reports) by ``require(user, action, target)`` inside the view, once it has loaded
the target. Templates ask the same ``can(action, target)`` whether to show a button.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask_login import current_user

from tracker.constants import ADMIN, LEADER, OFFICER, SECRETARIAT, USER_ROLES, VIEWER
from tracker.core.errors import Forbidden

# Reached without a session. ``feeds.calendar`` is a calendar app fetching a secret .ics
# address: the token in the URL is its only key and opens that one calendar, nothing else; the
# view checks it itself (tracker/work/feeds.py: unknown, revoked, or its owner no longer allowed
# to see that calendar: 404).
PUBLIC_ENDPOINTS = frozenset(
    {"auth.login", "core.healthz", "static", "bootstrap.static", "feeds.calendar"}
)


class Action(StrEnum):
    READ = "read"  # pages, lists, dashboards, the API's reads
    ACCOUNT = "account"  # one's own password, notifications and their choices, calendar feeds
    MANAGE_DIRECTIVES = "manage_directives"  # create and edit directives, assign units
    WITHDRAW = "withdraw"  # withdraw a directive
    IMPORT_REPORTS = "import_reports"  # upload, review, confirm a report (+ the units it names)
    REPORT_PROGRESS = "report_progress"  # progress, evidence, completion, extension request
    CONFIRM_COMPLETION = "confirm_completion"  # confirm or return a reported completion
    DECIDE_EXTENSION = "decide_extension"  # approve or reject an extension request
    DOWNLOAD_EVIDENCE = "download_evidence"  # evidence files of a directive
    READ_REPORT = "read_report"  # a monthly report: issued ones for all, drafts for editors
    EDIT_REPORTS = "edit_reports"  # draft, edit, regenerate, issue monthly reports
    ADMINISTER = "administer"  # users, units, calendar, routing rules, reminders, outbox


EVERYONE = frozenset(USER_ROLES)
MANAGERS = frozenset({ADMIN, LEADER, SECRETARIAT})

# The table (docs/CONVENTIONS.md and README's role guide describe it in words).
TABLE: dict[Action, frozenset[str]] = {
    Action.READ: EVERYONE,
    Action.ACCOUNT: EVERYONE,
    Action.MANAGE_DIRECTIVES: MANAGERS,
    Action.WITHDRAW: frozenset({ADMIN, LEADER}),
    Action.IMPORT_REPORTS: MANAGERS,
    # The unit's own voice: its officers, not managers on its behalf (object rule below).
    Action.REPORT_PROGRESS: frozenset({OFFICER}),
    Action.CONFIRM_COMPLETION: MANAGERS,
    # Deciding a deadline is the leader's call; the Văn phòng prepares, it does not decide.
    Action.DECIDE_EXTENSION: frozenset({ADMIN, LEADER}),
    Action.DOWNLOAD_EVIDENCE: EVERYONE,
    Action.READ_REPORT: EVERYONE,
    Action.EDIT_REPORTS: MANAGERS,
    Action.ADMINISTER: frozenset({ADMIN}),
}
assert set(TABLE) == set(Action), "every action needs a row"  # noqa: S101 - import-time guard
assert VIEWER not in set().union(  # noqa: S101 - viewers never change anything
    *(roles for action, roles in TABLE.items()
      if action not in (Action.READ, Action.ACCOUNT, Action.DOWNLOAD_EVIDENCE,
                        Action.READ_REPORT))
)


class HasUnit(Protocol):
    unit_id: int


class ReportLike(Protocol):
    is_final: bool


def _own_unit(user: Any, assignment: HasUnit) -> bool:
    """The user's unit is the assigned one and, when the task names an officer (công chức) of
    that unit, the user is that officer."""
    if user.unit_id is None or user.unit_id != assignment.unit_id:
        return False
    officer_id = getattr(assignment, "officer_id", None)
    return officer_id is None or officer_id == user.id


def _evidence_visible(user: Any, unit_ids: frozenset[int] | set[int]) -> bool:
    """Target: the ids of the units assigned to the directive."""
    return user.role != OFFICER or (user.unit_id is not None and user.unit_id in unit_ids)


def _report_visible(user: Any, report: ReportLike) -> bool:
    return report.is_final or user.role in TABLE[Action.EDIT_REPORTS]


# The object part: (user, target) -> bool, applied on top of the role table.
OBJECT_RULES: dict[Action, Callable[[Any, Any], bool]] = {
    Action.REPORT_PROGRESS: _own_unit,
    Action.DOWNLOAD_EVIDENCE: _evidence_visible,
    Action.READ_REPORT: _report_visible,
}

MESSAGES: dict[Action, str] = {
    Action.REPORT_PROGRESS: (
        "Chỉ cán bộ của đơn vị được giao (công chức được giao đích danh, nếu có) mới được cập "
        "nhật nhiệm vụ này."
    ),
    Action.CONFIRM_COMPLETION: "Chỉ lãnh đạo hoặc Văn phòng mới được xác nhận hoàn thành.",
    Action.DECIDE_EXTENSION: "Chỉ lãnh đạo UBND mới được quyết định gia hạn.",
    Action.DOWNLOAD_EVIDENCE: "Bạn không có quyền tải tệp của nhiệm vụ này.",
    Action.READ_REPORT: (
        "Báo cáo đang là dự thảo; chỉ Văn phòng và Lãnh đạo UBND được xem và sửa."
    ),
    Action.WITHDRAW: "Chỉ lãnh đạo UBND mới được rút nhiệm vụ.",
}
DEFAULT_MESSAGE = "Bạn không có quyền thực hiện thao tác này."


def can(user: Any, action: Action, target: Any = None) -> bool:
    """May this user take this action (on this target, when the action has an object rule)?

    Without a target only the role part is asked: "could this role ever do it".
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "active", True):
        return False
    if user.role not in TABLE[action]:
        return False
    rule = OBJECT_RULES.get(action)
    return rule is None or target is None or rule(user, target)


def require(user: Any, action: Action, target: Any = None) -> None:
    """``can`` or a Forbidden (403) with the action's Vietnamese message."""
    if not can(user, action, target):
        raise Forbidden(MESSAGES.get(action, DEFAULT_MESSAGE))


F = TypeVar("F", bound=Callable[..., Any])
ACTION_ATTRIBUTE = "required_action"


def requires(action: Action) -> Callable[[F], F]:
    """Declare the action a view performs and check the role part before it runs."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require(current_user, action)
            return view(*args, **kwargs)

        setattr(wrapped, ACTION_ATTRIBUTE, action)
        return wrapped  # type: ignore[return-value]

    return decorator


def declared_action(view: Callable[..., Any] | None) -> Action | None:
    return getattr(view, ACTION_ATTRIBUTE, None)


def endpoint_allowed(endpoint: str | None, view: Callable[..., Any] | None) -> bool:
    """Deny by default: a route is reachable when it is public or declares its action."""
    return endpoint in PUBLIC_ENDPOINTS or declared_action(view) is not None


def template_can(action: str, target: Any = None) -> bool:
    """``can("confirm_completion", assignment)`` for templates, for the signed-in user."""
    return can(current_user, Action(action), target)
