"""HTTP errors that carry a Vietnamese message for the user."""

from __future__ import annotations

from typing import NoReturn

from werkzeug.exceptions import HTTPException, default_exceptions


def fail(code: int, message: str) -> NoReturn:
    """Abort with a Vietnamese message shown on the error page or in the JSON body."""
    exc_class = default_exceptions[code]
    exc: HTTPException = exc_class(description=message)
    exc.vietnamese = True  # type: ignore[attr-defined]
    raise exc
