"""JSON API /api/v1: read directives and assignments with their buckets, post progress.

Same permissions as the pages: every logged-in user reads; only an officer of the assignment's
own unit posts progress. Authentication is the session cookie or a per-user bearer token
(tokens.py). The blueprint is exempt from the automatic CSRF check so that token clients work;
a state change made with the session cookie must still carry the CSRF token in the X-CSRFToken
header (checked below). Errors are {"error": "<Vietnamese>", "status": code}.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tracker.api import serialize, tokens
from tracker.api.openapi import build_spec
from tracker.auth.permissions import Action, require, requires
from tracker.core.errors import NotFound, UserError
from tracker.core.forms import parse_int
from tracker.core.jsonbody import read_json
from tracker.directives import listing, queries
from tracker.directives.models import Assignment, Directive, Period, ProgressUpdate
from tracker.directives.presenters import status_book
from tracker.directives.status_sql import assignment_bucket, assignment_exists
from tracker.extensions import csrf, db
from tracker.work import workflow

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_TEXT = 20_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@bp.record_once
def _setup(state) -> None:
    tokens.init_app(state.app)


@bp.before_request
def _csrf_for_cookie_sessions():
    """Token requests need no CSRF token; cookie-authenticated changes do (X-CSRFToken)."""
    if request.method in SAFE_METHODS or getattr(g, "api_token_auth", False):
        return None
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None


def _periods() -> list[Period]:
    return queries.periods_with_directives()


@bp.get("/periods")
@requires(Action.READ)
def periods():
    """Every period that has directives, newest first."""
    items = [serialize.period(p, n) for p, n in queries.periods_with_counts()]
    return jsonify(items=items)


@bp.get("/directives")
@requires(Action.READ)
def directives():
    """Top-level directives, filtered and paged exactly like the list page."""
    f = listing.parse_filters(request.args, _periods())
    page = listing.fetch_page(f)
    book = status_book(page.items, f.as_of, f.against)
    return jsonify(
        items=[serialize.directive_brief(d, f.as_of, f.against, book) for d in page.items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
        period=f.period.key if f.period else listing.ALL_PERIODS,
        as_of=serialize.iso(f.as_of),
        against=f.against,
    )


def _as_of() -> tuple[dt.date, str]:
    return listing.parse_as_of(request.args)


@bp.get("/directives/<int:directive_id>")
@requires(Action.READ)
def directive(directive_id: int):
    """One directive with its assignments, buckets and latest updates, and its sub-directives."""
    as_of, against = _as_of()
    assignment_load = (
        selectinload(Directive.assignments),
        selectinload(Directive.assignments).joinedload(Assignment.unit),
        selectinload(Directive.assignments)
        .selectinload(Assignment.updates)
        .options(joinedload(ProgressUpdate.author), selectinload(ProgressUpdate.attachments)),
    )
    child = selectinload(Directive.children)
    d = db.session.scalar(
        sa.select(Directive)
        .where(Directive.id == directive_id)
        .options(
            joinedload(Directive.period),
            *assignment_load,
            child.selectinload(Directive.children),
            child.selectinload(Directive.assignments).joinedload(Assignment.unit),
            child.selectinload(Directive.assignments)
            .selectinload(Assignment.updates)
            .options(joinedload(ProgressUpdate.author), selectinload(ProgressUpdate.attachments)),
        )
    )
    if d is None:
        raise NotFound("Không tìm thấy nhiệm vụ.")
    return jsonify(serialize.directive_detail(d, as_of, against))


@bp.get("/assignments")
@requires(Action.READ)
def assignments():
    """Assignments, filtered by unit, period and bucket, paged."""
    args = request.args
    as_of, against = listing.parse_as_of(args)
    period = listing.parse_period(args, _periods())
    bucket = listing.parse_bucket(args.get("bucket"))
    unit_text = (args.get("unit") or "").strip()
    unit_id = parse_int(unit_text, "Mã đơn vị không hợp lệ.") if unit_text else None
    page_no = parse_int(args.get("page") or "1", "Số trang không hợp lệ.")
    per_page = parse_int(
        args.get("per_page") or str(listing.PER_PAGE), "Số dòng mỗi trang không hợp lệ."
    )
    if per_page > listing.MAX_PER_PAGE:
        raise UserError(f"Tối đa {listing.MAX_PER_PAGE} dòng mỗi trang.")
    stmt = (
        sa.select(Assignment)
        .join(Assignment.directive)
        .join(Directive.period)
        .options(
            contains_eager(Assignment.directive).contains_eager(Directive.period),
            joinedload(Assignment.unit),
        )
    )
    if period is not None:
        stmt = stmt.where(Directive.period_id == period.id)
    if unit_id is not None:
        stmt = stmt.where(Assignment.unit_id == unit_id)
    # As of a past day: the assignments given by then, judged as they stood then.
    stmt = stmt.where(assignment_exists(as_of))
    if bucket is not None:
        stmt = stmt.where(assignment_bucket(as_of, against) == bucket.value)
    stmt = stmt.order_by(
        Period.year.desc(), Period.month.desc(), Directive.position, Directive.id, Assignment.id
    )
    page = db.paginate(stmt, page=page_no, per_page=per_page, error_out=False, count=True)
    items = list(page.items)
    book = status_book({a.directive for a in items}, as_of, against)
    return jsonify(
        items=[serialize.assignment_row(a, as_of, against, book) for a in items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
        period=period.key if period else listing.ALL_PERIODS,
        as_of=serialize.iso(as_of),
        against=against,
    )


def _load_assignment(assignment_id: int) -> Assignment:
    a = db.session.scalar(
        sa.select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(
            joinedload(Assignment.directive).joinedload(Directive.period),
            joinedload(Assignment.unit),
            selectinload(Assignment.updates).options(
                joinedload(ProgressUpdate.author), selectinload(ProgressUpdate.attachments)
            ),
        )
    )
    if a is None:
        raise NotFound("Không tìm thấy phân công.")
    return a


@bp.get("/assignments/<int:assignment_id>")
@requires(Action.READ)
def assignment(assignment_id: int):
    """One assignment with its directive, bucket and every progress update."""
    as_of, against = _as_of()
    return jsonify(serialize.assignment_detail(_load_assignment(assignment_id), as_of, against))


TEXT_FIELDS = {
    "result": "Kết quả đạt được (result)",
    "difficulties": "Khó khăn, vướng mắc (difficulties)",
    "proposals": "Đề xuất, kiến nghị (proposals)",
}


def _text_field(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UserError(f"{TEXT_FIELDS[name]} phải là chuỗi ký tự.")
    if len(value) > MAX_TEXT:
        raise UserError(f"{TEXT_FIELDS[name]} quá dài (tối đa {MAX_TEXT} ký tự).")
    return value


def _progress_input(data: Any) -> dict[str, Any]:
    """The JSON body as the service's arguments; a UserError (400) when it is not acceptable."""
    if not isinstance(data, dict):
        raise UserError("Dữ liệu gửi lên phải là một đối tượng JSON hợp lệ.")
    percent = data.get("percent")
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise UserError("Tiến độ (percent) phải là số nguyên từ 0 đến 100.")
    values: dict[str, Any] = {"percent": percent}
    values.update({name: _text_field(data, name) for name in TEXT_FIELDS})
    if not values["result"].strip():
        raise UserError("Vui lòng nhập kết quả đạt được (result).")
    version = data.get("version")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 2**31
    ):
        raise UserError("Phiên bản (version) phải là số nguyên dương.")
    report_done = data.get("report_done") or False
    if not isinstance(report_done, bool):
        raise UserError("Báo cáo hoàn thành (report_done) phải là true hoặc false.")
    values["expected_version"] = version
    values["report_done"] = report_done
    return values


@bp.post("/assignments/<int:assignment_id>/progress")
@requires(Action.REPORT_PROGRESS)
def post_progress(assignment_id: int):
    """An officer of the assignment's unit reports progress (or completion)."""
    a = _load_assignment(assignment_id)
    require(current_user, Action.REPORT_PROGRESS, a)
    values = _progress_input(read_json(request))
    progress = workflow.post_progress(a, current_user, **values)
    as_of, against = _as_of()
    return jsonify(
        update=serialize.update(progress),
        assignment=serialize.assignment_row(a, as_of, against),
    ), 201


@bp.get("/openapi.json")
@requires(Action.READ)
def openapi():
    """The OpenAPI 3.1 document of this API (for logged-in users and token clients)."""
    return jsonify(build_spec())
