"""Quản trị → Cơ quan: the organization's level, name, report header, place, signer, number
series, recipients and report fields. Admin only; the first save stores what the environment
variables seeded."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.admin.views import bp
from tracker.auth.permissions import Action, requires
from tracker.core import uow
from tracker.core.errors import UserError
from tracker.core.forms import FormData, text
from tracker.organization import defaults, services
from tracker.organization.profiles import PROFILES

MAX_FIELD_LINES = 4000
MAX_RECIPIENT_LINES = 6000
TEXT_FIELDS = (
    ("name", "Tên cơ quan, địa phương"), ("short_name", "Tên gọi ngắn"),
    ("header_parent", "Cơ quan (dòng 1)"), ("header_name", "Cơ quan (dòng 2)"),
    ("place", "Địa danh"), ("signer_capacity", "Thẩm quyền ký"),
    ("signer_title", "Chức vụ người ký"), ("signer_name", "Họ tên người ký"),
    ("number_series", "Ký hiệu số báo cáo"),
)


def fields_text(fields: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    return "\n".join(f"{code} | {label}" for code, label in fields)


def parse_fields(value: str) -> list[tuple[str, str]]:
    """One field per line, "mã | Tên lĩnh vực" (a line without "|" keeps a code from its
    label is refused: codes are what directives store)."""
    out = []
    for number, line in enumerate(value.splitlines(), 1):
        if not line.strip():
            continue
        if "|" not in line:
            raise UserError(f"Lĩnh vực, dòng {number}: viết theo dạng «mã | Tên lĩnh vực».")
        code, label = line.split("|", 1)
        out.append((code.strip(), label.strip()))
    return out


def parse_form(form: FormData) -> services.OrgInput:
    values = {name: text(form, name, label, services.MAX_TEXT) for name, label in TEXT_FIELDS}
    recipients = text(form, "recipients", "Nơi nhận", MAX_RECIPIENT_LINES).splitlines()
    return services.OrgInput(
        level=(form.get("level") or "").strip(),
        recipients=[r.strip().lstrip("-").strip() for r in recipients if r.strip()],
        fields=parse_fields(text(form, "fields", "Lĩnh vực", MAX_FIELD_LINES, required=True)),
        officer_assignees=bool(form.get("officer_assignees")),
        **values,
    )


def _render(values: dict, version: int | str, error: str | None = None) -> str:
    return render_template(
        "admin/organization.html", values=values, version=version, levels=defaults.LEVELS,
        profiles=PROFILES, org=services.current(), error=error,
    )


def _values(info: services.OrgInfo) -> dict:
    data = {name: getattr(info, name) for name, _ in TEXT_FIELDS}
    data.update(level=info.level, recipients="\n".join(info.recipients),
                fields=fields_text(info.fields), officer_assignees=info.officer_assignees)
    return data


@bp.route("/organization", methods=["GET", "POST"])
@requires(Action.ADMINISTER)
def organization():
    info = services.current()
    if request.method == "GET":
        return _render(_values(info), info.version)
    form_values = {key: (request.form.get(key) or "")[:MAX_RECIPIENT_LINES]
                   for key in (*[n for n, _ in TEXT_FIELDS], "level", "recipients", "fields")}
    form_values["officer_assignees"] = bool(request.form.get("officer_assignees"))
    uow.rerender_on_error(lambda exc: _render(
        form_values, request.form.get("version", "")[:12], exc.message))
    data = parse_form(request.form)
    expected = request.form.get("version") if info.configured else None
    saved = services.save(data, user=current_user, expected_version=expected)
    flash(f"Đã lưu thông tin cơ quan: {saved.short_name}.", "success")
    return redirect(url_for("admin.organization"))
