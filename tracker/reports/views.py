"""Report pages: list, draft (edit, regenerate), exports, print view, finalise, defaults.

Editors are admin, leader and secretariat. Officers and viewers may read and download
finalised reports only; a draft is 403 for them (docs/CONVENTIONS.md, permission table).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import BuildError

from tracker.auth.models import ADMIN, LEADER, SECRETARIAT
from tracker.auth.permissions import roles_required
from tracker.core import clock
from tracker.core.errors import fail
from tracker.core.formatting import fmt_date
from tracker.extensions import db
from tracker.reports import services
from tracker.reports.compose import SECTION_KEYS, SECTION_LABELS, OrgDefaults, PeriodRef
from tracker.reports.document import format_vn_date, normalize_recipients
from tracker.reports.html import print_view
from tracker.reports.models import FINAL, Report

bp = Blueprint("reports", __name__, url_prefix="/reports")

EDITORS = (ADMIN, LEADER, SECRETARIAT)
MAX_SECTION_CHARS = 200_000
MAX_SETTING_CHARS = 300


def _can_edit() -> bool:
    return current_user.is_authenticated and current_user.role in EDITORS


def _get_report(report_id: int) -> Report:
    report = db.session.scalar(
        sa.select(Report).where(Report.id == report_id).options(joinedload(Report.period))
    )
    if report is None:
        fail(404, "Không tìm thấy báo cáo.")
    if not report.is_final and not _can_edit():
        fail(403, "Báo cáo đang là dự thảo; chỉ Văn phòng và Lãnh đạo UBND được xem và sửa.")
    return report


def _version() -> int | None:
    raw = (request.form.get("version") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        fail(400, "Phiên bản báo cáo không hợp lệ. Hãy tải lại trang.")
    return int(raw)


def _commit_or_fail(action):  # noqa: ANN001, ANN202 - a thunk running a service
    """Run a service, commit once; Vietnamese 400/409 on a broken rule, nothing written."""
    try:
        value = action()
        db.session.commit()
        return value
    except services.ReportConflictError as exc:
        db.session.rollback()
        fail(409, str(exc))
    except services.ReportError as exc:
        db.session.rollback()
        fail(400, str(exc))
    except StaleDataError:
        db.session.rollback()
        fail(409, "Báo cáo đã được người khác thay đổi cùng lúc. Hãy tải lại trang.")


def _default_period() -> PeriodRef:
    today = clock.today()
    return PeriodRef(today.year, today.month).previous()


@bp.route("/")
def index():
    """Reports, newest period first; readers see issued reports only."""
    query = sa.select(Report).options(
        joinedload(Report.period), joinedload(Report.updated_by), joinedload(Report.finalised_by)
    )
    if not _can_edit():
        query = query.where(Report.status == FINAL)
    reports = list(db.session.scalars(query))
    reports.sort(key=lambda r: (r.period.year, r.period.month), reverse=True)
    return render_template(
        "reports/index.html",
        reports=reports,
        can_edit=_can_edit(),
        default_period=_default_period().key,
        default_as_of=fmt_date(clock.today()),
    )


@bp.route("/", methods=["POST"])
@roles_required(*EDITORS)
def create():
    """Lập báo cáo: draft the report of a period as of a day (one report per period)."""
    period_raw = request.form.get("period", "")
    as_of_raw = request.form.get("as_of", "")
    try:
        ref = services.parse_period(period_raw)
        as_of = services.parse_as_of(as_of_raw)
    except services.ReportError as exc:
        fail(400, str(exc))
    existing = services.report_for_period(ref)
    if existing is not None:
        flash(f"Kỳ {ref.label} đã có báo cáo; đã mở báo cáo đó.", "info")
        return redirect(url_for("reports.detail", report_id=existing.id))
    report = _commit_or_fail(lambda: services.create_report(ref, as_of, user=current_user))
    flash(f"Đã lập dự thảo báo cáo tháng {ref.label} (số liệu đến ngày {fmt_date(as_of)}).",
          "success")
    return redirect(url_for("reports.detail", report_id=report.id))


def _review_url(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return url_for("manage.import_preview", token=token)
    except BuildError:
        return None


@bp.route("/<int:report_id>")
def detail(report_id: int):
    """The draft, one textarea per section (read-only once issued)."""
    report = _get_report(report_id)
    ref = services.ref_of(report)
    return render_template(
        "reports/detail.html",
        report=report,
        ref=ref,
        next_ref=ref.next(),
        keys=SECTION_KEYS,
        labels=SECTION_LABELS,
        editable=_can_edit() and not report.is_final,
        can_edit=_can_edit(),
        next_directives=services.next_period_directives(report) if report.is_final else [],
        review_url=_review_url(services.pending_review_token(report)) if _can_edit() else None,
    )


@bp.route("/<int:report_id>/save", methods=["POST"])
@roles_required(*EDITORS)
def save(report_id: int):
    report = _get_report(report_id)
    texts = {}
    for key in SECTION_KEYS:
        name = f"section-{key}"
        if name in request.form:
            value = request.form[name]
            if len(value) > MAX_SECTION_CHARS:
                fail(400, f"Mục «{SECTION_LABELS[key]}» quá dài (tối đa {MAX_SECTION_CHARS} "
                          "ký tự).")
            texts[key] = value
    version = _version()
    changed = _commit_or_fail(
        lambda: services.save_sections(report, texts, version, user=current_user)
    )
    flash("Đã lưu báo cáo." if changed else "Không có thay đổi nào để lưu.",
          "success" if changed else "info")
    return redirect(url_for("reports.detail", report_id=report.id))


@bp.route("/<int:report_id>/regenerate", methods=["POST"])
@roles_required(*EDITORS)
def regenerate(report_id: int):
    """Tạo lại from the data; edited sections stay unless "ghi đè phần đã sửa" is ticked."""
    report = _get_report(report_id)
    as_of = None
    if (request.form.get("as_of") or "").strip():
        try:
            as_of = services.parse_as_of(request.form["as_of"])
        except services.ReportError as exc:
            fail(400, str(exc))
    overwrite = request.form.get("overwrite") == "1"
    version = _version()
    kept = _commit_or_fail(
        lambda: services.regenerate(report, version, as_of=as_of, overwrite=overwrite,
                                    user=current_user)
    )
    message = f"Đã tạo lại báo cáo từ số liệu đến ngày {fmt_date(report.as_of)}."
    if kept:
        message += " Giữ nguyên các phần đã sửa: " + ", ".join(
            SECTION_LABELS[k] for k in kept) + "."
    flash(message, "success")
    return redirect(url_for("reports.detail", report_id=report.id))


@bp.route("/<int:report_id>/finalise", methods=["POST"])
@roles_required(*EDITORS)
def finalise(report_id: int):
    """Ban hành: lock, keep the files, create next period's directives from section II."""
    report = _get_report(report_id)
    version = _version()
    result = _commit_or_fail(lambda: services.finalise(report, version, user=current_user))
    label = result.next_period.label if result.next_period else ""
    parts = [f"Đã ban hành báo cáo tháng {services.ref_of(report).label}."]
    if result.carried:
        parts.append(f"Đã chuyển tiếp {len(result.carried)} nhiệm vụ sang tháng {label}.")
    if result.new:
        parts.append(f"Đã tạo {len(result.new)} nhiệm vụ mới với đơn vị đề xuất.")
    flash(" ".join(parts), "success")
    for warning in result.warnings[:5]:
        flash(warning, "warning")
    review = _review_url(result.draft_token)
    if review:
        flash(f"Có {result.pending_review} nhiệm vụ mới trong mục II: hãy xem xét đơn vị, "
              "thời hạn và xác nhận để tạo nhiệm vụ.", "info")
        return redirect(review)
    return redirect(url_for("reports.detail", report_id=report.id))


def _download(report: Report, kind: str) -> Response:
    data, filename, content_type = services.export_bytes(report, kind)
    response = Response(data, mimetype=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/<int:report_id>/bao-cao.docx")
def export_docx(report_id: int):
    return _download(_get_report(report_id), "docx")


@bp.route("/<int:report_id>/phu-luc.xlsx")
def export_xlsx(report_id: int):
    return _download(_get_report(report_id), "xlsx")


@bp.route("/<int:report_id>/in")
def print_page(report_id: int):
    """Print-friendly page: the document as it will be issued, footnotes at the end."""
    report = _get_report(report_id)
    doc = services.document_of(report)
    return render_template(
        "reports/print.html", report=report, doc=doc, view=print_view(doc),
        date_line=format_vn_date(doc.issued_on, doc.place),
        recipients=normalize_recipients(doc.recipients),
    )


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(*EDITORS)
def settings():
    """Per-organisation defaults: signer, capacity, recipients, place, issuing body."""
    org = services.org_defaults()
    if request.method == "POST":
        values = {}
        for key in ("issuer_parent", "issuer", "org_short", "place", "number",
                    "signer_capacity", "signer_title", "signer_name"):
            value = (request.form.get(key) or "").strip()
            if not value:
                fail(400, "Hãy điền đủ các mục; không mục nào được để trống.")
            if len(value) > MAX_SETTING_CHARS:
                fail(400, f"Mỗi mục dài tối đa {MAX_SETTING_CHARS} ký tự.")
            values[key] = value
        recipients = [
            line.strip() for line in (request.form.get("recipients") or "").splitlines()
            if line.strip()
        ]
        if len(recipients) > 50 or any(len(r) > MAX_SETTING_CHARS for r in recipients):
            fail(400, "Danh sách nơi nhận quá dài (tối đa 50 dòng, mỗi dòng 300 ký tự).")
        values["recipients"] = recipients
        org = OrgDefaults.from_json(values)
        services.save_org_defaults(org, user=current_user)
        db.session.commit()
        flash("Đã lưu thông tin mặc định của báo cáo.", "success")
        return redirect(url_for("reports.settings"))
    return render_template("reports/settings.html", org=org)
