"""Report rules: draft from the data, save edits, regenerate, export, finalise.

Services flush and never commit; the view or CLI commits once. The wording lives in
``compose.py`` (pure); this module reads the database into its plain dataclasses, computing
every status through ``tracker.directives.presenters``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.core import audit, clock
from tracker.core.formatting import parse_vn_date
from tracker.core.models import Setting
from tracker.directives import services as directive_services
from tracker.directives.models import (
    DONE,
    LEAD,
    NOT_STARTED,
    Assignment,
    Directive,
    ImportDraft,
    Period,
    ProgressUpdate,
)
from tracker.directives.presenters import directive_status
from tracker.directives.queries import get_period
from tracker.directives.status import Summary, summarize
from tracker.extensions import db
from tracker.intake.parser import ParsedItem, ParsedReport, ReportParseError, parse_report
from tracker.reports.compose import (
    SECTION_KEYS,
    Composition,
    DirectiveData,
    OrgDefaults,
    PeriodRef,
    ReportInput,
    UnitReport,
    appendix_rows,
    build_document,
    compose,
    normalize_text,
)
from tracker.reports.document import ReportDocument
from tracker.reports.docx_export import build_docx
from tracker.reports.models import DRAFT, FINAL, Report, ReportFile
from tracker.reports.xlsx_export import build_xlsx

SETTING_KEY = "report.defaults"
RESULT_KINDS = ("progress", "completion")
CARRY_MATCH = 0.6  # similarity above which an item of section II is a carried-over task
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportError(ValueError):
    """Bad input or a broken rule; the message is Vietnamese and safe to show (400)."""


class ReportConflictError(ReportError):
    """The report changed under the user, or is already final (409)."""


# --------------------------------------------------------------------------------------------
# Input parsing
# --------------------------------------------------------------------------------------------


def parse_period(text: str | None) -> PeriodRef:
    """ "2023-03" or "03/2023" -> PeriodRef; a Vietnamese ReportError otherwise."""
    value = (text or "").strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value) or re.fullmatch(r"(\d{1,2})/(\d{4})", value)
    if match:
        a, b = match.groups()
        year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return PeriodRef(year, month)
    raise ReportError(
        f"Kỳ báo cáo không hợp lệ: «{value[:20]}». Hãy nhập tháng theo dạng YYYY-MM "
        "(ví dụ 2023-03), tháng từ 01 đến 12."
    )


def parse_as_of(text: str | None) -> dt.date:
    value = (text or "").strip()
    parsed = parse_vn_date(value)
    if parsed is None or not 2000 <= parsed.year <= 2100:
        raise ReportError(
            f"Ngày số liệu không hợp lệ: «{value[:20]}». Hãy nhập ngày theo dạng dd/mm/yyyy "
            "(ví dụ 05/04/2023)."
        )
    return parsed


# --------------------------------------------------------------------------------------------
# Organisation defaults (Setting "report.defaults")
# --------------------------------------------------------------------------------------------


def org_defaults() -> OrgDefaults:
    setting = db.session.get(Setting, SETTING_KEY)
    return OrgDefaults.from_json(setting.value if setting else None)


def save_org_defaults(org: OrgDefaults, user: object | None = None) -> None:
    setting = db.session.get(Setting, SETTING_KEY)
    before = setting.value if setting else None
    if setting is None:
        setting = Setting(key=SETTING_KEY)
        db.session.add(setting)
    setting.value = org.to_json()
    setting.updated_at = clock.now()
    db.session.flush()
    audit.record("setting", None, "update", {"key": SETTING_KEY, "value": before},
                 {"key": SETTING_KEY, "value": setting.value}, user=user)


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


def _cutoff(as_of: dt.date) -> dt.datetime:
    """The first instant after ``as_of`` in Vietnam, as naive UTC (how datetimes are stored)."""
    local = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(0), tzinfo=clock.VN_TZ)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _updates_by_assignment(period_id: int, as_of: dt.date) -> dict[int, list[ProgressUpdate]]:
    rows = db.session.scalars(
        sa.select(ProgressUpdate)
        .join(Assignment, ProgressUpdate.assignment_id == Assignment.id)
        .join(Directive, Assignment.directive_id == Directive.id)
        .where(Directive.period_id == period_id, ProgressUpdate.created_at < _cutoff(as_of))
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
        a.extended_deadline
        for a in leads
        if a.extended_deadline is not None
        and (a.extension_approved_on is None or a.extension_approved_on <= as_of)
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


def _previous_summary(ref: PeriodRef, as_of: dt.date) -> Summary | None:
    """The previous period's counts, as of its own report day (or a month before ``as_of``)."""
    prev = ref.previous()
    period = get_period(prev.year, prev.month)
    if period is None:
        return None
    report = db.session.scalar(sa.select(Report).where(Report.period_id == period.id))
    if report is not None:
        prev_as_of = report.as_of
    else:
        month_before = PeriodRef(as_of.year, as_of.month).previous()
        day = min(as_of.day, month_before.last_day.day)
        prev_as_of = dt.date(month_before.year, month_before.month, day)
    directives = _load_directives(period.id)
    if not directives:
        return None
    return summarize(directive_status(d, prev_as_of) for d in directives)


def report_input(ref: PeriodRef, as_of: dt.date) -> ReportInput:
    period = get_period(ref.year, ref.month)
    return ReportInput(
        period=ref,
        as_of=as_of,
        directives=period_directives(period, as_of),
        org=org_defaults(),
        previous=_previous_summary(ref, as_of),
    )


def compose_period(ref: PeriodRef, as_of: dt.date) -> tuple[Composition, ReportInput]:
    data = report_input(ref, as_of)
    return compose(data), data


def fresh_document(ref: PeriodRef, as_of: dt.date) -> ReportDocument:
    """The generated draft as a document, nothing stored (the CLI's `report build`)."""
    composition, data = compose_period(ref, as_of)
    return build_document(
        composition.sections, ref, as_of, data.org, appendix_rows(data.directives)
    )


# --------------------------------------------------------------------------------------------
# Stored reports
# --------------------------------------------------------------------------------------------


def ref_of(report: Report) -> PeriodRef:
    return PeriodRef(report.period.year, report.period.month)


def report_for_period(ref: PeriodRef) -> Report | None:
    period = get_period(ref.year, ref.month)
    if period is None:
        return None
    return db.session.scalar(sa.select(Report).where(Report.period_id == period.id))


def create_report(ref: PeriodRef, as_of: dt.date, user: object | None = None) -> Report:
    """Draft the period's report; a period has one report, so an existing one is refused."""
    if report_for_period(ref) is not None:
        raise ReportConflictError(f"Kỳ {ref.label} đã có báo cáo. Hãy mở báo cáo đó để sửa.")
    period = get_period(ref.year, ref.month)
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


def _check_editable(report: Report, version: int | None) -> None:
    if report.is_final:
        raise ReportConflictError("Báo cáo đã ban hành, không thể sửa hoặc tạo lại.")
    if version is not None and version != report.version:
        raise ReportConflictError(
            "Báo cáo đã được người khác sửa trong lúc bạn đang soạn. Hãy tải lại trang, "
            "kiểm tra nội dung mới rồi sửa lại."
        )


def save_sections(
    report: Report, texts: dict[str, str], version: int | None, user: object | None = None
) -> list[str]:
    """Store the edited sections; a section differing from the generated text is flagged
    as edited (so a regeneration keeps it). Returns the keys that changed."""
    _check_editable(report, version)
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
    user: object | None = None,
) -> list[str]:
    """Compose again from the data; sections a person edited are kept unless ``overwrite``.
    Returns the keys kept as edited."""
    _check_editable(report, version)
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


# --------------------------------------------------------------------------------------------
# Finalising: lock, keep the files, turn section II into next period's directives
# --------------------------------------------------------------------------------------------


@dataclass
class FinaliseResult:
    carried: list[Directive] = field(default_factory=list)
    new: list[Directive] = field(default_factory=list)
    next_period: PeriodRef | None = None
    warnings: list[str] = field(default_factory=list)
    draft_token: str | None = None  # the import review waiting for the new tasks
    pending_review: int = 0


def _fold(text: str) -> str:
    text = re.sub(r"\[\^[^\]\s]+\]", "", text or "")
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _match(items: list[ParsedItem], entries: list[dict]) -> dict[int, dict]:
    """Pair parsed items with carried entries by text similarity (greedy, best first)."""
    scored = []
    for i, item in enumerate(items):
        for j, entry in enumerate(entries):
            ratio = difflib.SequenceMatcher(
                None, _fold(item.text), _fold(str(entry.get("text", ""))), autojunk=False
            ).ratio()
            if ratio >= CARRY_MATCH:
                scored.append((ratio, i, j))
    out: dict[int, dict] = {}
    used: set[int] = set()
    for _, i, j in sorted(scored, reverse=True):
        if i in out or j in used:
            continue
        out[i] = entries[j]
        used.add(j)
    return out


def _prepare_carried(item: ParsedItem, old: Directive) -> None:
    """The parsed item keeps the old directive's units, roles and field."""
    item.field = old.field
    leads = [a.unit.code for a in old.assignments if a.role == LEAD]
    supports = [a.unit.code for a in old.assignments if a.role != LEAD]
    if not leads and not supports:
        return  # never assigned: the parser's proposal stands
    if not leads:  # a directive needs a lead unit; the support units were doing the work
        leads, supports = supports, []
    item.lead_units, item.support_units = leads, supports


def _carry_state(new: Directive, old: Directive, deadline: dt.date, today: dt.date) -> None:
    """History stays on the old directive (carried_from); work goes on where it stopped."""
    new.carried_from_id = old.id
    new.leader_id = old.leader_id
    old_by_unit = {a.unit_id: a for a in old.assignments}
    in_force = [a.deadline_in_force for a in old.assignments if a.deadline_in_force]
    later = max(in_force) if in_force else None
    new_deadline = later if later and later > deadline else deadline
    new.deadline = new_deadline
    for a in new.assignments:
        previous = old_by_unit.get(a.unit_id)
        a.deadline = new_deadline
        a.assigned_on = today
        if previous is not None and previous.state != NOT_STARTED:
            a.state = "in_progress"
            a.percent = min(previous.percent, 99)


def _item_text(items: list[ParsedItem]) -> str:
    """Items written back as a section II body, numbered from 1 (what the parser expects)."""
    lines = []
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {item.text}")
        lines += [f"- {child.text}" for child in item.children]
    return "\n\n".join(lines)


def _section_text(heading: str, ref: PeriodRef, body: str) -> str:
    return f"{heading}\n\nII. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG {ref.label}\n\n{body}\n"


def finalise(report: Report, version: int | None, user: object | None = None) -> FinaliseResult:
    """Lock the report, keep its .docx/.xlsx, and turn section II into next period's tasks.

    Items of section II that match a carried-over task (by text similarity to what the draft
    generated) become directives at once, with ``carried_from_id`` and the old units and
    roles. Items typed in by hand are new: they go to the import review (preview/confirm) as
    a draft, like an uploaded report, or are imported with the proposed units when that page
    is not available.
    """
    _check_editable(report, version)
    ref = ref_of(report)
    nxt = ref.next()
    now = clock.now()
    today = clock.today()

    for kind in ("docx", "xlsx"):
        data, filename, content_type = export_bytes(report, kind)
        report.files.append(
            ReportFile(kind=kind, filename=filename, content_type=content_type, size=len(data),
                       sha256=hashlib.sha256(data).hexdigest(), data=data, created_at=now)
        )
    report.status = FINAL
    report.finalised_at = now
    report.finalised_by_id = getattr(user, "id", None)
    report.updated_at = now
    report.updated_by_id = getattr(user, "id", None)
    db.session.flush()

    result = FinaliseResult(next_period=nxt)
    heading = (
        f"Báo cáo tình hình thực hiện nhiệm vụ trọng tâm tháng {ref.label} "
        f"(báo cáo #{report.id}, ngày {report.as_of:%d/%m/%Y})"
    )
    text = _section_text(heading, nxt, report.sections.get("next_tasks", ""))
    try:
        parsed = parse_report(text, period=(nxt.year, nxt.month),
                              rules=directive_services.routing_rules())
    except ReportParseError as exc:
        result.warnings.append(exc.message)
        parsed = None
    if parsed is not None:
        result.warnings.extend(parsed.warnings)
        _create_next_directives(report, parsed, nxt, heading, today, user, result)
    db.session.flush()
    audit.record("report", report.id, "finalise", None,
                 {"carried": len(result.carried), "new": len(result.new),
                  "review": result.draft_token is not None, "next_period": nxt.key}, user=user)
    return result


def _create_next_directives(
    report: Report,
    parsed: ParsedReport,
    nxt: PeriodRef,
    heading: str,
    today: dt.date,
    user: object | None,
    result: FinaliseResult,
) -> None:
    entries = [e for e in (report.carry or []) if e.get("directive_id")]
    old_ids = {e["directive_id"] for e in entries}
    old_ids |= {c["directive_id"] for e in entries for c in e.get("children", [])
                if c.get("directive_id")}
    olds = {
        d.id: d
        for d in db.session.scalars(
            sa.select(Directive)
            .where(Directive.id.in_(old_ids or {0}))
            .options(selectinload(Directive.assignments).joinedload(Assignment.unit))
        )
    }
    pairs: dict[int, Directive] = {}  # id(parsed item) -> the directive it carries over
    carried_items: list[ParsedItem] = []
    new_items: list[ParsedItem] = []
    matched = _match(parsed.items, entries)
    for index, item in enumerate(parsed.items):
        old = olds.get(matched[index]["directive_id"]) if index in matched else None
        if old is None:
            new_items.append(item)
            continue
        carried_items.append(item)
        pairs[id(item)] = old
        _prepare_carried(item, old)
        children = [c for c in matched[index].get("children", []) if c.get("directive_id")]
        for c_index, c_entry in _match(item.children, children).items():
            child_old = olds.get(c_entry["directive_id"])
            if child_old is not None:
                pairs[id(item.children[c_index])] = child_old
                _prepare_carried(item.children[c_index], child_old)

    if carried_items:
        carried = ParsedReport(
            year=nxt.year, month=nxt.month, items=carried_items, issued_on=report.as_of,
            title=f"Nhiệm vụ chuyển tiếp sang tháng {nxt.label}",
        )
        imported = directive_services.import_report(
            carried, _section_text(heading + " - nhiệm vụ chuyển tiếp", nxt,
                                   report.sections.get("next_tasks", "")),
            user=user, default_deadline=nxt.last_day, assigned_on=today,
        )
        report.next_source_id = imported.source.id
        created = iter(imported.created)
        for item in carried_items:
            for parsed_item in [item, *item.children]:
                directive = next(created, None)
                if directive is None:  # already imported: nothing new was created
                    break
                old = pairs.get(id(parsed_item))
                if old is None:
                    result.new.append(directive)
                    continue
                _carry_state(directive, old, nxt.last_day, today)
                result.carried.append(directive)
                audit.record("directive", directive.id, "carry_over", {"from": old.id},
                             {"period": nxt.key}, user=user, directive_id=directive.id)

    if new_items:
        new_text = _section_text(heading + " - nhiệm vụ mới", nxt, _item_text(new_items))
        create_draft = getattr(directive_services, "create_draft", None)
        if create_draft is not None:
            draft = create_draft(f"bao-cao-thang-{nxt.key}-nhiem-vu-moi.txt", new_text,
                                 nxt.key, user=user)
            report.next_draft_token = draft.token
            result.draft_token = draft.token
            result.pending_review = len(new_items)
        else:
            new_parsed = parse_report(new_text, period=(nxt.year, nxt.month),
                                      rules=directive_services.routing_rules())
            imported = directive_services.import_report(
                new_parsed, new_text, user=user, default_deadline=nxt.last_day,
                assigned_on=today,
            )
            result.new.extend(imported.created)


def next_period_directives(report: Report) -> list[Directive]:
    """What finalising created, for the confirmation page."""
    if report.next_source_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Directive)
            .where(Directive.source_id == report.next_source_id)
            .options(selectinload(Directive.assignments).joinedload(Assignment.unit),
                     joinedload(Directive.carried_from).joinedload(Directive.period))
            .order_by(Directive.parent_id.is_not(None), Directive.position, Directive.id)
        )
    )


def pending_review_token(report: Report) -> str | None:
    """The import review of section II's new tasks, while nobody has confirmed it yet."""
    if not report.next_draft_token:
        return None
    draft = db.session.scalar(
        sa.select(ImportDraft).where(ImportDraft.token == report.next_draft_token)
    )
    if draft is None or draft.source_id is not None:
        return None
    return draft.token
