"""The admin's list of users: found by name, account, e-mail or unit, by role, a page at a time.

A province has about two thousand accounts (sở, ngành, communes and their officers): the whole
list was a page of almost a megabyte that loaded each user's unit one by one. The rows are read
as plain tuples in one query and filtered here, accents aside (search.fold), so "nguyen van"
finds "Nguyễn Văn".
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.constants import USER_ROLES
from tracker.core.errors import UserError
from tracker.core.forms import parse_int
from tracker.core.paging import ResultPage
from tracker.directives.search import fold
from tracker.extensions import db
from tracker.units.models import Unit

PER_PAGE = 50
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    username: str
    full_name: str
    title: str | None
    role: str
    unit_name: str | None
    email: str | None
    last_login_at: dt.datetime | None
    has_api_token: bool
    active: bool

    @property
    def role_label(self) -> str:
        return USER_ROLES.get(self.role, self.role)


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    role: str = ""
    page: int = 1

    def args(self) -> dict[str, str]:
        """The query string that keeps these filters (for the pager)."""
        return {key: value for key, value in (("q", self.q), ("role", self.role)) if value}


def parse_filters(args: Mapping[str, str]) -> UserFilters:
    """q, role and page from the query string; a Vietnamese UserError for nonsense."""
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        raise UserError(f"Từ khóa tìm kiếm dài quá {MAX_QUERY_LENGTH} ký tự.")
    role = (args.get("role") or "").strip()
    if role and role not in USER_ROLES:
        raise UserError("Vai trò không hợp lệ.")
    page = parse_int(args.get("page") or "1", "Số trang không hợp lệ.")
    return UserFilters(q, role, page)


_ROWS = (
    sa.select(User.id, User.username, User.full_name, User.title, User.role, Unit.name,
              User.email, User.last_login_at, User.api_token_hash.is_not(None), User.active)
    .outerjoin(Unit, Unit.id == User.unit_id)
    .order_by(User.active.desc(), User.role, User.username)
)


def find_users(filters: UserFilters) -> tuple[ResultPage, int]:
    """The page of users the filters keep (active first, then by role and account), and how
    many accounts there are in all."""
    rows = [UserRow(*row) for row in db.session.execute(_ROWS).tuples()]
    everyone = len(rows)
    if filters.role:
        rows = [row for row in rows if row.role == filters.role]
    if filters.q:
        words = fold(filters.q).split()
        rows = [row for row in rows if all(word in _haystack(row) for word in words)]
    start = (filters.page - 1) * PER_PAGE
    return ResultPage(rows[start:start + PER_PAGE], len(rows), filters.page, PER_PAGE), everyone


@functools.lru_cache(maxsize=8192)
def _haystack(row: UserRow) -> str:
    """The row's texts folded (unidecode costs about 10 microseconds a row: kept per process,
    keyed by the whole row, so an edited user is folded again)."""
    return fold(" ".join(part for part in (row.username, row.full_name, row.title, row.email,
                                           row.unit_name) if part))
