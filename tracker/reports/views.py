"""Report pages: list, draft (edit, regenerate), exports, print view, finalise, defaults.

Editors are admin, leader and secretariat. Officers and viewers may read and download
finalised reports only; a draft is 403 for them (docs/CONVENTIONS.md, permission table).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tracker.auth.permissions import Action, can, require, requires
from tracker.core import clock
from tracker.core.errors import NotFound, UserError, submitted_version
from tracker.core.formatting import fmt_date
from tracker.core.periods import PeriodKey
from tracker.directives import queries
from tracker.extensions import db
from tracker.reports import finalise as issuing
from tracker.reports import pdf_export, services
from tracker.reports.compose import SECTION_KEYS, SECTION_LABELS
from tracker.reports.document import (
    APPENDIX_HEADERS,
    appendix_caption,
    appendix_cells,
    format_vn_date,
    normalize_recipients,
)
from tracker.reports.html import print_view
from tracker.reports.models import FINAL, Report
from tracker.reports.pending import pending_list
from tracker.reports.prose import Block
from tracker.reports.sections import parse_blocks

bp = Blueprint("reports", __name__, url_prefix="/reports")

MAX_SECTION_CHARS = 200_000


def _can_edit() -> bool:
    return can(current_user, Action.EDIT_REPORTS)


def _get_report(report_id: int) -> Report:
    report = db.session.scalar(
        sa.select(Report).where(Report.id == report_id).options(joinedload(Report.period))
    )
    if report is None:
        raise NotFound("Không tìm thấy báo cáo.")
    require(current_user, Action.READ_REPORT, report)
    return report


def _version() -> int:
    return submitted_version(request.form.get("version"))


def segments(block: Block) -> list[tuple[str, str]]:
    """A paragraph as ("text", ...) and ("note", footnote) pieces, for the editor."""
    out: list[tuple[str, str]] = []
    last = 0
    anchors = list(block.anchors) + [len(block.text)] * (len(block.notes) - len(block.anchors))
    for anchor, note in zip(anchors, block.notes, strict=True):
        if anchor > last:
            out.append(("text", block.text[last:anchor]))
        out.append(("note", note))
        last = anchor
    if last < len(block.text):
        out.append(("text", block.text[last:]))
    return out


def _included(section_text: str) -> Callable[[str], bool]:
    """Whether a candidate of section II is in the section as it stands now."""
    lines = {_NUMBER.sub("", b.text).strip() for b in parse_blocks(section_text)}
    return lambda text: " ".join(str(text).split()) in lines


_NUMBER = re.compile(r"^(\d+\.|-)\s*")


def _section_texts() -> dict[str, str]:
    """The sections the form sent (the editor writes every one of them)."""
    texts = {}
    for key in SECTION_KEYS:
        name = f"section-{key}"
        if name in request.form:
            value = request.form[name]
            if len(value) > MAX_SECTION_CHARS:
                raise UserError(f"Mục «{SECTION_LABELS[key]}» quá dài (tối đa "
                                f"{MAX_SECTION_CHARS} ký tự).")
            texts[key] = value
    return texts


def _default_period() -> PeriodKey:
    return PeriodKey.of_month(clock.today()).previous()


@bp.route("/")
@requires(Action.READ)
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
        default_period=_default_period().key,
        default_as_of=fmt_date(clock.today()),
        periods=queries.periods_with_directives(),
    )


@bp.route("/", methods=["POST"])
@requires(Action.EDIT_REPORTS)
def create():
    """Lập báo cáo: draft the report of a period as of a day (one report per period)."""
    ref = services.parse_period(request.form.get("period", ""))
    as_of = services.parse_as_of(request.form.get("as_of", ""))
    services.check_as_of(ref, as_of)
    existing = services.report_for_period(ref)
    if existing is not None:
        flash(f"Kỳ {ref.label} đã có báo cáo; đã mở báo cáo đó.", "info")
        return redirect(url_for("reports.detail", report_id=existing.id))
    report = services.create_report(ref, as_of, user=current_user)
    flash(f"Đã lập dự thảo báo cáo tháng {ref.label} (số liệu đến ngày {fmt_date(as_of)}).",
          "success")
    return redirect(url_for("reports.detail", report_id=report.id))


def _review_url(token: str | None) -> str | None:
    return url_for("intake.import_preview", token=token) if token else None


@bp.route("/<int:report_id>")
@requires(Action.READ_REPORT)
def detail(report_id: int):
    """The draft, one textarea per section (read-only once issued)."""
    report = _get_report(report_id)
    ref = services.ref_of(report)
    sections = report.sections or {}
    return render_template(
        "reports/detail.html",
        report=report,
        ref=ref,
        next_ref=ref.next(),
        keys=SECTION_KEYS,
        labels=SECTION_LABELS,
        blocks={key: parse_blocks(sections.get(key, "")) for key in SECTION_KEYS},
        segments=segments,
        included=_included(sections.get("next_tasks", "")),
        carry=report.carry or [],
        editable=_can_edit() and not report.is_final,
        can_edit=_can_edit(),
        pdf_ready=pdf_export.available(),
        pdf_hint=pdf_export.INSTALL_HINT,
        next_directives=issuing.next_period_directives(report) if report.is_final else [],
        review_url=_review_url(issuing.pending_review_token(report)) if _can_edit() else None,
    )


@bp.route("/<int:report_id>/save", methods=["POST"])
@requires(Action.EDIT_REPORTS)
def save(report_id: int):
    report = _get_report(report_id)
    changed = services.save_sections(report, _section_texts(), _version(), user=current_user)
    flash("Đã lưu báo cáo." if changed else "Không có thay đổi nào để lưu.",
          "success" if changed else "info")
    return redirect(url_for("reports.detail", report_id=report.id))


@bp.route("/<int:report_id>/regenerate", methods=["POST"])
@requires(Action.EDIT_REPORTS)
def regenerate(report_id: int):
    """Tạo lại from the data; edited sections stay unless "ghi đè phần đã sửa" is ticked."""
    report = _get_report(report_id)
    as_of = None
    if (request.form.get("as_of") or "").strip():
        as_of = services.parse_as_of(request.form["as_of"])
    only = (request.form.get("section") or "").strip() or None
    if only is not None and only not in SECTION_KEYS:
        raise UserError("Không có mục báo cáo này.")
    overwrite = request.form.get("overwrite") == "1"
    version: int | None = _version()
    texts = _section_texts()
    if texts:  # the editor's unsaved changes come along: saved first, then kept
        services.save_sections(report, texts, version, user=current_user)
        version = None
    kept = services.regenerate(report, version, as_of=as_of, only=only, overwrite=overwrite,
                               user=current_user)
    what = f"mục «{SECTION_LABELS[only]}»" if only else "báo cáo"
    message = f"Đã tạo lại {what} từ số liệu đến ngày {fmt_date(report.as_of)}."
    if kept:
        message += " Giữ nguyên các đoạn đã sửa tay trong: " + ", ".join(
            SECTION_LABELS[k] for k in kept) + "."
    flash(message, "success")
    anchor = f"#section-{only}" if only else ""
    return redirect(url_for("reports.detail", report_id=report.id) + anchor)


@bp.route("/<int:report_id>/ban-hanh")
@requires(Action.EDIT_REPORTS)
def finalise_page(report_id: int):
    """Ban hành, step one: what still waits (completions, extensions, silent units, "[...]"),
    and the confirmation."""
    report = _get_report(report_id)
    if report.is_final:
        flash("Báo cáo đã ban hành.", "info")
        return redirect(url_for("reports.detail", report_id=report.id))
    ref = services.ref_of(report)
    return render_template("reports/finalise.html", report=report, ref=ref,
                           next_ref=ref.next(), pending=pending_list(report),
                           pdf_ready=pdf_export.available())


@bp.route("/<int:report_id>/finalise", methods=["POST"])
@requires(Action.EDIT_REPORTS)
def finalise(report_id: int):
    """Ban hành: lock, keep the files, create next period's directives from section II."""
    report = _get_report(report_id)
    if request.form.get("confirm") != "1":
        raise UserError("Hãy xem danh sách việc còn chờ và đánh dấu xác nhận trước khi ban hành.")
    result = issuing.finalise(report, _version(), user=current_user)
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
@requires(Action.READ_REPORT)
def export_docx(report_id: int):
    return _download(_get_report(report_id), "docx")


@bp.route("/<int:report_id>/bao-cao.pdf")
@requires(Action.READ_REPORT)
def export_pdf(report_id: int):
    """The .docx laid out by LibreOffice; a 503 that says how to install it when missing."""
    return _download(_get_report(report_id), "pdf")


@bp.route("/<int:report_id>/phu-luc.xlsx")
@requires(Action.READ_REPORT)
def export_xlsx(report_id: int):
    return _download(_get_report(report_id), "xlsx")


@bp.route("/<int:report_id>/in")
@requires(Action.READ_REPORT)
def print_page(report_id: int):
    """Print-friendly page: the document as it will be issued, footnotes at the end."""
    report = _get_report(report_id)
    doc = services.document_of(report)
    return render_template(
        "reports/print.html", report=report, doc=doc, view=print_view(doc),
        date_line=format_vn_date(doc.issued_on, doc.place),
        recipients=normalize_recipients(doc.recipients), caption=appendix_caption(doc),
        headers=APPENDIX_HEADERS, cells=[appendix_cells(row) for row in doc.appendix],
    )


@bp.route("/settings", methods=["GET", "POST"])
@requires(Action.EDIT_REPORTS)
def settings():
    """The report's header, place, signer and recipients are the organization's: an admin edits
    them on "Quản trị → Cơ quan"; other editors read them there."""
    if can(current_user, Action.ADMINISTER):
        return redirect(url_for("admin.organization"))
    return redirect(url_for("organization.show"))
