"""JSON request bodies read with limits, checked before the parser sees them.

Python's json module recurses once per nesting level, so a body of a few kilobytes nested a
thousand deep raises RecursionError inside the parser (a 500). The body's size and nesting depth
are checked first, on the raw bytes, and anything beyond is a Vietnamese 400 or 413.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Request

from tracker.core.errors import UserError

MAX_JSON_BYTES = 256 * 1024  # a progress report is text, a few kilobytes at most
MAX_JSON_DEPTH = 32
_OPEN, _CLOSE = frozenset(b"[{"), frozenset(b"]}")
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


class BodyTooLargeError(UserError):
    status = 413


def nesting_depth(data: bytes) -> int:
    """The deepest [ / { nesting of a JSON text, strings skipped (no parsing, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif byte in _CLOSE:
            depth -= 1
    return deepest


def read_json(request: Request, *, max_bytes: int = MAX_JSON_BYTES,
              max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The parsed body, or a UserError saying what is wrong with it."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise BodyTooLargeError(f"Dữ liệu JSON quá lớn (tối đa {max_bytes // 1024} KB).")
    data = request.get_data(cache=True)
    if len(data) > max_bytes:
        raise BodyTooLargeError(f"Dữ liệu JSON quá lớn (tối đa {max_bytes // 1024} KB).")
    if nesting_depth(data) > max_depth:
        raise UserError(f"Dữ liệu JSON lồng nhau quá sâu (tối đa {max_depth} cấp).")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise UserError("Dữ liệu gửi lên phải là một đối tượng JSON hợp lệ (UTF-8).") from None
