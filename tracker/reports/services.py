"""Report rules: draft from the data, save edits, regenerate, export (finalise.py issues it).

Services flush and never commit; the unit of work commits once. The wording lives in
``compose.py`` (pure); this module reads the database into its plain dataclasses, computing
every status through ``tracker.directives.presenters``.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.auth.models import User
from tracker.constants import COMPLETION, DONE, LEAD, NOT_STARTED, PROGRESS
from tracker.core import audit, clock
from tracker.core.errors import Conflict, check_version
from tracker.core.forms import parse_required_date
from tracker.core.periods import PeriodKey
from tracker.directives.models import Assignment, Directive, Period, ProgressUpdate
from tracker.directives.presenters import assignment_deadline, directive_status
from tracker.directives.queries import get_period
from tracker.directives.status import Summary, summarize
from tracker.extensions import db
from tracker.organization import services as organization
from tracker.reports.compose import (
    SECTION_KEYS,
    Composition,
    DirectiveData,
    OrgDefaults,
    ReportInput,
    UnitReport,
    compose,
)
from tracker.reports.document import ReportDocument
from tracker.reports.docx_export import build_docx
from tracker.reports.drafting import appendix_rows, build_document, normalize_text
from tracker.reports.models import DRAFT, Report, ReportFile
from tracker.reports.xlsx_export import build_xlsx

RESULT_KINDS = (PROGRESS, COMPLETION)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------------------------
# Input parsing
# --------------------------------------------------------------------------------------------


def parse_period(text: str | None) -> PeriodKey:
    return PeriodKey.parse(text, label="Kỳ báo cáo")


def parse_as_of(text: str | None) -> dt.date:
    return parse_required_date(
        text, "Ngày số liệu",
        empty="Hãy nhập ngày số liệu dạng ngày/tháng/năm (ví dụ 05/04/2023).",
    )


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
# Reading the data (one query per kind of row, whatever the number of directives)
# --------------------------------------------------------------------------------------------


def _load_directives(period_id: int) -> list[Directive]:
    """Top-level directives of a period with children, assignments and units loaded."""
    assignments = selectinload(Directive.assignments).joinedload(Assignment.unit)
    return list(
        db.session.scalars(
            sa.select(Directive)
            .where(Directive.period_id == period_id, Directive.parent_id.is_(None))
            .options(
                assignments,
                selectinload(Directive.children).options(
                    selectinload(Directive.assignments).joinedload(Assignment.unit),
                    selectinload(Directive.children),
                ),
            )
            .order_by(Directive.position, Directive.id)
        )
    )


def _updates_by_assignment(period_id: int, as_of: dt.date) -> dict[int, list[ProgressUpdate]]:
    rows = db.session.scalars(
        sa.select(ProgressUpdate)
        .join(Assignment, ProgressUpdate.assignment_id == Assignment.id)
        .join(Directive, Assignment.directive_id == Directive.id)
        .where(Directive.period_id == period_id,
               ProgressUpdate.created_at < clock.end_of_day(as_of))
        .order_by(ProgressUpdate.created_at, ProgressUpdate.id)
    )
    out: dict[int, list[ProgressUpdate]] = {}
    for row in rows:
        out.setdefault(row.assignment_id, []).append(row)
    return out


def _latest(updates: list[ProgressUpdate], attr: str) -> ProgressUpdate | None:
    for update in reversed(updates):
        if update.kind in RESULT_KINDS and (getattr(update, attr) or "").strip():
            return update
    return None


def _unit_report(a: Assignment, updates: list[ProgressUpdate], as_of: dt.date) -> UnitReport:
    result = _latest(updates, "result")
    difficulty = _latest(updates, "difficulties")
    reported = [u for u in updates if u.kind in RESULT_KINDS]
    if a.state == DONE and a.completed_on is not None and a.completed_on <= as_of:
        percent = 100
    elif reported:
        percent = reported[-1].percent
    elif updates:
        percent = 0
    else:
        percent = a.percent if a.state != NOT_STARTED else 0
    return UnitReport(
        unit=a.unit.name,
        kind=a.unit.kind,
        role=a.role,
        result=result.result if result else "",
        difficulties=difficulty.difficulties if difficulty else "",
        percent=percent,
        reported_on=clock.local_date(updates[-1].created_at) if updates else None,
    )


def directive_data(
    directive: Directive, as_of: dt.date, updates: dict[int, list[ProgressUpdate]]
) -> DirectiveData:
    """A directive as plain data for composition, its status from the presenters."""
    units = [_unit_report(a, updates.get(a.id, []), as_of) for a in directive.assignments]
    children = [directive_data(child, as_of, updates) for child in directive.children]
    leads = [a for a in directive.assignments if a.role == LEAD] or list(directive.assignments)
    lead_reports = [u for u, a in zip(units, directive.assignments, strict=True) if a in leads]
    if children:
        percent = round(sum(c.percent for c in children) / len(children))
    elif lead_reports:
        percent = round(sum(u.percent for u in lead_reports) / len(lead_reports))
    else:
        percent = 0
    deadlines = [a.deadline for a in leads if a.deadline is not None]
    extended = [
        in_force
        for a in leads
        if (in_force := assignment_deadline(a, as_of)) is not None and in_force != a.deadline
    ]
    dates = [u.reported_on for u in units if u.reported_on] + [
        c.last_update for c in children if c.last_update
    ]
    return DirectiveData(
        id=directive.id,
        number=directive.number,
        title=directive.title,
        text=directive.text,
        field=directive.field,
        status=directive_status(directive, as_of),
        deadline=max(deadlines) if deadlines else directive.deadline,
        extended_deadline=max(extended) if extended else None,
        lead_units=[a.unit.name for a in directive.assignments if a.role == LEAD],
        support_units=[a.unit.name for a in directive.assignments if a.role != LEAD],
        percent=percent,
        last_update=max(dates) if dates else None,
        units=units,
        children=children,
    )


def period_directives(period: Period | None, as_of: dt.date) -> list[DirectiveData]:
    if period is None:
        return []
    updates = _updates_by_assignment(period.id, as_of)
    return [directive_data(d, as_of, updates) for d in _load_directives(period.id)]


def _previous_summary(ref: PeriodKey, as_of: dt.date) -> Summary | None:
    """The previous period's counts, as of its own report day (or a month before ``as_of``)."""
    prev = ref.previous()
    period = get_period(prev)
    if period is None:
        return None
    report = db.session.scalar(sa.select(Report).where(Report.period_id == period.id))
    if report is not None:
        prev_as_of = report.as_of
    else:
        month_before = PeriodKey.of_month(as_of).previous()
        day = min(as_of.day, month_before.last_day.day)
        prev_as_of = dt.date(month_before.year, month_before.month, day)
    directives = _load_directives(period.id)
    if not directives:
        return None
    return summarize(directive_status(d, prev_as_of) for d in directives)


def report_input(ref: PeriodKey, as_of: dt.date) -> ReportInput:
    period = get_period(ref)
    return ReportInput(
        period=ref,
        as_of=as_of,
        directives=period_directives(period, as_of),
        org=org_defaults(),
        previous=_previous_summary(ref, as_of),
    )


def compose_period(ref: PeriodKey, as_of: dt.date) -> tuple[Composition, ReportInput]:
    data = report_input(ref, as_of)
    return compose(data), data


def fresh_document(ref: PeriodKey, as_of: dt.date) -> ReportDocument:
    """The generated draft as a document, nothing stored (the CLI's `report build`)."""
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


def create_report(ref: PeriodKey, as_of: dt.date, user: User | None = None) -> Report:
    """Draft the period's report; a period has one report, so an existing one is refused."""
    if report_for_period(ref) is not None:
        raise Conflict(f"Kỳ {ref.label} đã có báo cáo. Hãy mở báo cáo đó để sửa.")
    period = get_period(ref)
    if period is None:
        period = Period(year=ref.year, month=ref.month)
        db.session.add(period)
        db.session.flush()
    composition, _ = compose_period(ref, as_of)
    now = clock.now()
    report = Report(
        period=period,
        as_of=as_of,
        status=DRAFT,
        sections=dict(composition.sections),
        generated=dict(composition.sections),
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


def save_sections(
    report: Report, texts: dict[str, str], version: int | None, user: User | None = None
) -> list[str]:
    """Store the edited sections; a section differing from the generated text is flagged
    as edited (so a regeneration keeps it). Returns the keys that changed."""
    check_editable(report, version)
    sections = dict(report.sections or {})
    edited = dict(report.edited or {})
    generated = report.generated or {}
    changed = []
    for key in SECTION_KEYS:
        if key not in texts:
            continue
        text = normalize_text(texts[key])
        if text != normalize_text(sections.get(key, "")):
            changed.append(key)
        sections[key] = text
        edited[key] = text != normalize_text(generated.get(key, ""))
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
    overwrite: bool = False,
    user: User | None = None,
) -> list[str]:
    """Compose again from the data; sections a person edited are kept unless ``overwrite``.
    Returns the keys kept as edited."""
    check_editable(report, version)
    if as_of is not None:
        report.as_of = as_of
    composition, _ = compose_period(ref_of(report), report.as_of)
    sections = dict(report.sections or {})
    edited = dict(report.edited or {})
    kept = []
    for key in SECTION_KEYS:
        new = composition.sections.get(key, "")
        if edited.get(key) and not overwrite:
            kept.append(key)
            continue
        sections[key] = new
        edited[key] = False
    report.sections = sections
    report.edited = edited
    report.generated = dict(composition.sections)
    if overwrite or not edited.get("next_tasks"):
        report.carry = composition.carry
    else:
        # The edited section II keeps its text; carry-over matching still knows every
        # unfinished task, from the old and the new generation.
        known = {c.get("directive_id") for c in report.carry or []}
        report.carry = list(report.carry or []) + [
            c for c in composition.carry if c.get("directive_id") not in known
        ]
    report.updated_at = clock.now()
    report.updated_by_id = getattr(user, "id", None)
    db.session.flush()
    audit.record("report", report.id, "regenerate", None,
                 {"as_of": report.as_of.isoformat(), "overwrite": overwrite, "kept": kept},
                 user=user)
    return kept


def document_of(report: Report) -> ReportDocument:
    """The stored (edited) sections as a document; the appendix from the data as of the day."""
    ref = ref_of(report)
    directives = period_directives(report.period, report.as_of)
    return build_document(report.sections or {}, ref, report.as_of, org_defaults(),
                          appendix_rows(directives))


def export_name(report: Report, extension: str) -> str:
    return f"bao-cao-thang-{report.period.month:02d}-{report.period.year}.{extension}"


def kept_file(report: Report, kind: str) -> ReportFile | None:
    return db.session.scalar(
        sa.select(ReportFile).where(ReportFile.report_id == report.id, ReportFile.kind == kind)
    )


def export_bytes(report: Report, kind: str) -> tuple[bytes, str, str]:
    """(data, filename, content type); a final report serves the files kept at issue."""
    if report.is_final:
        kept = kept_file(report, kind)
        if kept is not None:
            return kept.data, kept.filename, kept.content_type
    doc = document_of(report)
    if kind == "docx":
        return build_docx(doc), export_name(report, "docx"), DOCX_TYPE
    data = build_xlsx(doc.appendix, f"{doc.appendix_title} (tính đến ngày "
                                     f"{report.as_of:%d/%m/%Y})")
    return data, export_name(report, "xlsx"), XLSX_TYPE
