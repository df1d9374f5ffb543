"""Read pages: the first page, the dashboard and the directive list (thin: parse, query, render)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from flask import Blueprint, request, url_for

from tracker.auth.permissions import Action, requires
from tracker.constants import LEAD
from tracker.core import clock
from tracker.core.forms import parse_int
from tracker.core.pagecache import depends_on, render_page
from tracker.core.paging import ResultPage
from tracker.directives import cache_scopes, dashboard, list_rows, listing, queries, row_html
from tracker.directives.chart import stacked_chart
from tracker.directives.dashboard import SCOREBOARD_COLUMNS, sort_rows
from tracker.directives.fields import FIELD_LABELS, FIELDS
from tracker.directives.status import (
    BUCKET_COLOURS,
    BUCKET_LABELS,
    BUCKET_ORDER,
    Bucket,
    fmt_rate,
    summarize,
)
from tracker.units.queries import UnitRow, catalogue_rows
from tracker.units.queries import groups_present as unit_groups_present

bp = Blueprint("directives", __name__)


def directive_url(directive_id: int) -> str:
    return url_for("work.directive", directive_id=directive_id)


def id_links(endpoint: str, key: str) -> Callable[[int], str]:
    """The URLs of an endpoint taking one integer id, resolved by url_for once: a page of rows
    links hundreds of units and directives, and url_for costs more than the rest of a link."""
    marker = 987654321
    head, _, tail = url_for(endpoint, **{key: marker}).partition(str(marker))
    return lambda value: f"{head}{value}{tail}"


def _row_links() -> tuple[Callable[[int], str], Callable[[int], str]]:
    """The links of a page of rows: to a directive, to a unit."""
    return id_links("work.directive", "directive_id"), id_links("units.detail", "unit_id")


def fmt_int(value: int) -> str:
    """Vietnamese thousands separator: 16.051."""
    return f"{value:,}".replace(",", ".")


@bp.app_context_processor
def status_template_globals() -> dict:
    """Names every page showing status uses (directives, units, work, reports)."""
    return {
        "directive_url": directive_url,
        "fmt_rate": fmt_rate,
        "fmt_int": fmt_int,
        "BUCKET_LABELS": BUCKET_LABELS,
        "BUCKET_COLOURS": BUCKET_COLOURS,
        "BUCKET_ORDER": BUCKET_ORDER,
        "Bucket": Bucket,
        "field_labels": FIELD_LABELS,
        "LEAD": LEAD,
    }


INDEX_PER_PAGE = 50


def period_scopes() -> list[str] | None:
    """The first page and the dashboard show a period's buckets, not its progress."""
    return cache_scopes.period_page(all_periods_is_everything=False, status_only=True)


def list_scopes() -> list[str] | None:
    return cache_scopes.list_page()


@bp.route("/")
@requires(Action.READ)
def index():
    """The first page after login: a period's directives with their buckets and a summary.

    The summary strip counts the whole period in SQL (dashboard.field_summaries); only the
    directives on this page are loaded as objects, so a province-size month stays fast.
    """
    return render_page("directives/index.html", _index_context, period_scopes, shared=True)


def _index_context() -> dict:
    periods = queries.period_rows()
    period = listing.parse_period(request.args, periods)
    if period is None:  # "all" makes no sense here: show the default period
        period = queries.pick_default(periods)
    page_no = parse_int(request.args.get("page") or "1", "Số trang không hợp lệ.")
    as_of = clock.today()
    summary = summarize([])
    directives: list[list_rows.DirectiveRow] = []
    pager = ResultPage([], 0, 1, INDEX_PER_PAGE)
    if period is not None:
        summary = queries.period_summary(period.id, as_of)
        pager = ResultPage([], sum(summary.counts.values()), page_no, INDEX_PER_PAGE)
        ids = queries.top_level_ids(period.id, (page_no - 1) * INDEX_PER_PAGE, INDEX_PER_PAGE)
        directives = list_rows.load_rows(ids)
    statuses = list_rows.row_statuses(directives, as_of)
    return {
        "period": period,
        "periods": periods,
        "period_options": queries.period_options(periods),
        "directives": directives,
        "as_of": as_of,
        "statuses": statuses,
        "summary": summary,
        "index_pager": pager,
        "rows_html": row_html.period_rows_html(directives, statuses, *_row_links()),
    }


@bp.route("/dashboard", endpoint="dashboard")
@requires(Action.READ)
def dashboard_page():
    """Counts per bucket, the headline rates, scoreboards per unit and per field, a chart."""
    return render_page("directives/dashboard.html", _dashboard_context, period_scopes,
                       shared=True)


def _dashboard_context() -> dict:
    periods = queries.period_rows()
    period = listing.parse_period(request.args, periods)
    if period is None:
        period = queries.pick_default(periods)
    as_of, against = listing.parse_as_of(request.args)
    sort = request.args.get("sort", "name")
    if sort not in SCOREBOARD_COLUMNS:
        sort = "name"
    descending = request.args.get("order", "asc") == "desc"
    group = listing.parse_group(request.args)
    board = None
    chart = None
    units: list[UnitRow] = []
    if period is not None:
        units = catalogue_rows()
        board = dashboard.build_board(
            period.id, units, as_of, against,
            day=dashboard.board_day(period.last_day, as_of), group=group,
        )
        board.units = sort_rows(board.units, sort, descending)
        chart = stacked_chart([(row.label, row.summary) for row in board.fields])
    link_args = {
        "period": period.key if period else None,
        "as_of": as_of.strftime("%d/%m/%Y"),
        "against": against,
        "kind": group,
    }
    return {
        "period": period,
        "period_options": queries.period_options(periods),
        "board": board,
        "chart": chart,
        "as_of": as_of,
        "against": against,
        "against_labels": listing.AGAINST_LABELS,
        "columns": SCOREBOARD_COLUMNS,
        "sort": sort,
        "descending": descending,
        "link_args": link_args,
        "group": group,
        "group_choices": unit_groups_present([u.type for u in units]) if period else [],
        "unit_lines": dashboard.unit_lines_html,
    }


@bp.route("/directives", endpoint="list")
@requires(Action.READ)
def list_page():
    """Every directive, filtered (period, field, unit, bucket, text), sorted and paged."""
    return render_page("directives/list.html", _list_context, list_scopes, shared=True)


def _list_context() -> dict:
    periods = queries.period_rows()
    filters = listing.parse_filters(request.args, periods)
    found = listing.page_ids(filters)
    # the rows' latest reports show: the copy stays valid while these directives do not move
    depends_on(cache_scopes.directive_scope(i) for i in found.items)
    page = dataclasses.replace(found, items=list_rows.load_rows(found.items))
    unit_options = listing.unit_options()
    statuses = list_rows.row_statuses(page.items, filters.as_of, filters.against)
    return {
        "page": page,
        "filters": filters,
        "period_options": queries.period_options(periods),
        "statuses": statuses,
        "units": unit_options[0],
        "group_choices": unit_options[1],
        "fields": FIELDS,
        "sorts": listing.SORTS,
        "against_labels": listing.AGAINST_LABELS,
        "rows_html": row_html.list_rows_html(page.items, statuses, *_row_links()),
    }
