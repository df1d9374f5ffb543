"""The one user-error type: a refusal with a Vietnamese message and an HTTP status.

Services raise a ``UserError`` (or one of its kinds) before or after flushing; the request's
unit of work then rolls everything back and one handler (tracker/core/web.py) answers with an
error page, the view's own form re-rendered with the message (``uow.rerender_on_error``), or
``{"error": ..., "status": ...}`` under /api/. Every domain error subclasses one of these.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from tracker.core import versioning
from tracker.extensions import db


class UserError(Exception):
    """Bad input or a broken rule the user can act on (400 unless a subclass says otherwise)."""

    status: int = 400

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message


class Forbidden(UserError):  # noqa: N818 - the names the HTTP kinds go by
    """The user may not do this (403)."""

    status = 403


class NotFound(UserError):  # noqa: N818 - the names the HTTP kinds go by
    """The thing asked for does not exist, or is not the user's to see (404)."""

    status = 404


class Conflict(UserError):  # noqa: N818 - the names the HTTP kinds go by
    """The state changed under the user, or the action was already taken (409)."""

    status = 409


class StaleVersion(Conflict):  # noqa: N818 - a kind of Conflict, named for what happened
    """The form was loaded before someone else saved the row. ``current`` carries what is saved
    now (for pages that show it beside what the user sent)."""

    def __init__(self, message: str, current: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.current = current


STALE_MESSAGE = (
    "Dữ liệu này vừa được người khác thay đổi sau khi bạn mở biểu mẫu. Nội dung của bạn chưa "
    "được lưu; vui lòng tải lại trang, xem thay đổi rồi gửi lại."
)


def submitted_version(raw: object) -> int:
    """The version a form was loaded with; missing or garbled counts as stale (0)."""
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or len(text) > 9:
        return 0
    return int(text)


def check_version(
    current: int,
    submitted: object,
    *,
    message: str = STALE_MESSAGE,
    current_values: dict[str, Any] | None = None,
) -> None:
    """The one stale-form check: a form that edits a versioned row sends the version it showed;
    anything else than the row's current version is a StaleVersion (409), nothing written."""
    if submitted_version(submitted) != current:
        raise StaleVersion(message, current_values)


def claim_version(
    row: Any,
    submitted: object,
    *,
    column: str = "version",
    message: str = STALE_MESSAGE,
    current_values: dict[str, Any] | None = None,
) -> None:
    """Check the form's version against the row and move the row's version on, in one UPDATE
    (compare and increment): of two people who saved forms loaded from the same state, one
    saves and the other gets the 409, also when both check at the same moment. The counter is
    the row's own, so changes that are not edits (a sign-in) never make a form stale."""
    check_version(getattr(row, column), submitted, message=message,
                  current_values=current_values)
    table = type(row).__table__
    key = sa.inspect(row).identity
    primary = list(table.primary_key.columns)
    condition = sa.and_(*(c == v for c, v in zip(primary, key, strict=True)),
                        table.c[column] == getattr(row, column))
    result = db.session.execute(
        sa.update(table).where(condition).values({column: table.c[column] + 1}),
        execution_options={"row_noted": True},
    )
    versioning.note_row(db.session(), row)  # the page cache places the change by its row
    if result.rowcount != 1:
        raise StaleVersion(message, current_values)
    set_committed_value(row, column, getattr(row, column) + 1)
