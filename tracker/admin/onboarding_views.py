"""Quản trị → Nhập từ Excel: download the template, upload units and users, preview, confirm.

The upload is kept server-side (OnboardingDraft) and previewed; the confirmation re-reads that
same file and applies it only if no row is refused (all or nothing, in the request's unit of
work). A file with errors answers 400 with every error listed by sheet and row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.admin import onboarding, workbook
from tracker.admin.models import OnboardingDraft
from tracker.admin.views import bp
from tracker.auth.permissions import Action, requires
from tracker.core import clock, uow
from tracker.core.errors import UserError
from tracker.extensions import db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DRAFT_KEEP = dt.timedelta(days=2)


@bp.route("/onboarding", endpoint="onboarding")
@requires(Action.ADMINISTER)
def onboarding_page():
    return render_template("admin/onboarding.html")


@bp.route("/onboarding/template.xlsx")
@requires(Action.ADMINISTER)
def onboarding_template():
    return Response(
        workbook.template_bytes(), mimetype=XLSX_TYPE,
        headers={"Content-Disposition": 'attachment; filename="mau-nhap-don-vi-nguoi-dung.xlsx"'},
    )


def _preview(draft: OnboardingDraft, result: onboarding.Plan,
             error: str | None = None) -> tuple[str, int]:
    page = render_template("admin/onboarding_preview.html", draft=draft, plan=result,
                           error=error, CREATE=onboarding.CREATE, UPDATE=onboarding.UPDATE,
                           ERROR=onboarding.ERROR, SAME=onboarding.SAME)
    return page, 400 if result.errors or error else 200


@bp.route("/onboarding", methods=["POST"])
@requires(Action.ADMINISTER)
def onboarding_upload():
    """Read the file, keep it, and show what it would create, change or refuse."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise UserError("Hãy chọn tệp Excel (.xlsx) để tải lên.")
    if not upload.filename.lower().endswith(".xlsx"):
        raise UserError("Chỉ nhận tệp Excel .xlsx (dùng tệp mẫu tải về ở trang này).")
    data = upload.read()
    sheets = workbook.read(data)
    db.session.execute(sa.delete(OnboardingDraft).where(
        OnboardingDraft.created_at < clock.now() - DRAFT_KEEP))
    draft = OnboardingDraft(
        token=secrets.token_urlsafe(24), filename=upload.filename[-255:], data=data,
        sha256=hashlib.sha256(data).hexdigest(), created_by_id=current_user.id,
        created_at=clock.now(),
    )
    db.session.add(draft)
    db.session.flush()
    result = onboarding.plan(sheets, actor=current_user)
    uow.keep_on_error()  # a 400 preview still keeps the draft (nothing else is written)
    return _preview(draft, result)


def _draft(token: str) -> OnboardingDraft:
    draft = db.session.scalar(sa.select(OnboardingDraft).where(OnboardingDraft.token == token))
    if draft is None:
        raise UserError("Không tìm thấy tệp đã tải lên (có thể đã quá hạn); hãy tải lên lại.")
    return draft


@bp.route("/onboarding/confirm", methods=["POST"])
@requires(Action.ADMINISTER)
def onboarding_confirm():
    """Apply the previewed file: everything or, on any refusal, nothing."""
    draft = _draft((request.form.get("token") or "").strip()[:40])
    if draft.applied_at is not None:
        flash("Tệp này đã được nhập trước đó; không có gì thay đổi.", "info")
        return redirect(url_for("admin.units"))
    result = onboarding.plan(workbook.read(draft.data), actor=current_user)
    if result.errors:
        return _preview(draft, result)
    token_kept = draft.token
    uow.rerender_on_error(lambda exc: _preview(_draft(token_kept), onboarding.plan(
        workbook.read(_draft(token_kept).data), actor=current_user), exc.message)[0])
    onboarding.apply(result, common_password=request.form.get("common_password") or None,
                     actor=current_user)
    draft.applied_at = clock.now()
    units, users = result.units, result.users
    flash(
        f"Đã nhập: {result.count(units, onboarding.CREATE)} đơn vị mới, "
        f"{result.count(units, onboarding.UPDATE)} đơn vị thay đổi; "
        f"{result.count(users, onboarding.CREATE)} người dùng mới (phải đổi mật khẩu khi đăng "
        f"nhập lần đầu), {result.count(users, onboarding.UPDATE)} người dùng thay đổi.",
        "success",
    )
    return redirect(url_for("admin.units"))
