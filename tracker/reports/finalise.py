"""Issuing a report (ban hành): lock it, keep its files, and turn its section II into the next
period's directives: carried-over tasks at once, new tasks through the import review."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.models import User
from tracker.constants import DONE, IN_PROGRESS, LEAD, NOT_STARTED, WITHDRAWN
from tracker.core import audit, clock
from tracker.core.errors import UserError
from tracker.core.periods import PeriodKey
from tracker.directives.models import Assignment, Directive
from tracker.directives.presenters import assignment_deadline
from tracker.extensions import db
from tracker.intake import drafts
from tracker.intake.models import ImportDraft
from tracker.intake.parser import ParsedItem, ParsedReport, parse_report
from tracker.intake.rules import routing_rules
from tracker.reports import pdf_export
from tracker.reports.models import FINAL, Report, ReportFile
from tracker.reports.services import check_editable, export_bytes, ref_of

CARRY_MATCH = 0.6  # similarity above which an item of section II is a carried-over task


@dataclass
class FinaliseResult:
    carried: list[Directive] = field(default_factory=list)
    new: list[Directive] = field(default_factory=list)
    next_period: PeriodKey | None = None
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
    """History stays on the old directive (carried_from); work goes on where it stopped. A
    standing duty whose last month was done starts the new month afresh."""
    new.carried_from_id = old.id
    new.leader_id = old.leader_id
    old_by_unit = {a.unit_id: a for a in old.assignments}
    in_force = [d for a in old.assignments if (d := assignment_deadline(a, today))]
    later = max(in_force) if in_force else None
    new_deadline = later if later and later > deadline else deadline
    new.deadline = new_deadline
    for a in new.assignments:
        previous = old_by_unit.get(a.unit_id)
        a.deadline = new_deadline
        a.assigned_on = today
        if previous is not None and previous.state not in (NOT_STARTED, DONE, WITHDRAWN):
            a.state = IN_PROGRESS
            a.percent = min(previous.percent, 99)


def _item_text(items: list[ParsedItem]) -> str:
    """Items written back as a section II body, numbered from 1 (what the parser expects)."""
    lines = []
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {item.text}")
        lines += [f"- {child.text}" for child in item.children]
    return "\n\n".join(lines)


def _section_text(heading: str, ref: PeriodKey, body: str) -> str:
    return f"{heading}\n\nII. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG {ref.label}\n\n{body}\n"


def finalise(report: Report, version: int | None, user: User | None = None) -> FinaliseResult:
    """Lock the report, keep its .docx/.xlsx, and turn section II into next period's tasks.

    Items of section II that match a carried-over task (by text similarity to what the draft
    generated) become directives at once, with ``carried_from_id`` and the old units and
    roles. Items typed in by hand are new: they go to the import review (preview/confirm) as
    a draft, like an uploaded report.
    """
    check_editable(report, version)
    ref = ref_of(report)
    nxt = ref.next()
    now = clock.now()
    today = clock.today()

    kinds = ["docx", "xlsx"] + (["pdf"] if pdf_export.available() else [])
    for kind in kinds:
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
                              rules=routing_rules())
    except UserError as exc:
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
    nxt: PeriodKey,
    heading: str,
    today: dt.date,
    user: User | None,
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
        imported = drafts.import_report(
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
        draft = drafts.create_draft(
            f"bao-cao-thang-{nxt.key}-nhiem-vu-moi.txt", new_text, nxt.key, user=user
        )
        report.next_draft_token = draft.token
        result.draft_token = draft.token
        result.pending_review = len(new_items)


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
