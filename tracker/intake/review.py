"""The import preview as data: what the parser proposes for each task, as the page shows it.

``propose_review`` builds the rows the preview shows first; ``review_form.read_review`` reads a
submitted preview back into the same rows (every value as typed, so a refused confirm shows the
page again exactly as it was sent) and, when nothing is wrong, into an ``ImportPlan``. Rows hold
plain values (ids, codes, text), never ORM objects, so they outlive the rollback of a refused
confirm.

What the preview proposes: the field; the lead and support units the text names (or the routing
table's); each group the text names ("các phường, xã", "05 phường, xã") as one choice of its
members (all ticked when the text means all of them, none when it gives a number); each unit
the catalogue lacks, once for the whole report, with "map to an existing unit", "add it to the
catalogue" or "do not assign"; and the deadline the text gives with the words it came from
(a date, N working days from the assignment date, or "thường xuyên"), else the period's end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from tracker.constants import LEAD, SUPPORT
from tracker.core.formatting import fmt_date
from tracker.directives.fields import DEFAULT_FIELD
from tracker.directives.services import DATE_DEADLINE, NO_DEADLINE, WORKING_DAYS_DEADLINE
from tracker.intake.drafts import walk
from tracker.intake.parser import ParsedItem, ParsedReport
from tracker.intake.text import fold
from tracker.organization import services as organization
from tracker.units.catalogue import DEPARTMENT, UNIT_KINDS, WARD

MAP, CREATE, SKIP = "map", "create", "skip"
UNKNOWN_ACTIONS = (MAP, CREATE, SKIP)
MAX_CODE = 20
MAX_UNIT_NAME = 200
MAX_ISSUER = 200
_WARD_START = re.compile(r"^(?:uy ban nhan dan |ubnd )?(?:phuong|xa|thi tran|dac khu)\b")


@dataclass(frozen=True)
class UnitOption:
    """A catalogue unit as the preview needs it (a plain copy of the row)."""

    id: int
    code: str
    name: str
    kind: str


class Units:
    """The active units, looked up by id and code, grouped by kind for the pickers."""

    def __init__(self, options: Iterable[UnitOption], taken_codes: Iterable[str] = ()) -> None:
        self.options = list(options)
        self.by_id = {u.id: u for u in self.options}
        self.by_code = {u.code: u for u in self.options}
        # Every code in use, inactive units included: a new unit must not take one.
        self.taken_codes = {c.upper() for c in taken_codes} | set(self.by_code)

    def grouped(self) -> list[tuple[str, list[UnitOption]]]:
        groups: dict[str, list[UnitOption]] = {}
        for unit in self.options:
            groups.setdefault(unit.kind, []).append(unit)
        return [(UNIT_KINDS.get(kind, kind), members) for kind, members in groups.items()]

    def ids(self, codes: Iterable[str]) -> list[int]:
        return [self.by_code[c].id for c in codes if c in self.by_code]

    def names(self, ids: Iterable[int]) -> str:
        return ", ".join(self.by_id[i].name for i in ids if i in self.by_id)


@dataclass
class GroupRow:
    """A group the text names, shown as one choice of its members."""

    index: int
    label: str
    role: str
    count: int | None  # what the text says ("05"); None: all of them
    member_ids: list[int]
    selected: list[int]

    @property
    def count_mismatch(self) -> bool:
        return self.count is not None and len(self.selected) != self.count


@dataclass
class DeadlineRow:
    """The deadline as shown and chosen, beside what the text says."""

    kind: str  # DATE_DEADLINE, WORKING_DAYS_DEADLINE or NO_DEADLINE
    date: str  # dd/mm/yyyy as shown or typed
    working_days: str  # N as shown or typed
    read_date: dt.date | None = None
    read_text: str | None = None
    read_working_days: int | None = None
    note: str = ""  # why the proposal is what it is, when the text does not say it plainly


@dataclass
class Mention:
    """A unit the task's text names that the catalogue lacks (resolved report-wide by key)."""

    key: str
    name: str
    role: str


@dataclass
class Row:
    item: ParsedItem
    parent: str | None
    field: str
    lead_ids: list[int]
    support_ids: list[int]
    groups: list[GroupRow]
    deadline: DeadlineRow
    unknown: list[Mention]
    proposed: str
    errors: list[str] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.item.number

    @property
    def dom_id(self) -> str:
        """A safe id for the row's elements ("3.đ" has a letter an id selector dislikes)."""
        return "t-" + hashlib.sha1(self.number.encode()).hexdigest()[:8]  # noqa: S324 - an id


@dataclass
class UnknownUnit:
    """One name the catalogue lacks, with the secretariat's choice for it."""

    key: str
    name: str
    mentions: list[tuple[str, str]]  # (task number, role)
    action: str = ""
    unit_id: str = ""
    code: str = ""
    new_name: str = ""
    kind: str = DEPARTMENT
    errors: list[str] = field(default_factory=list)


@dataclass
class Review:
    rows: list[Row]
    unknown: list[UnknownUnit]
    issuer: str
    errors: list[str] = field(default_factory=list)


# --- the first proposal ------------------------------------------------------------------------


def unknown_key(name: str) -> str:
    """A stable key for a name the catalogue lacks (form field names, across re-parses)."""
    folded = " ".join(re.sub(r"[^a-z0-9]+", " ", fold(name)).split())
    return hashlib.sha1(folded.encode()).hexdigest()[:10]  # noqa: S324 - a key, not security


def propose_review(parsed: ParsedReport, units: Units, today: dt.date) -> Review:
    """The preview as first shown: every proposal of the parser, nothing decided yet."""
    last_day = parsed.period_key.last_day
    rows = []
    for item, parent in walk(parsed.items):
        groups = group_rows(item, units)
        proposed = {LEAD: units.ids(item.lead_units), SUPPORT: units.ids(item.support_units)}
        # A group's members are ticked in the group, not again in the list of its role.
        listed = {
            role: [i for i in ids if not any(i in g.member_ids for g in groups if g.role == role)]
            for role, ids in proposed.items()
        }
        _preselect(groups, proposed, listed)
        lead_ids, support_ids = listed[LEAD], listed[SUPPORT]
        rows.append(Row(
            item=item,
            parent=parent.number if parent else None,
            field=item.field or (parent.field if parent else None) or DEFAULT_FIELD,
            lead_ids=lead_ids,
            support_ids=support_ids,
            groups=groups,
            deadline=propose_deadline(item, last_day, today),
            unknown=mentions(item),
            proposed=proposed_text(item, units),
        ))
    return Review(rows=rows, unknown=unknown_units(rows, units),
                  issuer=organization.issuer_label(parsed.issuer)[:MAX_ISSUER])


def group_rows(item: ParsedItem, units: Units) -> list[GroupRow]:
    rows = []
    for index, group in enumerate(item.unit_groups):
        members = units.ids(group.unit_codes)
        if members:
            rows.append(GroupRow(index, group.label, group.role, group.count, members, []))
    return rows


def _preselect(groups: list[GroupRow], proposed: dict[str, list[int]],
               listed: dict[str, list[int]]) -> None:
    """A group meant whole starts with its proposed members ticked; a counted one with none.

    A member the text names on its own in the other role ("Phường 7 chủ trì, phối hợp các
    phường, xã") keeps that role; one ticked by an earlier group is not ticked twice.
    """
    taken: set[int] = set()
    for group in groups:
        if group.count is not None:
            continue
        other = SUPPORT if group.role == LEAD else LEAD
        group.selected = [
            i for i in group.member_ids
            if i in proposed[group.role] and i not in listed[other] and i not in taken
        ]
        taken.update(group.selected)


def mentions(item: ParsedItem) -> list[Mention]:
    return [Mention(unknown_key(u.name), u.name, u.role) for u in item.unmatched]


def unknown_units(rows: list[Row], units: Units) -> list[UnknownUnit]:
    """Each name the catalogue lacks once, with the tasks that name it; a proposed new code."""
    found: dict[str, UnknownUnit] = {}
    for row in rows:
        for mention in row.unknown:
            entry = found.setdefault(mention.key, UnknownUnit(mention.key, mention.name, []))
            entry.mentions.append((row.number, mention.role))
    codes = set(units.taken_codes)
    for entry in found.values():
        entry.code = propose_code(entry.name, codes)
        codes.add(entry.code)
        entry.new_name = entry.name[:MAX_UNIT_NAME]
        entry.kind = WARD if _WARD_START.match(fold(entry.name)) else DEPARTMENT
    return list(found.values())


def propose_code(name: str, taken: set[str]) -> str:
    """Initials of the name, unused: "Công ty Cổ phần Cấp thoát nước Vĩnh Long" → "CTCPCTNVL"."""
    words = re.findall(r"[a-z0-9]+", fold(name))
    base = "".join(w if w.isdigit() else w[0] for w in words).upper()[: MAX_CODE - 3] or "DV"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def propose_deadline(item: ParsedItem, last_day: dt.date, today: dt.date) -> DeadlineRow:
    """The text's deadline as the preview's three choices; the period's end when it has none."""
    row = DeadlineRow(DATE_DEADLINE, fmt_date(last_day), str(item.working_days or ""),
                      item.deadline, item.deadline_text, item.working_days)
    if item.working_days is not None and item.deadline is not None:
        row.date = fmt_date(item.deadline)
        if item.deadline_from == today:  # counted from the assignment: keep it a count
            row.kind = WORKING_DAYS_DEADLINE
    elif item.working_days is not None:
        row.note = ("Văn bản tính từ một mốc chưa rõ ngày; tạm đề xuất ngày cuối kỳ, hãy kiểm "
                    "tra lại.")
    elif item.deadline is not None:
        row.date = fmt_date(item.deadline)
    elif item.regular:
        row.kind = NO_DEADLINE
    elif item.deadline_text:
        row.note = "Văn bản ghi thời hạn chưa rõ ngày; tạm đề xuất ngày cuối kỳ."
    else:
        row.note = "Văn bản không ghi thời hạn; đề xuất ngày cuối kỳ."
    return row


def proposed_text(item: ParsedItem, units: Units) -> str:
    """"Chủ trì: X; phối hợp: Y, Z" as the parser proposed it, names the catalogue lacks
    included, groups by their words."""
    parts = []
    for role, codes, label in ((LEAD, item.lead_units, "Chủ trì"),
                               (SUPPORT, item.support_units, "phối hợp")):
        groups = [g for g in item.unit_groups if g.role == role]
        grouped = {c for g in groups for c in g.unit_codes}
        names = [units.by_code[c].name for c in codes if c in units.by_code and c not in grouped]
        names += [f"«{g.label}»" for g in groups]
        names += [f"{u.name} (không có trong danh mục)" for u in item.unmatched if u.role == role]
        if names:
            parts.append(f"{label}: {', '.join(names)}")
    return "; ".join(parts)

