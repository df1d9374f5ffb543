"""Report rules: draft from the data as of a day, save edits, regenerate, export (finalise.py
issues it).

Services flush and never commit; the unit of work commits once. The wording lives in
``compose.py`` and the section writers (pure); ``data.py`` reads the history as of the report
day into their plain dataclasses.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.core import audit, clock
from tracker.core.errors import Conflict, UserError, check_version
from tracker.core.forms import parse_required_date
from tracker.core.periods import MONTH, PeriodKey
from tracker.directives.models import Directive, Period
from tracker.directives.queries import get_period
from tracker.extensions import db
from tracker.organization import services as organization
from tracker.reports import data as report_data
from tracker.reports.compose import (
    SECTION_KEYS,
    SECTION_LABELS,
    Composition,
    OrgDefaults,
    ReportInput,
    compose,
)
from tracker.reports.document import ReportDocument
from tracker.reports.docx_export import build_docx
from tracker.reports.drafting import appendix_rows, build_document
from tracker.reports.models import DRAFT, Report, ReportFile
from tracker.reports.sections import merge, normalize_text, serialize
from tracker.reports.xlsx_export import build_xlsx

KEYS_FIELD = "_keys"  # in Report.generated: the key of every generated paragraph, per section
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
EXPORT_KINDS = ("docx", "xlsx", "pdf")


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


def parse_period(text: str | None) -> PeriodKey:
    ref = PeriodKey.parse(text, label="Kỳ báo cáo")
    if ref.kind != MONTH:
        raise UserError("Báo cáo được lập theo tháng: hãy chọn một tháng (ví dụ 03/2023).")
    return ref


def parse_as_of(text: str | None) -> dt.date:
    return parse_required_date(
        text, "Ngày số liệu",
        empty="Hãy nhập ngày số liệu dạng ngày/tháng/năm (ví dụ 05/04/2023).",
    )


def check_as_of(ref: PeriodKey, as_of: dt.date) -> None:
    """A report counts what was recorded up to its day: not before the period, not a day that
    has not come yet."""
    if as_of < ref.first_day:
        raise UserError(
            f"Ngày số liệu {as_of:%d/%m/%Y} trước ngày đầu kỳ báo cáo "
            f"({ref.first_day:%d/%m/%Y}): chưa có gì để báo cáo."
        )
    if as_of > clock.today():
        raise UserError(
            f"Ngày số liệu {as_of:%d/%m/%Y} chưa đến (hôm nay là {clock.today():%d/%m/%Y}): "
            "báo cáo chỉ tính những gì đã ghi nhận."
        )


def require_tasks(ref: PeriodKey, as_of: dt.date) -> Period:
    """The period, which must have tasks given by the report day (no empty report)."""
    period = get_period(ref)
    has_any = period is not None and db.session.scalar(
        sa.select(sa.exists().where(Directive.period_id == period.id))
    )
    if not has_any:
        raise UserError(
            f"Kỳ {ref.label} không có nhiệm vụ trọng tâm nào nên không có báo cáo để lập. "
            "Hãy nhập báo cáo giao nhiệm vụ của kỳ này trước."
        )
    if not report_data.period_book(period, as_of).top_level():  # type: ignore[arg-type]
        raise UserError(
            f"Đến ngày {as_of:%d/%m/%Y} chưa có nhiệm vụ nào của kỳ {ref.label} được giao: "
            "hãy chọn ngày số liệu muộn hơn."
        )
    return period  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# Organisation defaults (tracker.organization)
# --------------------------------------------------------------------------------------------


def org_defaults() -> OrgDefaults:
    """The organization's wording (tracker.organization; edited on the admin's settings page)."""
    org = organization.current()
    return OrgDefaults(
        issuer_parent=org.header_parent,
        issuer=org.header_name,
        org_short=org.short_name,
        place=org.place,
        number=org.number_line,
        signer_capacity=org.signer_capacity,
        signer_title=org.signer_title,
        signer_name=org.signer_name,
        recipients=list(org.recipients),
    )


def save_org_defaults(org: OrgDefaults, user: User | None = None) -> None:
    """Store report wording on the organization (its one home; admins edit it there)."""
    data = organization.input_of(organization.current())
    data.header_parent, data.header_name = org.issuer_parent, org.issuer
    data.short_name, data.place = org.org_short, org.place
    data.number_series = org.number.rsplit("/", 1)[-1].strip() or data.number_series
    data.signer_capacity, data.signer_title = org.signer_capacity, org.signer_title
    data.signer_name, data.recipients = org.signer_name, list(org.recipients)
    organization.save(data, user=user)


# --------------------------------------------------------------------------------------------
# Composing
# --------------------------------------------------------------------------------------------


def _previous_day(ref: PeriodKey) -> dt.date | None:
    period = get_period(ref.previous())
    if period is None:
        return None
    return db.session.scalar(sa.select(Report.as_of).where(Report.period_id == period.id))


def report_input(ref: PeriodKey, as_of: dt.date) -> ReportInput:
    return report_data.report_input(ref, as_of, org_defaults(), _previous_day(ref))


def compose_period(ref: PeriodKey, as_of: dt.date) -> tuple[Composition, ReportInput]:
    data = report_input(ref, as_of)
    return compose(data), data


def fresh_document(ref: PeriodKey, as_of: dt.date) -> ReportDocument:
    """The generated draft as a document, nothing stored (the CLI's `report build`)."""
    check_as_of(ref, as_of)
    require_tasks(ref, as_of)
    composition, data = compose_period(ref, as_of)
    return build_document(
        composition.sections, ref, as_of, data.org, appendix_rows(data.directives)
    )


# --------------------------------------------------------------------------------------------
# Stored reports
# --------------------------------------------------------------------------------------------


def ref_of(report: Report) -> PeriodKey:
    return report.period.ref


def report_for_period(ref: PeriodKey) -> Report | None:
    period = get_period(ref)
    if period is None:
        return None
    return db.session.scalar(sa.select(Report).where(Report.period_id == period.id))


def _generated(composition: Composition) -> dict[str, object]:
    return {**composition.sections, KEYS_FIELD: composition.keys}


def create_report(ref: PeriodKey, as_of: dt.date, user: User | None = None) -> Report:
    """Draft the period's report; a period has one report, so an existing one is refused."""
    if report_for_period(ref) is not None:
        raise Conflict(f"Kỳ {ref.label} đã có báo cáo. Hãy mở báo cáo đó để sửa.")
    check_as_of(ref, as_of)
    period = require_tasks(ref, as_of)
    composition, _ = compose_period(ref, as_of)
    now = clock.now()
    report = Report(
        period=period,
        as_of=as_of,
        status=DRAFT,
        sections=dict(composition.sections),
        generated=_generated(composition),
        edited={key: False for key in SECTION_KEYS},
        carry=composition.carry,
        created_at=now,
        created_by_id=getattr(user, "id", None),
        updated_at=now,
        updated_by_id=getattr(user, "id", None),
    )
    db.session.add(report)
    db.session.flush()
    audit.record("report", report.id, "create", None,
                 {"period": ref.key, "as_of": as_of.isoformat()}, user=user)
    return report


STALE_MESSAGE = (
    "Báo cáo đã được người khác sửa trong lúc bạn đang soạn. Hãy tải lại trang, "
    "kiểm tra nội dung mới rồi sửa lại."
)


def check_editable(report: Report, version: int | None) -> None:
    """A draft, unchanged since the form showed it (``None``: a trusted caller, no form)."""
    if report.is_final:
        raise Conflict("Báo cáo đã ban hành, không thể sửa hoặc tạo lại.")
    if version is not None:
        check_version(report.version, version, message=STALE_MESSAGE)


def _generated_text(report: Report, key: str) -> str:
    value = (report.generated or {}).get(key, "")
    return value if isinstance(value, str) else ""


def save_sections(
    report: Report, texts: dict[str, str], version: int | None, user: User | None = None
) -> list[str]:
    """Store the edited sections; a section differing from the generated text is flagged
    as edited. Returns the keys that changed."""
    check_editable(report, version)
    sections = dict(report.sections or {})
    edited = dict(report.edited or {})
    changed = []
    for key in SECTION_KEYS:
        if key not in texts:
            continue
        text = normalize_text(texts[key])
        if text != normalize_text(sections.get(key, "")):
            changed.append(key)
        sections[key] = text
        edited[key] = text != normalize_text(_generated_text(report, key))
    if not changed:
        return []
    report.sections = sections
    report.edited = edited
    report.updated_at = clock.now()
    report.updated_by_id = getattr(user, "id", None)
    db.session.flush()
    audit.record("report", report.id, "edit", None, {"sections": changed}, user=user)
    return changed


def regenerate(
    report: Report,
    version: int | None,
    *,
    as_of: dt.date | None = None,
    only: str | None = None,
    overwrite: bool = False,
    user: User | None = None,
) -> list[str]:
    """Compose again from the data, all sections or ``only`` one. In each, paragraphs people
    edited or added stay and the rest take the new wording (``sections.merge``); ``overwrite``
    takes the new text whole. Returns the keys of sections that kept edits."""
    check_editable(report, version)
    if only is not None and only not in SECTION_KEYS:
        raise UserError("Không có mục báo cáo này.")
    ref = ref_of(report)
    if as_of is not None:
        check_as_of(ref, as_of)
        require_tasks(ref, as_of)
        report.as_of = as_of
    composition, _ = compose_period(ref, report.as_of)
    sections = dict(report.sections or {})
    edited = dict(report.edited or {})
    generated = dict(report.generated or {})
    old_keys = dict(generated.get(KEYS_FIELD) or {})
    kept = []
    for key in [only] if only else SECTION_KEYS:
        new_blocks = composition.blocks.get(key, [])
        new_text = serialize(new_blocks)
        if overwrite:
            text = new_text
        else:
            text = normalize_text(serialize(merge(
                _generated_text(report, key), old_keys.get(key), sections.get(key, ""),
                new_blocks)))
        sections[key] = text
        edited[key] = text != normalize_text(new_text)
        if edited[key]:
            kept.append(key)
        generated[key] = new_text
        old_keys[key] = composition.keys.get(key, [])
    generated[KEYS_FIELD] = old_keys
    report.sections = sections
    report.edited = edited
    report.generated = generated
    if only in (None, "next_tasks"):
        report.carry = composition.carry
    report.updated_at = clock.now()
    report.updated_by_id = getattr(user, "id", None)
    db.session.flush()
    audit.record("report", report.id, "regenerate", None,
                 {"as_of": report.as_of.isoformat(), "overwrite": overwrite, "kept": kept,
                  "section": only}, user=user)
    return kept


def placeholders(report: Report) -> list[str]:
    """Labels of the sections that still hold a "[...]" for people to fill in."""
    return [SECTION_LABELS[key] for key in SECTION_KEYS
            if "[...]" in (report.sections or {}).get(key, "")]


def document_of(report: Report) -> ReportDocument:
    """The stored (edited) sections as a document; the appendix from the data as of the day."""
    ref = ref_of(report)
    directives = report_data.period_directives(report.period, report.as_of)
    return build_document(report.sections or {}, ref, report.as_of, org_defaults(),
                          appendix_rows(directives))


def export_name(report: Report, extension: str) -> str:
    return f"bao-cao-thang-{report.period.month:02d}-{report.period.year}.{extension}"


def kept_file(report: Report, kind: str) -> ReportFile | None:
    return db.session.scalar(
        sa.select(ReportFile).where(ReportFile.report_id == report.id, ReportFile.kind == kind)
    )


def xlsx_title(doc: ReportDocument) -> str:
    return f"{doc.appendix_title} (tính đến ngày {doc.issued_on:%d/%m/%Y})"


def export_bytes(report: Report, kind: str) -> tuple[bytes, str, str]:
    """(data, filename, content type); a final report serves the files kept at issue (a PDF
    missing there is made from the kept .docx)."""
    from tracker.reports import pdf_export

    if report.is_final:
        kept = kept_file(report, kind)
        if kept is not None:
            return kept.data, kept.filename, kept.content_type
        if kind == "pdf" and (docx := kept_file(report, "docx")) is not None:
            return pdf_export.docx_to_pdf(docx.data), export_name(report, "pdf"), PDF_TYPE
    doc = document_of(report)
    if kind == "docx":
        return build_docx(doc), export_name(report, "docx"), DOCX_TYPE
    if kind == "pdf":
        return pdf_export.docx_to_pdf(build_docx(doc)), export_name(report, "pdf"), PDF_TYPE
    return build_xlsx(doc.appendix, xlsx_title(doc)), export_name(report, "xlsx"), XLSX_TYPE
