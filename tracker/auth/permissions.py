"""Deny by default: every endpoint needs a login unless it is on PUBLIC_ENDPOINTS; roles on top."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from tracker.auth.models import ADMIN, LEADER, OFFICER, SECRETARIAT, VIEWER

PUBLIC_ENDPOINTS = frozenset({"auth.login", "core.healthz", "static", "bootstrap.static"})

MANAGERS = (ADMIN, LEADER, SECRETARIAT)  # create and edit directives, assign units
DECIDERS = (ADMIN, LEADER, SECRETARIAT)  # confirm completion, decide extensions
ALL_ROLES = (ADMIN, LEADER, SECRETARIAT, OFFICER, VIEWER)

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: str) -> Callable[[F], F]:
    """403 unless the logged-in user has one of the roles."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def is_manager(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.role in MANAGERS)
