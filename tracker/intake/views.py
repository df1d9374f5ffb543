"""Import a report: upload, preview with proposals, confirm (blueprint ``intake``).

Thin views: a good upload is kept as a draft and previewed; the preview (review.py) shows every
parsed task with its proposed field, units, groups and deadline, the names the catalogue lacks,
the section taken, the issuer and the period, all editable; the confirm (review_form.py, then
drafts.confirm_draft) adds the units chosen for creation and creates the directives once. A
mistake shows the page again with every choice as it was sent and a 400; the unit of work
(tracker/core/uow.py) commits or rolls back, and nothing is written on a refusal.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.permissions import Action, requires
from tracker.calendar.services import load_calendar
from tracker.core import clock, uow
from tracker.core.errors import NotFound, UserError
from tracker.core.periods import PeriodKey
from tracker.directives.fields import FIELDS
from tracker.directives.models import Period
from tracker.intake import drafts
from tracker.intake.models import ImportDraft
from tracker.intake.parser import ParsedReport
from tracker.intake.reading import read_report_file
from tracker.intake.review import Review, UnitOption, Units, propose_review
from tracker.intake.review_form import read_review
from tracker.units.catalogue import UNIT_KINDS
from tracker.units.queries import all_units

bp = Blueprint("intake", __name__)

MAX_REPORT_BYTES = 5 * 1024 * 1024
ALREADY_IMPORTED = "Báo cáo này đã được nhập trước đây; không tạo thêm nhiệm vụ nào."
RACE_WITH_UNITS = (
    "Báo cáo này vừa được nhập, hoặc một mã đơn vị mới vừa được người khác dùng, cùng lúc với "
    "bạn nên chưa lưu gì. Hãy tải lại trang và thử lại."
)


def _list_url(period: Period | None = None) -> str:
    if period is not None:
        return url_for("directives.list", period=period.key)
    return url_for("directives.list")


# --- upload ----------------------------------------------------------------------------------


def _render_upload(error: str | None = None, period: str = ""):
    return render_template("intake/upload.html", error=error, period=period[:30])


@bp.route("/imports/new", methods=["GET", "POST"])
@requires(Action.IMPORT_REPORTS)
def import_new():
    """Upload a report; a good file is kept as a draft and previewed."""
    if request.method == "GET":
        return _render_upload()
    period_raw = (request.form.get("period") or "").strip()
    uow.rerender_on_error(lambda exc: _render_upload(exc.message, period_raw))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise UserError("Hãy chọn tệp báo cáo (.docx, .pdf, .txt hoặc .md) để tải lên.")
    period = PeriodKey.parse_optional(period_raw, label="Kỳ của các nhiệm vụ")
    data = upload.read(MAX_REPORT_BYTES + 1)
    text = read_report_file(upload.filename, data, max_bytes=MAX_REPORT_BYTES)
    drafts.parse_for_import(text, period)  # refuse here what the preview could not show
    draft = drafts.create_draft(
        upload.filename, text, period.key if period else None, user=current_user
    )
    return redirect(url_for("intake.import_preview", token=draft.token))


# --- preview -------------------------------------------------------------------------------


def _get_draft(token: str) -> ImportDraft:
    draft = drafts.get_draft(token)
    if draft is None:
        raise NotFound("Không tìm thấy bản nhập này (có thể đã quá hạn). Hãy tải tệp lên lại.")
    return draft


def _parse_draft(draft: ImportDraft) -> ParsedReport:
    period = PeriodKey.parse(draft.period_key) if draft.period_key else None
    return drafts.parse_for_import(draft.text, period)


def _units() -> Units:
    """The active units for the pickers; every code in use, to keep new codes apart."""
    rows = all_units()
    return Units(
        [UnitOption(u.id, u.code, u.name, u.kind) for u in rows if u.active],
        [u.code for u in rows],
    )


def _render_preview(draft: ImportDraft, parsed: ParsedReport, review: Review,
                    units: Units) -> str:
    top = len(parsed.items)
    return render_template(
        "intake/preview.html",
        draft=draft,
        parsed=parsed,
        period=parsed.period_key,
        review=review,
        unit_groups=units.grouped(),
        units=units,
        unit_kinds=UNIT_KINDS,
        fields=FIELDS,
        existing=drafts.imported_source(draft.text),
        top_count=top,
        child_count=len(review.rows) - top,
    )


@bp.route("/imports/<token>")
@requires(Action.IMPORT_REPORTS)
def import_preview(token: str):
    """The parsed tasks with the proposed field, units, groups and deadline, all editable."""
    draft = _get_draft(token)
    parsed = _parse_draft(draft)
    units = _units()
    return _render_preview(draft, parsed, propose_review(parsed, units, clock.today()), units)


@bp.route("/imports/<token>/confirm", methods=["POST"])
@requires(Action.IMPORT_REPORTS)
def import_confirm(token: str):
    """Add the units chosen for creation and create the directives, once."""
    draft = _get_draft(token)
    if draft.source_id is not None or drafts.imported_source(draft.text) is not None:
        flash(ALREADY_IMPORTED, "info")
        return redirect(_list_url(draft.source.period if draft.source else None))
    parsed = _parse_draft(draft)
    units = _units()
    today = clock.today()
    review, plan = read_review(parsed, request.form, units, load_calendar(), today)
    if plan is None:
        return _render_preview(draft, parsed, review, units), 400

    def again(exc: UserError) -> str:
        review.errors = [exc.message]
        return _render_preview(draft, parsed, review, _units())  # what is saved after rollback

    uow.rerender_on_error(again)
    uow.on_race(RACE_WITH_UNITS if plan.new_units else ALREADY_IMPORTED)
    result = drafts.confirm_draft(draft, parsed, plan, user=current_user, assigned_on=today)
    if result.already_imported:
        flash(ALREADY_IMPORTED, "info")
        return redirect(_list_url(result.source.period))
    subs = sum(1 for d in result.created if d.parent_id is not None)
    flash(
        f"Đã nhập {len(result.created)} nhiệm vụ kỳ {result.source.period.label} "
        f"({len(result.created) - subs} nhiệm vụ, {subs} nhiệm vụ con).",
        "success",
    )
    if plan.new_units:
        names = ", ".join(f"{u.name} ({u.code})" for u in plan.new_units)
        flash(f"Đã thêm vào danh mục đơn vị: {names}.", "success")
    return redirect(_list_url(result.source.period))
