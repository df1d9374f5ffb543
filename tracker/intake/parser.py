"""Turn a UBND report into proposed directives.

A report ends with its priority tasks for the coming period: "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM
TRONG THÁNG 03/2023", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM THÁNG 10 NĂM 2023", "NHIỆM VỤ,
GIẢI PHÁP TRỌNG TÂM QUÝ IV/2023" ... This module finds that section by meaning (sections.py),
splits it into tasks and sub-tasks (structure.py, tables.py), and proposes for every task a
field, lead and support units (from the text's own assignments, then the editable routing
table: proposal.py) and a deadline read from the text (deadlines.py).

It is plain Python on purpose (no Flask, no database): the unit catalogue, the routing rules,
the working-day calendar and the assignment date come in as plain data, and the import CLI,
the upload page and the demo seeding all build on it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from tracker.core.errors import UserError
from tracker.core.periods import PeriodKey
from tracker.directives.fields import DEFAULT_FIELD
from tracker.intake.deadlines import DeadlineContext, WeekdayCalendar, WorkingDays, read_deadline
from tracker.intake.periods import MONTH, ReportPeriod, complete
from tracker.intake.proposal import Proposal, UnitGroup, Unmatched, propose
from tracker.intake.routing import DEFAULT_RULES, RuleSpec, field_of_heading
from tracker.intake.sections import (
    Heading,
    choose_heading,
    document_number,
    find_headings,
    is_end,
    issued_on,
    issuer,
    own_period,
    report_title,
)
from tracker.intake.structure import Builder, split_items
from tracker.intake.text import ABBREVIATIONS, clean, fold, shorten
from tracker.intake.unit_names import Catalogue, UnitRef, demo_catalogue

__all__ = [
    "ParsedItem",
    "ParsedReport",
    "ReportParseError",
    "parse_report",
]

TITLE_MAX_CHARS = 200


class ReportParseError(UserError):
    """A file or report the importer cannot use; ``message`` is shown to the user as is."""


@dataclass
class ParsedItem:
    """One task; ``children`` are its sub-items ("6.1", "3.a").

    ``text`` is the item's own text; a parent's text does not repeat its children's.
    ``deadline``/``deadline_text``/``working_days``: what the text says about the deadline
    (a sub-item without its own takes its parent's); all None when it says nothing.
    ``unmatched``: units the text names that the catalogue lacks, with the role the text gives
    them; ``unit_groups``: groups ("các phường, xã") shown as one choice.
    """

    number: str
    title: str
    text: str
    children: list[ParsedItem] = dataclasses.field(default_factory=list)
    field: str | None = None
    lead_units: list[str] = dataclasses.field(default_factory=list)
    support_units: list[str] = dataclasses.field(default_factory=list)
    deadline: dt.date | None = None
    deadline_text: str | None = None
    working_days: int | None = None
    unmatched: list[Unmatched] = dataclasses.field(default_factory=list)
    unit_groups: list[UnitGroup] = dataclasses.field(default_factory=list)
    deadline_from: dt.date | None = None  # the day "N ngày làm việc" counted from

    @property
    def regular(self) -> bool:
        """The text says "thường xuyên": no deadline on purpose."""
        return self.deadline is None and self.working_days is None and bool(
            self.deadline_text
        ) and "thuong xuyen" in fold(self.deadline_text or "")

    @property
    def unmatched_units(self) -> list[str]:
        return [unit.name for unit in self.unmatched]

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "text": self.text,
            "field": self.field,
            "lead_units": list(self.lead_units),
            "support_units": list(self.support_units),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_text": self.deadline_text,
            "working_days": self.working_days,
            "unmatched_units": self.unmatched_units,
            "unit_groups": [group.to_json() for group in self.unit_groups],
            "children": [child.to_json() for child in self.children],
        }


@dataclass
class ParsedReport:
    """The priority tasks of one report plus the report's metadata.

    ``year``/``month``: the tasks' period for a month report; for a quarter, half-year or year
    (``kind``) ``month`` is the period's first month (October for "2023-Q4"). ``target`` is the
    full period. ``report_period`` is the period the report itself covers (from its title).
    """

    year: int
    month: int
    items: list[ParsedItem]
    document_number: str | None = None
    issued_on: dt.date | None = None
    title: str | None = None
    warnings: list[str] = dataclasses.field(default_factory=list)
    kind: str = MONTH
    issuer: str | None = None
    report_period: ReportPeriod | None = None
    section_heading: str | None = None
    # Every heading that looked like a priority section, in document order (the preview says
    # which one was taken); not part of --json, whose shape is fixed.
    section_candidates: list[str] = dataclasses.field(default_factory=list)

    @property
    def period(self) -> tuple[int, int]:
        return self.year, self.month

    @property
    def period_key(self) -> PeriodKey:
        """The tasks' period as the database stores it."""
        return PeriodKey(self.year, self.month, self.kind)

    @property
    def target(self) -> ReportPeriod:
        if self.kind == MONTH:
            return ReportPeriod.month(self.year, self.month)
        months = {"quarter": 3, "half": 6, "year": 12}[self.kind]
        number = 0 if self.kind == "year" else (self.month - 1) // months + 1
        return ReportPeriod(self.kind, self.year, number)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict (``import-report --json``)."""
        return {
            "period": self.target.key,
            "document_number": self.document_number,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "title": self.title,
            "issuer": self.issuer,
            "report_period": self.report_period.key if self.report_period else None,
            "section_heading": self.section_heading,
            "warnings": list(self.warnings),
            "items": [item.to_json() for item in self.items],
        }


_NO_SECTION = (
    "Không tìm thấy mục nhiệm vụ trọng tâm của kỳ tới trong tệp (ví dụ “II. MỘT SỐ NHIỆM VỤ "
    "TRỌNG TÂM TRONG THÁNG 03/2023” hoặc “III. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ IV NĂM 2023”). "
    "Hãy kiểm tra tệp có phần này, với tiêu đề trên một dòng riêng, rồi tải lên lại."
)
_NO_PERIOD = (
    "Tiêu đề mục nhiệm vụ không ghi rõ kỳ (tháng, quý hoặc năm) của các nhiệm vụ, và báo cáo "
    "cũng không ghi kỳ của mình. Hãy chọn kỳ (tháng/năm) khi nhập báo cáo."
)
_NO_ITEMS = (
    "Mục nhiệm vụ không có nhiệm vụ nào được đánh số (1., 2., ... hoặc a), b), ...) hay gạch "
    "đầu dòng, nên không tạo được nhiệm vụ nào. Hãy kiểm tra lại tệp."
)


def parse_report(
    text: str,
    period: tuple[int, int] | ReportPeriod | PeriodKey | None = None,
    rules: list[RuleSpec] | None = None,
    *,
    catalogue: list[UnitRef] | None = None,
    calendar: WorkingDays | None = None,
    assigned_on: dt.date | None = None,
) -> ParsedReport:
    """Parse a report's priority section into items with proposed field, units and deadlines.

    ``period``: the tasks' period when the heading names none ("THÁNG TỚI"); a month the
    heading names wins (with a warning when they differ). ``catalogue``: the units to propose
    (default: the demo city's). ``calendar``: working days (default Monday-Friday).
    ``assigned_on``: the day tasks are assigned, for "trong N ngày làm việc" deadlines.
    """
    rules = DEFAULT_RULES if rules is None else rules
    units = Catalogue(demo_catalogue() if catalogue is None else list(catalogue))
    given = _given_period(period)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    warnings: list[str] = []

    headings = find_headings(lines)
    if not headings:
        raise ReportParseError(_NO_SECTION)
    preamble = lines[: headings[0].index]
    title = report_title(preamble)
    own = own_period(title, preamble)
    heading = choose_heading(headings, own)
    assert heading is not None
    if len(headings) > 1:
        others = "; ".join(f"«{h.text}»" for h in headings if h is not heading)
        warnings.append(
            f"Báo cáo có {len(headings)} mục nhiệm vụ; đã lấy mục «{heading.text}» (nói về kỳ "
            f"tới), bỏ qua {others}."
        )
    head_text = "\n".join(lines[: heading.index])
    issued = issued_on(head_text, warnings)
    target = _resolve_period(heading, given, own, issued, warnings)

    section = _section_lines(lines[heading.body_start :], heading)
    builders = split_items(section, warnings, heading.number, heading.numbering)
    if not builders:
        raise ReportParseError(_NO_ITEMS)
    context = DeadlineContext(target, calendar or WeekdayCalendar(), assigned_on, issued)
    items = [_finish(builder, rules, units, context, None, warnings) for builder in builders]
    return ParsedReport(
        year=target.year,
        month=target.first_month,
        kind=target.kind,
        items=items,
        document_number=document_number(head_text),
        issued_on=issued,
        title=title,
        warnings=warnings,
        issuer=issuer(preamble),
        report_period=own,
        section_heading=heading.text,
        section_candidates=[h.text for h in headings],
    )


def _given_period(
    period: tuple[int, int] | ReportPeriod | PeriodKey | None,
) -> ReportPeriod | None:
    if period is None or isinstance(period, ReportPeriod):
        return period
    if isinstance(period, PeriodKey):
        return ReportPeriod.of_key(period)
    year, month = period
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ReportParseError(
            f"Kỳ không hợp lệ: {month}/{year}. Tháng phải từ 1 đến 12, năm từ 2000 đến 2100."
        )
    return ReportPeriod.month(year, month)


def _resolve_period(heading: Heading, given: ReportPeriod | None, own: ReportPeriod | None,
                    issued: dt.date | None, warnings: list[str]) -> ReportPeriod:
    named = heading.period
    if named is not None:
        if given is not None and named.kind != MONTH and given.kind == MONTH:
            warnings.append(
                f"Mục nhiệm vụ giao cho {named.label}; đã nhập vào kỳ được chọn "
                f"({given.label})."
            )
            return given
        if given is not None and given != named:
            warnings.append(
                f"Kỳ được chọn ({given.label}) khác với kỳ ghi trong tiêu đề mục nhiệm vụ "
                f"({named.label}); đã dùng kỳ trong tiêu đề."
            )
        return named
    if given is not None:
        partial = heading.partial
        if partial is not None and not partial.relative and partial.kind == given.kind and (
            partial.number != given.number
        ):
            warnings.append(
                f"Tiêu đề mục nhiệm vụ ghi {partial.kind == MONTH and 'tháng' or 'kỳ'} "
                f"{partial.number}, khác với kỳ được chọn ({given.label})."
            )
        return given
    if heading.partial is not None:
        completed = complete(heading.partial, own, issued)
        if completed is not None:
            basis = f"kỳ của báo cáo ({own.label})" if own else "ngày ban hành báo cáo"
            what = "ghi “kỳ tới”" if heading.partial.relative else "không ghi năm"
            warnings.append(
                f"Tiêu đề mục nhiệm vụ {what}; đã lấy {completed.label} theo {basis}."
            )
            return completed
    raise ReportParseError(_NO_PERIOD)


def _section_lines(lines: list[str], heading: Heading) -> list[str]:
    """The section's lines, stripped, up to the closing paragraph / "Nơi nhận" / signature."""
    out = []
    for raw in lines:
        line = re.sub(r"^(?:\s*>)+", "", raw).strip(" \t\u00a0\u200b\ufeff")
        if line and is_end(line, heading):
            break
        out.append(line)
    return out


def _first_sentence(text: str) -> str:
    """Text up to the first full stop that is followed by a capitalised word."""
    for match in re.finditer(r"[.!?]\s+[\"“(]?([^\W\d_])", text):
        if not match.group(1).isupper():
            continue
        word = re.search(r"([^\s(]*)$", text[: match.start()])
        previous = word.group(1).lower() if word else ""
        if previous in ABBREVIATIONS or (len(previous) == 1 and previous.isalpha()):
            continue  # "TP. Trà Vinh", "P. 7"
        return text[: match.start()]
    return text


def _title(text: str) -> str:
    sentence = shorten(_first_sentence(text), TITLE_MAX_CHARS)
    return sentence.rstrip(" .;:,")




def _finish(builder: Builder, rules: list[RuleSpec], units: Catalogue, context: DeadlineContext,
            parent: ParsedItem | None, warnings: list[str],
            parent_proposal: Proposal | None = None) -> ParsedItem:
    text = clean(" ".join(builder.parts))
    proposal = propose(text, rules, units, builder.cells)
    field = field_of_heading(builder.group) if parent is None else None
    field = field or proposal.field or (parent.field if parent else None) or DEFAULT_FIELD
    if parent_proposal is not None and parent_proposal.from_text and not proposal.from_text:
        _inherit(proposal, parent_proposal)  # "X chủ trì ...:" covers the sub-items too
    _fallback_lead(builder.number, proposal, units, warnings)
    deadline = None
    if builder.cells.get("deadline"):
        deadline = read_deadline(builder.cells["deadline"], context, warnings, builder.number,
                                 cell=True)
    deadline = deadline or read_deadline(text, context, warnings, builder.number)
    item = ParsedItem(
        number=builder.number,
        title=_title(text),
        text=text,
        field=field,
        lead_units=proposal.lead_units,
        support_units=proposal.support_units,
        unmatched=proposal.unmatched,
        unit_groups=proposal.groups,
    )
    if deadline is not None:
        item.deadline, item.deadline_text = deadline.date, deadline.text
        item.working_days, item.deadline_from = deadline.working_days, deadline.counted_from
    elif parent is not None:
        item.deadline, item.deadline_text = parent.deadline, parent.deadline_text
        item.working_days, item.deadline_from = parent.working_days, parent.deadline_from
    item.children = [
        _finish(child, rules, units, context, item, warnings, proposal)
        for child in builder.children
    ]
    return item


def _inherit(proposal: Proposal, parent: Proposal) -> None:
    leads = list(parent.lead_units)
    supports = [c for c in dict.fromkeys([*parent.support_units, *proposal.support_units])
                if c not in leads]
    proposal.lead_units[:] = leads
    proposal.support_units[:] = supports
    proposal.unmatched[:] = [u for u in parent.unmatched if u.role == "lead"] + proposal.unmatched
    proposal.groups[:] = [*parent.groups, *[g for g in proposal.groups if g not in parent.groups]]
    proposal.from_text = True


def _fallback_lead(number: str, proposal: Proposal, units: Catalogue,
                   warnings: list[str]) -> None:
    """No lead: the secretariat triages; a named lead the catalogue lacks is never replaced."""
    unmatched = [unit.name for unit in proposal.unmatched]
    if unmatched:
        names = ", ".join(f"«{name}»" for name in unmatched)
        warnings.append(f"Nhiệm vụ {number}: {names} không có trong danh mục đơn vị.")
    if proposal.lead_units:
        return
    if any(unit.role == "lead" for unit in proposal.unmatched) or any(
        group.role == "lead" for group in proposal.groups
    ):
        return
    secretariat = units.secretariat()
    if secretariat is None:
        warnings.append(f"Nhiệm vụ {number}: chưa xác định được đơn vị chủ trì.")
        return
    proposal.lead_units.append(secretariat.code)
    proposal.support_units[:] = [c for c in proposal.support_units if c != secretariat.code]
    warnings.append(
        f"Nhiệm vụ {number}: chưa xác định được đơn vị chủ trì, tạm giao {secretariat.code}."
    )
