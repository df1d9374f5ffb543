"""Import a monthly report: upload, preview with proposals, confirm (blueprint ``intake``).

Thin views: a good upload is kept as a draft and previewed; the preview shows every parsed task
with its proposed field, units and deadline, all editable; the confirm creates the directives
once. A mistake re-renders the page with a Vietnamese message and a 400; the unit of work
(tracker/core/uow.py) commits or rolls back, and nothing is written on a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.permissions import Action, requires
from tracker.core import clock, uow
from tracker.core.errors import NotFound, UserError
from tracker.core.formatting import fmt_date
from tracker.core.forms import parse_date, parse_id
from tracker.core.periods import PeriodKey
from tracker.directives.fields import DEFAULT_FIELD, FIELD_LABELS, FIELDS
from tracker.directives.forms import parse_field
from tracker.directives.models import Period
from tracker.intake import drafts
from tracker.intake.models import ImportDraft
from tracker.intake.parser import ParsedItem, ParsedReport, parse_report
from tracker.intake.reading import read_report_file
from tracker.intake.rules import routing_rules
from tracker.units.models import Unit
from tracker.units.queries import active_units, grouped_by_kind

bp = Blueprint("intake", __name__)

MAX_REPORT_BYTES = 5 * 1024 * 1024
ALREADY_IMPORTED = "Báo cáo này đã được nhập trước đây; không tạo thêm nhiệm vụ nào."


def _list_url(period: Period | None = None) -> str:
    if period is not None:
        return url_for("directives.list", period=period.key)
    return url_for("directives.list")


# --- upload ----------------------------------------------------------------------------------


def _render_upload(error: str | None = None, period: str = ""):
    return render_template("intake/upload.html", error=error, period=period[:20])


@bp.route("/imports/new", methods=["GET", "POST"])
@requires(Action.IMPORT_REPORTS)
def import_new():
    """Upload a monthly report; a good file is kept as a draft and previewed."""
    if request.method == "GET":
        return _render_upload()
    period_raw = (request.form.get("period") or "").strip()
    uow.rerender_on_error(lambda exc: _render_upload(exc.message, period_raw))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise UserError("Hãy chọn tệp báo cáo (.docx, .txt hoặc .md) để tải lên.")
    period = PeriodKey.parse_optional(period_raw)
    data = upload.read(MAX_REPORT_BYTES + 1)
    text = read_report_file(upload.filename, data, max_bytes=MAX_REPORT_BYTES)
    parse_report(text, (period.year, period.month) if period else None, rules=routing_rules())
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
    return parse_report(
        draft.text, (period.year, period.month) if period else None, rules=routing_rules()
    )


@dataclass
class PreviewRow:
    """One parsed item as shown on the preview page, with the reviewer's current choices."""

    item: ParsedItem
    is_child: bool
    field: str
    lead_ids: list[int]
    support_ids: list[int]
    deadline: str
    proposed: str = ""
    errors: list[str] = field(default_factory=list)


def _proposal_rows(parsed: ParsedReport, units: dict[str, Unit]) -> list[PreviewRow]:
    last_day = PeriodKey(parsed.year, parsed.month).last_day
    rows = []
    for item, parent in drafts.walk(parsed.items):
        leads = [units[c] for c in item.lead_units if c in units]
        supports = [units[c] for c in item.support_units if c in units]
        rows.append(
            PreviewRow(
                item=item,
                is_child=parent is not None,
                field=item.field or (parent.field if parent else "") or DEFAULT_FIELD,
                lead_ids=[u.id for u in leads],
                support_ids=[u.id for u in supports],
                deadline=fmt_date(last_day),
                proposed=", ".join(u.name for u in leads),
            )
        )
    return rows


def _unit_ids(values: list[str], units_by_id: dict[int, Unit]) -> list[Unit]:
    if len(values) > len(units_by_id):
        raise UserError("chọn quá nhiều đơn vị.")
    found = []
    for value in values:
        unit_id = parse_id(value, "đơn vị")
        unit = units_by_id.get(unit_id) if unit_id is not None else None
        if unit is None:
            raise UserError(f"đơn vị không hợp lệ (mã số «{value.strip()[:20]}»).")
        if unit not in found:
            found.append(unit)
    return found


def _row_choice(
    item: ParsedItem, row: PreviewRow, units_by_id: dict[int, Unit], by_code: dict[str, Unit]
) -> drafts.ItemChoice:
    n = item.number
    form = request.form
    if f"field-{n}" not in form:
        raise UserError("thiếu lựa chọn của nhiệm vụ này, hãy tải lại trang.")
    field_code = parse_field(form.get(f"field-{n}"))
    leads = _unit_ids(form.getlist(f"lead-{n}"), units_by_id)
    supports = _unit_ids(form.getlist(f"support-{n}"), units_by_id)
    row.lead_ids = [u.id for u in leads]
    row.support_ids = [u.id for u in supports]
    choice = drafts.ItemChoice(
        field=field_code,
        lead_units=[u.code for u in leads],
        support_units=[u.code for u in supports],
        deadline=parse_date(form.get(f"deadline-{n}"), "Thời hạn"),
    )
    drafts.check_choice(n, choice, by_code)
    return choice


def _submitted_rows(
    parsed: ParsedReport, units_by_id: dict[int, Unit]
) -> tuple[list[PreviewRow], dict[str, drafts.ItemChoice], list[str]]:
    """The reviewer's choices from the form, validated item by item (every mistake at once)."""
    rows: list[PreviewRow] = []
    choices: dict[str, drafts.ItemChoice] = {}
    errors: list[str] = []
    form = request.form
    by_code = {u.code: u for u in units_by_id.values()}
    for item, parent in drafts.walk(parsed.items):
        n = item.number
        raw_field = (form.get(f"field-{n}") or "").strip()
        row = PreviewRow(
            item=item,
            is_child=parent is not None,
            field=raw_field if raw_field in FIELD_LABELS else "",
            lead_ids=[],
            support_ids=[],
            deadline=(form.get(f"deadline-{n}") or "").strip()[:30],
            proposed=", ".join(by_code[c].name for c in item.lead_units if c in by_code),
        )
        rows.append(row)
        try:
            choices[n] = _row_choice(item, row, units_by_id, by_code)
        except UserError as exc:
            prefix = f"Nhiệm vụ {n}: "
            message = exc.message
            if message.startswith(prefix):
                message = message.removeprefix(prefix)
            else:  # a generic message ("Lĩnh vực không hợp lệ.") continues the prefix
                message = message[:1].lower() + message[1:]
            row.errors.append(message)
            errors.append(prefix + message)
    return rows, choices, errors


def _render_preview(
    draft: ImportDraft, parsed: ParsedReport, rows: list[PreviewRow], errors: list[str]
) -> str:
    return render_template(
        "intake/preview.html",
        draft=draft,
        parsed=parsed,
        rows=rows,
        errors=errors,
        unit_groups=grouped_by_kind(active_units()),
        fields=FIELDS,
        existing=drafts.imported_source(draft.text),
        period_label=f"{parsed.month:02d}/{parsed.year}",
        top_count=len(parsed.items),
        child_count=sum(len(i.children) for i in parsed.items),
    )


@bp.route("/imports/<token>")
@requires(Action.IMPORT_REPORTS)
def import_preview(token: str):
    """The parsed items with the proposed field, units and deadline, all editable."""
    draft = _get_draft(token)
    parsed = _parse_draft(draft)
    rows = _proposal_rows(parsed, {u.code: u for u in active_units()})
    return _render_preview(draft, parsed, rows, [])


@bp.route("/imports/<token>/confirm", methods=["POST"])
@requires(Action.IMPORT_REPORTS)
def import_confirm(token: str):
    """Create the directives with the reviewed choices, once."""
    draft = _get_draft(token)
    if draft.source_id is not None or drafts.imported_source(draft.text) is not None:
        flash(ALREADY_IMPORTED, "info")
        return redirect(_list_url(draft.source.period if draft.source else None))
    parsed = _parse_draft(draft)
    units_by_id = {u.id: u for u in active_units()}
    rows, choices, errors = _submitted_rows(parsed, units_by_id)
    if errors:
        return _render_preview(draft, parsed, rows, errors), 400
    uow.rerender_on_error(lambda exc: _render_preview(draft, parsed, rows, [exc.message]))
    uow.on_race(ALREADY_IMPORTED)  # a concurrent confirm of the same report won
    result = drafts.confirm_draft(
        draft, parsed, choices, user=current_user, assigned_on=clock.today()
    )
    if result.already_imported:
        flash(ALREADY_IMPORTED, "info")
    else:
        subs = sum(1 for d in result.created if d.parent_id is not None)
        flash(
            f"Đã nhập {len(result.created)} nhiệm vụ kỳ {result.source.period.label} "
            f"({len(result.created) - subs} nhiệm vụ, {subs} nhiệm vụ con).",
            "success",
        )
    return redirect(_list_url(result.source.period))
