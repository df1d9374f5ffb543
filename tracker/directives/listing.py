"""The directive list's filters, sorting and paging, shared by the list page and the JSON API.

The list shows top-level directives (as the report and the dashboard count them) with their
sub-directives beneath. Every filter runs in SQL, bucket included (status_sql mirrors the pure
rule), so the page's query count and cost do not grow with the number of directives.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.core import clock
from tracker.core.errors import UserError
from tracker.core.formatting import fmt_date, parse_vn_date
from tracker.core.forms import parse_int
from tracker.core.paging import ResultPage
from tracker.core.periods import PeriodKey
from tracker.directives import open_work, queries, text_index
from tracker.directives.fields import FIELD_LABELS
from tracker.directives.models import Assignment, Directive, Period
from tracker.directives.queries import P
from tracker.directives.sql_shapes import built_per_day, encode_ids
from tracker.directives.status import EXTENDED, ORIGINAL, Bucket
from tracker.directives.status_sql import (
    BUCKETS_IDS_PARAM,
    bucket_rank,
    directive_buckets,
    directive_exists,
)
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
    def narrowed(self) -> bool:
        """Filters other than the period, the day and the bucket are set."""
        return bool(self.field or self.unit_id or self.group or self.q)

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


def parse_period(args: Mapping[str, str], periods: list[P]) -> P | Period | None:
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
    if "\x00" in q:  # ends an FTS5 query early; PostgreSQL refuses it in any text
        raise UserError("Từ khóa tìm kiếm có ký tự không hợp lệ.")
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


def top_level(d: type[Directive]) -> sa.ColumnElement[bool]:
    """Without a parent, written so that no index on parent_id is used for it: nearly every
    directive is top-level, but SQLite's statistics cannot tell NULL from the other values and
    would walk that index through ten years of directives instead of the period's or the
    field's index."""
    return sa.func.coalesce(d.parent_id, 0) == 0


def _touches(unit_ids: sa.BindParameter, d: type[Directive]) -> sa.ColumnElement[bool]:
    """The directive or one of its sub-directives is assigned to one of the units (``unit_ids``:
    an expanding parameter)."""
    c = aliased(Directive)
    return sa.exists(
        sa.select(Assignment.id)
        .join(c, c.id == Assignment.directive_id)
        .where(Assignment.unit_id.in_(unit_ids), sa.or_(c.id == d.id, c.parent_id == d.id))
    )


def _given_to(unit_id: sa.BindParameter, d: type[Directive]) -> sa.ColumnElement[bool]:
    """_touches for one unit over every period, driven from the unit's assignments (a few
    thousand in ten years) instead of probing every directive of ten years."""
    c = aliased(Directive)
    top = sa.func.coalesce(c.parent_id, c.id)
    return d.id.in_(
        sa.select(top).join(Assignment, Assignment.directive_id == c.id)
        .where(Assignment.unit_id == unit_id)
    )


def _open_cut(f: ListFilters) -> bool:
    """Over every period in an open bucket: only directives whose open work allows it (see
    _candidates)."""
    return f.period is None and open_work.applies(f.bucket, f.as_of)


def _few_rows(f: ListFilters) -> bool:
    """The other filters keep few directives (a period's, a unit's, those with open work): the
    text is checked on each (text_index)."""
    return f.period is not None or bool(f.unit_id) or _open_cut(f)


def _narrowing_shape(f: ListFilters) -> tuple:
    """What decides the narrowing clauses' form (their values aside): see _candidates."""
    unit = None if not f.unit_id else ("one period" if f.period is not None else "all")
    text = text_index.match_kind(f.q, few_rows=_few_rows(f)) if f.q else None
    return bool(f.field), unit, bool(f.group), text, f.period is not None


def _narrowing_values(f: ListFilters) -> dict[str, Any]:
    """The values of _narrowing's parameters: every one of them, always (a statement built
    for an earlier request of the same shape is run with these)."""
    return {
        "f_field": f.field,
        "f_unit": f.unit_id,
        "f_unit_in": [f.unit_id] if f.unit_id else [],
        "f_units": list(f.group_unit_ids),
        text_index.QUERY_PARAM: text_index.match_value(
            f.q, text_index.match_kind(f.q, few_rows=_few_rows(f))),
        "f_period": f.period.id if f.period is not None else None,
    }


def _narrowing(f: ListFilters, d: type[Directive]) -> list[sa.ColumnElement[bool]]:
    """The filters other than the period and the bucket, their values bound parameters."""
    values = _narrowing_values(f)
    clauses = []
    if f.field:
        clauses.append(d.field == sa.bindparam("f_field", values["f_field"]))
    if f.unit_id:
        if f.period is None:
            clauses.append(_given_to(sa.bindparam("f_unit", values["f_unit"]), d))
        else:
            unit_in = sa.bindparam("f_unit_in", values["f_unit_in"], expanding=True)
            clauses.append(_touches(unit_in, d))
    if f.group:
        clauses.append(_touches(sa.bindparam("f_units", values["f_units"], expanding=True), d))
    if f.q:
        clauses.append(text_index.matches(f.q, d, few_rows=_few_rows(f)))
    return clauses


@dataclass(frozen=True)
class _Shape:
    """What shapes the statement of the sorted ids, besides the narrowing filters: two requests
    of the same shape share one statement (see _ordered_by_shape)."""

    as_of: dt.date
    today: dt.date  # as_of before it: the buckets are rebuilt from the history
    against: str
    bucket: Bucket | None
    sort: str
    order: str
    period_id: int | None

    @classmethod
    def of(cls, f: ListFilters) -> _Shape:
        period_id = f.period.id if f.period is not None else None
        return cls(f.as_of, clock.today(), f.against, f.bucket, f.sort, f.order, period_id)


def _base_clauses(shape: _Shape, d: type[Directive]) -> list[sa.ColumnElement[bool]]:
    """Top-level directives of the period (or of all) existing on the day (as of a past day,
    directives entered later are not listed)."""
    clauses = [top_level(d), directive_exists(shape.as_of, d)]
    if shape.period_id is not None:
        clauses.append(d.period_id == shape.period_id)
    return clauses


def _clauses(f: ListFilters, d: type[Directive]) -> list[sa.ColumnElement[bool]]:
    """Every filter but the bucket."""
    return [*_base_clauses(_Shape.of(f), d), *_narrowing(f, d)]


def _last_updates(period_id: int | None, directive_ids: list[int] | None) -> sa.Subquery:
    """(directive_id, last) latest progress of a directive's own or its sub-directives' work,
    for the period's (or these top-level) directives."""
    d = aliased(Directive)
    own = (
        sa.select(Assignment.directive_id.label("key"), Assignment.last_update_at.label("at"))
        .join(d, d.id == Assignment.directive_id)
    )
    via_child = (
        sa.select(d.parent_id.label("key"), Assignment.last_update_at.label("at"))
        .join(d, d.id == Assignment.directive_id)
        .where(d.parent_id.is_not(None))
    )
    if directive_ids is not None:
        own = own.where(d.id.in_(directive_ids))
        via_child = via_child.where(d.parent_id.in_(directive_ids))
    elif period_id is not None:
        own = own.where(d.period_id == period_id)
        via_child = via_child.where(d.period_id == period_id)
    both = sa.union_all(own, via_child).subquery("updates")
    return (
        sa.select(both.c.key.label("directive_id"), sa.func.max(both.c.at).label("last"))
        .group_by(both.c.key)
        .subquery("last_updates")
    )


MAX_CANDIDATES = 5000  # beyond this, computing every bucket is as cheap as a long IN list


_CANDIDATES: dict[tuple, sa.Select] = {}


def _candidates(f: ListFilters) -> list[int] | None:
    """Ids of the top-level directives the filters other than the bucket keep, found once (None
    when only the period filters, or too many). The rest of the request works on these ids: the
    text match (a scan of every directive's text) is not run again in the count, the page and
    every bucket subquery, and buckets are aggregated for these directives alone.

    Over every period with an open bucket asked for (overdue, say), the directives whose stored
    open key does not allow it are left out as well (open_work.py), with the other filters or
    without: ten years of work are mostly done.

    The statement is built once per shape of filters and database (building it cost the list
    more than running it) and run with this request's values."""
    open_cut = _open_cut(f)
    if not (f.narrowed or open_cut):
        return None
    return _run_candidates(f, open_only=open_cut)


def _run_candidates(f: ListFilters, *, open_only: bool) -> list[int] | None:
    key = (db.engine.dialect.name, f.bucket if open_only else None, *_narrowing_shape(f))
    stmt = _CANDIDATES.get(key)
    if stmt is None:
        c = aliased(Directive, name="cand")
        stmt = sa.select(c.id).where(top_level(c), *_narrowing(f, c)).limit(MAX_CANDIDATES + 1)
        if f.period is not None:
            stmt = stmt.where(c.period_id == sa.bindparam("f_period"))
        if open_only:
            stmt = stmt.where(open_work.may_be_in(f.bucket, c))
        stmt = _CANDIDATES.setdefault(key, stmt)
    values = _narrowing_values(f)
    if open_only:
        values.update(open_work.values(f.as_of))
    ids = db.session.connection().scalars(stmt, values).all()  # plain ids
    return ids if len(ids) <= MAX_CANDIDATES else None


def _ordered(
    shape: _Shape, where: list[sa.ColumnElement[bool]], candidates: list[int] | None = None
) -> sa.Select:
    """Ids of the top-level directives matching ``where`` and the bucket, sorted; buckets and
    last updates are computed for the candidates alone when given."""
    d = Directive
    stmt = sa.select(d.id).join(Period, Period.id == d.period_id).where(*where)
    buckets = None
    if shape.bucket is not None or shape.sort == "bucket":
        buckets = directive_buckets(
            shape.as_of, shape.against, period_id=shape.period_id, directive_ids=candidates
        )
        stmt = stmt.join(buckets, buckets.c.directive_id == d.id)
        if shape.bucket is not None:
            stmt = stmt.where(buckets.c.bucket == shape.bucket.value)
    desc = shape.order == "desc"
    newest_first = Period.newest_first()
    if shape.sort == "deadline":
        key = d.deadline.desc() if desc else d.deadline.asc()
        order = [key.nulls_last(), *newest_first, d.position, d.id]
    elif shape.sort == "bucket" and buckets is not None:
        rank = bucket_rank(buckets.c.bucket)
        order = [rank.desc() if desc else rank.asc(), *newest_first, d.position, d.id]
    elif shape.sort == "updated":
        last = _last_updates(shape.period_id, candidates)
        stmt = stmt.outerjoin(last, last.c.directive_id == d.id)
        key = last.c.last.desc() if desc else last.c.last.asc()
        order = [key.nulls_last(), *newest_first, d.position, d.id]
    else:
        order = [*newest_first, d.position.desc() if desc else d.position.asc(), d.id]
    return stmt.order_by(*order)


@built_per_day(maxsize=16)
def _ordered_by_shape(shape: _Shape) -> sa.Select:
    """_ordered for a period (or all) without narrowing filters, built once per shape: what
    the first page's summary links to (a period's directives in one bucket). The values in it
    are all part of the shape."""
    return _ordered(shape, _base_clauses(shape, Directive))


@built_per_day(maxsize=64)
def _ordered_for_candidates(shape: _Shape) -> sa.Select:
    """_ordered over candidates with a bucket to compute, built once per shape: only the
    candidates change from one request to the next, and they are one value of the text
    (``BUCKETS_IDS_PARAM``, encoded by sql_shapes.encode_ids), given at execution. Building
    the statement and walking it for its cache key cost the filtered list more than running
    it."""
    d = Directive
    return _ordered(shape, [top_level(d), directive_exists(shape.as_of, d)], candidates=[0])


def filtered_select(f: ListFilters) -> sa.Select:
    """Ids of the top-level directives matching the filters, sorted (every filter in this one
    statement: what page_ids computes in parts)."""
    return _ordered(_Shape.of(f), _clauses(f, Directive))


def _by_period(f: ListFilters) -> ResultPage:
    """A page in number order without a bucket: the matches counted per period (one grouped
    query, newest period first), then the page read from the few periods it spans only, so
    that "all periods" sorts one page's periods, not ten years of directives."""
    d = Directive
    clauses = _clauses(f, d)
    counts = (
        sa.select(d.period_id.label("period_id"), sa.func.count().label("n"))
        .where(*clauses)
        .group_by(d.period_id)
        .subquery("counts")
    )
    rows = db.session.execute(
        sa.select(counts.c.period_id, counts.c.n)
        .join(Period, Period.id == counts.c.period_id)
        .order_by(*Period.newest_first())
    ).tuples().all()
    skip = (f.page - 1) * f.per_page
    spanned: list[int] = []
    seen = first = 0
    for period_id, n in rows:
        if seen + n > skip and seen < skip + f.per_page:
            if not spanned:
                first = seen  # matches before the first period the page spans
            spanned.append(period_id)
        seen += n
    ids: list[int] = []
    if spanned:
        stmt = _ordered(_Shape.of(f), [*clauses, d.period_id.in_(spanned)])
        ids = list(db.session.connection().scalars(stmt.offset(skip - first).limit(f.per_page)))
    return ResultPage(ids, seen, f.page, f.per_page)


def _counted(f: ListFilters) -> ResultPage:
    """A page sorted by deadline or last update, without a bucket: a count and the page. The
    count reads the filters alone: the sorted statement's joins (the period, each directive's
    latest report) keep one row per directive, and counting through them aggregated every
    report of ten years a second time."""
    stmt = filtered_select(f)
    d = Directive
    total = db.session.scalar(sa.select(sa.func.count(d.id)).where(*_clauses(f, d))) or 0
    start = (f.page - 1) * f.per_page
    ids = list(db.session.connection().scalars(stmt.offset(start).limit(f.per_page)))
    return ResultPage(ids, total, f.page, f.per_page)


@functools.lru_cache(maxsize=4096)
def _unit_type(unit_type: str | None, unit_class: str | None, name: str) -> str:
    """The unit's typed kind; inferring it from the name (unidecode) is remembered per
    process, being a pure function of the three."""
    return unit_type or infer_type(unit_class, name)


_ACTIVE_UNITS = (
    sa.select(Unit.id, Unit.name, Unit.unit_type, Unit.kind)
    .where(Unit.active)
    .order_by(Unit.position, Unit.name)
)


def unit_options() -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """(id, name) of the active units in the catalogue's order, for the unit filter, and the
    kinds of unit present, for the group filter (one query)."""
    rows = db.session.connection().execute(_ACTIVE_UNITS).tuples().all()
    types = [_unit_type(utype, kind, name) for _, name, utype, kind in rows]
    return [(uid, name) for uid, name, _, _ in rows], groups_present(types)


def unit_choices() -> list[tuple[int, str]]:
    return unit_options()[0]


def page_ids(f: ListFilters) -> ResultPage:
    """The ids of the page of top-level directives the filters ask for (in order), and how
    many match in all.

    The other filters narrow first (one query, _candidates); with those ids, or a bucket to
    compute, every match's id comes sorted in one query and the page is sliced from it; with
    neither, counting and paging stay in the database.
    """
    candidates = _candidates(f)
    if candidates is not None and not candidates:
        return ResultPage([], 0, f.page, f.per_page)
    if candidates is None and f.bucket is None and f.sort != "bucket":
        return _by_period(f) if f.sort == "number" else _counted(f)
    if candidates is not None and (f.bucket is not None or f.sort == "bucket") \
            and f.sort != "updated":
        # With a bucket the buckets are computed for the candidates (and their sub-directives)
        # alone and joined: keeping the top-level ones is keeping the candidates, without
        # sending their ids a second time.
        connection = db.session.connection()
        ids = connection.scalars(_ordered_for_candidates(_Shape.of(f)), {
            BUCKETS_IDS_PARAM: encode_ids(candidates, connection.dialect.name)}).all()
    elif candidates is not None:
        d = Directive
        kept = top_level(d) if f.bucket is not None or f.sort == "bucket" \
            else d.id.in_(candidates)
        where = [kept, directive_exists(f.as_of, d)]
        ids = db.session.connection().scalars(_ordered(_Shape.of(f), where, candidates)).all()
    elif not f.narrowed:
        ids = list(db.session.connection().scalars(_ordered_by_shape(_Shape.of(f))))
    else:
        ids = list(db.session.connection().scalars(filtered_select(f)))
    start = (f.page - 1) * f.per_page
    return ResultPage(ids[start : start + f.per_page], len(ids), f.page, f.per_page)


def fetch_page(f: ListFilters) -> ResultPage:
    """page_ids with the directives loaded as objects (the JSON API)."""
    page = page_ids(f)
    return replace(page, items=queries.directives_by_ids(page.items))
