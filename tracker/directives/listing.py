"""The directive list's filters, sorting and paging, shared by the list page and the JSON API.

The list shows top-level directives (as the report and the dashboard count them) with their
sub-directives beneath. Every filter runs in SQL, bucket included (status_sql mirrors the pure
rule), so the page's query count and cost do not grow with the number of directives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, selectinload

from tracker.core import clock
from tracker.core.errors import UserError
from tracker.core.formatting import fmt_date, parse_vn_date
from tracker.core.forms import parse_int
from tracker.core.periods import PeriodKey
from tracker.directives import queries
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.search import fold
from tracker.directives.status import EXTENDED, ORIGINAL, Bucket
from tracker.directives.status_sql import bucket_rank, directive_buckets, directive_exists
from tracker.extensions import db
from tracker.units.kinds import UNIT_GROUPS, infer_type
from tracker.units.models import Unit
from tracker.units.queries import groups_present, unit_ids_in_group

SORTS: dict[str, str] = {
    "number": "Số thứ tự",
    "deadline": "Thời hạn",
    "bucket": "Tình trạng",
    "updated": "Cập nhật gần nhất",
}
DEFAULT_DIRECTION = {"number": "asc", "deadline": "asc", "bucket": "asc", "updated": "desc"}
AGAINST_LABELS = {EXTENDED: "Theo thời hạn đã gia hạn", ORIGINAL: "Theo thời hạn ban đầu"}
ALL_PERIODS = "all"
PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class ListFilters:
    period: Period | None  # None: every period
    field: str | None = None
    unit_id: int | None = None
    group: str | None = None  # a kind of unit: "xa_phuong", "so_nganh", ...
    group_unit_ids: tuple[int, ...] = ()
    bucket: Bucket | None = None
    q: str = ""
    sort: str = "number"
    order: str = "asc"
    as_of: dt.date = dt.date(1970, 1, 1)
    against: str = EXTENDED
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def period_key(self) -> str:
        return self.period.key if self.period is not None else ALL_PERIODS

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments that reproduce these filters (for links), with changes."""
        f = replace(self, **{k: v for k, v in changes.items() if k in self.__dataclass_fields__})
        args: dict[str, Any] = {"period": f.period_key}
        if f.field:
            args["field"] = f.field
        if f.unit_id:
            args["unit"] = f.unit_id
        if f.group:
            args["kind"] = f.group
        if f.bucket:
            args["bucket"] = f.bucket.value
        if f.q:
            args["q"] = f.q
        if f.sort != "number" or f.order != DEFAULT_DIRECTION[f.sort]:
            args["sort"], args["order"] = f.sort, f.order
        if f.as_of != clock.today():
            args["as_of"] = fmt_date(f.as_of)
        if f.against != EXTENDED:
            args["against"] = f.against
        if f.page > 1:
            args["page"] = f.page
        if f.per_page != PER_PAGE:
            args["per_page"] = f.per_page
        return args


def parse_as_of(args: Mapping[str, str]) -> tuple[dt.date, str]:
    """as_of (dd/mm/yyyy, default today) and against (original | extended)."""
    as_of = clock.today()
    text = (args.get("as_of") or "").strip()
    if text:
        parsed = parse_vn_date(text)
        if parsed is None:
            raise UserError(f"Ngày tính tình trạng không hợp lệ: {text[:20]} (dạng dd/mm/yyyy).")
        as_of = parsed
    against = (args.get("against") or EXTENDED).strip()
    if against not in AGAINST_LABELS:
        raise UserError("Cách tính thời hạn không hợp lệ (original hoặc extended).")
    return as_of, against


def parse_period(args: Mapping[str, str], periods: list[Period]) -> Period | None:
    """The period asked for; the current or latest one by default; None for every period."""
    key = (args.get("period") or "").strip()
    if not key:
        return queries.pick_default(periods)
    if key == ALL_PERIODS:
        return None
    ref = PeriodKey.parse(key)
    return queries.find_period(periods, ref) or queries.empty_period(ref)


def parse_group(args: Mapping[str, str]) -> str | None:
    """The kind of unit to keep ("kind=xa_phuong": the communes and wards), or None."""
    value = (args.get("kind") or "").strip()
    if not value:
        return None
    if value not in UNIT_GROUPS:
        raise UserError(f"Nhóm đơn vị không hợp lệ: {value[:40]}.")
    return value


def parse_bucket(value: str | None) -> Bucket | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return Bucket(value)
    except ValueError:
        raise UserError(f"Tình trạng không hợp lệ: {value[:30]}.") from None


def parse_filters(args: Mapping[str, str], periods: list[Period]) -> ListFilters:
    """Read the list's query string; UserError (Vietnamese) on a value that makes no sense."""
    as_of, against = parse_as_of(args)
    field = (args.get("field") or "").strip() or None
    if field is not None and field not in FIELD_LABELS:
        raise UserError(f"Lĩnh vực không hợp lệ: {field[:40]}.")
    unit_text = (args.get("unit") or "").strip()
    unit_id = parse_int(unit_text, "Mã đơn vị không hợp lệ.") if unit_text else None
    group = parse_group(args)
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        raise UserError(f"Từ khóa tìm kiếm dài quá {MAX_QUERY_LENGTH} ký tự.")
    sort = (args.get("sort") or "number").strip()
    if sort not in SORTS:
        raise UserError("Cách sắp xếp không hợp lệ.")
    order = (args.get("order") or DEFAULT_DIRECTION[sort]).strip()
    if order not in ("asc", "desc"):
        raise UserError("Chiều sắp xếp không hợp lệ (asc hoặc desc).")
    page = parse_int(args.get("page") or "1", "Số trang không hợp lệ.")
    per_page = parse_int(args.get("per_page") or str(PER_PAGE), "Số dòng mỗi trang không hợp lệ.")
    if per_page > MAX_PER_PAGE:
        raise UserError(f"Tối đa {MAX_PER_PAGE} dòng mỗi trang.")
    return ListFilters(
        period=parse_period(args, periods),
        field=field,
        unit_id=unit_id,
        group=group,
        group_unit_ids=tuple(unit_ids_in_group(group)) if group else (),
        bucket=parse_bucket(args.get("bucket")),
        q=q,
        sort=sort,
        order=order,
        as_of=as_of,
        against=against,
        page=page,
        per_page=per_page,
    )


def _touches(unit_ids: int | tuple[int, ...], d: type[Directive]) -> sa.ColumnElement[bool]:
    """The directive or one of its sub-directives is assigned to the unit (or to one of them)."""
    c = aliased(Directive)
    ids = (unit_ids,) if isinstance(unit_ids, int) else unit_ids
    return sa.exists(
        sa.select(Assignment.id)
        .join(c, c.id == Assignment.directive_id)
        .where(Assignment.unit_id.in_(ids), sa.or_(c.id == d.id, c.parent_id == d.id))
    )


def _matches_text(q: str, d: type[Directive]) -> sa.ColumnElement[bool]:
    """Accent-insensitive: the folded query inside the folded text, of it or a sub-directive."""
    folded = " ".join(fold(q).split())
    c = aliased(Directive)
    return sa.or_(
        d.search_text.contains(folded, autoescape=True),
        sa.exists(
            sa.select(c.id).where(
                c.parent_id == d.id, c.search_text.contains(folded, autoescape=True)
            )
        ),
    )


def _last_updates(period_id: int | None) -> sa.Subquery:
    """(directive_id, last) latest progress of a directive's own or its sub-directives' work."""
    d = aliased(Directive)
    own = sa.select(Assignment.directive_id.label("key"), Assignment.last_update_at.label("at"))
    via_child = (
        sa.select(d.parent_id.label("key"), Assignment.last_update_at.label("at"))
        .join(d, d.id == Assignment.directive_id)
        .where(d.parent_id.is_not(None))
    )
    if period_id is not None:
        own = own.join(d, d.id == Assignment.directive_id).where(d.period_id == period_id)
        via_child = via_child.where(d.period_id == period_id)
    both = sa.union_all(own, via_child).subquery("updates")
    return (
        sa.select(both.c.key.label("directive_id"), sa.func.max(both.c.at).label("last"))
        .group_by(both.c.key)
        .subquery("last_updates")
    )


MAX_CANDIDATES = 5000  # beyond this, computing every bucket is as cheap as a long IN list


def _candidates(f: ListFilters, period_id: int | None) -> list[int] | None:
    """Ids of the top-level directives the other filters keep (None when only the period
    filters, or too many): buckets are then computed for these alone. One cheap query here
    saves aggregating ten years of assignments (and SQLite re-running the text match inside
    every bucket subquery)."""
    if not (f.field or f.unit_id or f.group or f.q):
        return None
    c = aliased(Directive, name="cand")
    stmt = sa.select(c.id).where(c.parent_id.is_(None)).limit(MAX_CANDIDATES + 1)
    if period_id is not None:
        stmt = stmt.where(c.period_id == period_id)
    if f.field:
        stmt = stmt.where(c.field == f.field)
    if f.unit_id:
        stmt = stmt.where(_touches(f.unit_id, c))
    if f.group:
        stmt = stmt.where(_touches(f.group_unit_ids, c))
    if f.q:
        stmt = stmt.where(_matches_text(f.q, c))
    ids = list(db.session.scalars(stmt))
    return ids if len(ids) <= MAX_CANDIDATES else None


def filtered_select(f: ListFilters, ids_only: bool = False) -> sa.Select:
    """Top-level directives matching the filters, sorted, with what the rows show loaded
    (or, with ids_only, just their ids in that order)."""
    d = Directive
    stmt = sa.select(d.id if ids_only else d).join(Period, Period.id == d.period_id)
    stmt = stmt.where(d.parent_id.is_(None))
    if not ids_only:
        stmt = stmt.options(
            contains_eager(d.period),
            selectinload(d.assignments).joinedload(Assignment.unit),
            selectinload(d.children).selectinload(Directive.assignments).joinedload(Assignment.unit),
            # directive_status asks every sub-directive for its own sub-directives.
            selectinload(d.children).selectinload(Directive.children),
        )
    period_id = f.period.id if f.period is not None else None
    if period_id is not None:
        stmt = stmt.where(d.period_id == period_id)
    # As of a past day, directives entered later are not listed (a no-op for today).
    stmt = stmt.where(directive_exists(f.as_of, d))
    if f.field:
        stmt = stmt.where(d.field == f.field)
    if f.unit_id:
        stmt = stmt.where(_touches(f.unit_id, d))
    if f.group:
        stmt = stmt.where(_touches(f.group_unit_ids, d))
    if f.q:
        stmt = stmt.where(_matches_text(f.q, d))
    buckets = None
    if f.bucket is not None or f.sort == "bucket":
        buckets = directive_buckets(
            f.as_of, f.against, period_id=period_id, directive_ids=_candidates(f, period_id)
        )
        stmt = stmt.join(buckets, buckets.c.directive_id == d.id)
        if f.bucket is not None:
            stmt = stmt.where(buckets.c.bucket == f.bucket.value)
    desc = f.order == "desc"
    number_order = [d.position.desc() if desc else d.position.asc(), d.id]
    newest_first = Period.newest_first()
    if f.sort == "deadline":
        key = d.deadline.desc() if desc else d.deadline.asc()
        order = [key.nulls_last(), *newest_first, d.position, d.id]
    elif f.sort == "bucket" and buckets is not None:
        rank = bucket_rank(buckets.c.bucket)
        order = [rank.desc() if desc else rank.asc(), *newest_first, d.position, d.id]
    elif f.sort == "updated":
        last = _last_updates(period_id)
        stmt = stmt.outerjoin(last, last.c.directive_id == d.id)
        key = last.c.last.desc() if desc else last.c.last.asc()
        order = [key.nulls_last(), *newest_first, d.position, d.id]
    else:
        order = [*newest_first, *number_order]
    return stmt.order_by(*order)


def unit_options() -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """(id, name) of the active units in the catalogue's order, for the unit filter, and the
    kinds of unit present, for the group filter (one query)."""
    rows = db.session.execute(
        sa.select(Unit.id, Unit.name, Unit.unit_type, Unit.kind)
        .where(Unit.active)
        .order_by(Unit.position, Unit.name)
    ).tuples().all()
    types = [utype or infer_type(kind, name) for _, name, utype, kind in rows]
    return [(uid, name) for uid, name, _, _ in rows], groups_present(types)


def unit_choices() -> list[tuple[int, str]]:
    return unit_options()[0]


def last_update(directive: Directive) -> dt.datetime | None:
    """The latest progress on the directive or its sub-directives (loaded, no query)."""
    stamps = [a.last_update_at for a in directive.assignments if a.last_update_at]
    for child in directive.children:
        stamps += [a.last_update_at for a in child.assignments if a.last_update_at]
    return max(stamps) if stamps else None



@dataclass(frozen=True)
class ResultPage:
    """One page of a list whose length is known (what the pager macro and the API read)."""

    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(
        self, *, left_edge: int = 2, left_current: int = 2, right_current: int = 4,
        right_edge: int = 2,
    ) -> Iterator[int | None]:
        """Page numbers with None for the gaps, like Flask-SQLAlchemy's pagination."""
        pages_end = self.pages + 1
        if pages_end == 1:
            return
        left_end = min(1 + left_edge, pages_end)
        yield from range(1, left_end)
        if left_end == pages_end:
            return
        mid_start = max(left_end, self.page - left_current)
        mid_end = min(self.page + right_current + 1, pages_end)
        if mid_start - left_end > 0:
            yield None
        yield from range(mid_start, mid_end)
        if mid_end == pages_end:
            return
        right_start = max(mid_end, pages_end - right_edge)
        if right_start - mid_end > 0:
            yield None
        yield from range(right_start, pages_end)


def fetch_page(f: ListFilters) -> ResultPage:
    """The page of directives the filters ask for, and how many match in all.

    Without a bucket the usual count + page queries. With one, the bucket computation is the
    costly part, so it runs once: the matching ids in order, then that page's directives.
    """
    if f.bucket is None and f.sort != "bucket":
        page = db.paginate(
            filtered_select(f), page=f.page, per_page=f.per_page, error_out=False, count=True
        )
        return ResultPage(list(page.items), page.total or 0, f.page, f.per_page)
    ids = list(db.session.scalars(filtered_select(f, ids_only=True)))
    start = (f.page - 1) * f.per_page
    return ResultPage(
        queries.directives_by_ids(ids[start : start + f.per_page]), len(ids), f.page, f.per_page
    )
