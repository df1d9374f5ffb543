""" "Hạn chế, tồn tại" as a leader writes it: what is late and why, field by field, then what
the units ask of the leaders.

Built from overdue work (a task whose own lead work is overdue counts, whatever its sub-tasks),
late completions, and the difficulties (khó khăn, vướng mắc) and proposals (đề xuất, kiến nghị)
the units recorded by the report day; standing duties appear only for the difficulties they
report. Work not yet due never appears here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.directives.fields import FIELD_LABELS, FIELDS
from tracker.directives.status import Bucket
from tracker.reports.compose import DirectiveData, OrgDefaults, ReportInput, UnitReport, visible
from tracker.reports.prose import Block, cause_clause, clause, count, dmy, sentence, subject_clause

LEAD_IN = "* Bên cạnh những kết quả đạt được vẫn còn những mặt hạn chế, tồn tại sau:"
FLAGGED = (Bucket.OVERDUE, Bucket.DONE_LATE)
# Order within a field: overdue with a stated cause, overdue with no report, late, standing.
_OVERDUE, _SILENT, _LATE, _STANDING = range(4)


@dataclass(frozen=True)
class _Item:
    rank: int
    field: str
    text: str


def _name(d: DirectiveData, sub: bool) -> str:
    return f"nội dung {d.number}" if sub else f"nhiệm vụ số {d.number}"


def _leads(d: DirectiveData) -> str:
    names = [u.unit for u in d.leads]
    return names[0] if len(names) == 1 else ", ".join(names)


def _causes(d: DirectiveData) -> list[UnitReport]:
    """The units that stated a difficulty, leads first."""
    return [u for u in [*d.leads, *d.supports] if clause(u.difficulties)]


def _cause_text(units: list[UnitReport]) -> str:
    if len(units) == 1:
        return cause_clause(units[0].difficulties)
    return "; ".join(f"{u.unit} nêu {cause_clause(u.difficulties)}" for u in units[:3])


def _own_flag(d: DirectiveData) -> Bucket | None:
    """The bucket that puts this item's own work here, if any (a parent whose sub-task alone is
    late is described through that sub-task)."""
    statuses = [u.status for u in d.leads if u.status is not None]
    if not d.units:
        return d.status.bucket if not d.children and d.status.bucket in FLAGGED else None
    if not statuses:
        return d.status.bucket if d.status.bucket in FLAGGED else None
    for bucket in FLAGGED:
        if any(s.bucket is bucket for s in statuses):
            return bucket
    if all(s.bucket is Bucket.NO_DEADLINE for s in statuses) and _causes(d):
        return Bucket.NO_DEADLINE
    return None


def _pending(d: DirectiveData, org: OrgDefaults) -> str:
    asked = [u for u in d.leads if u.pending_extension]
    if not asked:
        return ""
    return (f"; đơn vị đã đề nghị gia hạn đến {dmy(asked[0].pending_extension)}, chưa được "
            f"{org.leaders} quyết định")


def _item(d: DirectiveData, sub: bool, field: str, org: OrgDefaults) -> _Item | None:
    flag = _own_flag(d)
    if flag is None:
        return None
    who = f"{_name(d, sub)} ({_leads(d)} chủ trì)" if d.units else _name(d, sub)
    causes = _causes(d)
    reported = any(u.reported_on for u in d.units)
    s = d.status
    if flag is Bucket.NO_DEADLINE:
        text = f"{who.removesuffix(')')}, thực hiện thường xuyên) còn khó khăn: "
        return _Item(_STANDING, field, text + _cause_text(causes))
    days = [u.status.days_overdue for u in d.leads if u.status and u.status.bucket is flag]
    n = max(days, default=s.days_overdue)
    if flag is Bucket.DONE_LATE:
        text = f"{who} hoàn thành chậm {count(n)} ngày làm việc" if n else (
            f"{who} hoàn thành chậm so với thời hạn")
        if causes:
            text += f", do {_cause_text(causes)}"
        return _Item(_LATE, field, text)
    text = f"{who} quá hạn {count(n)} ngày làm việc" if n else f"{who} quá hạn"
    if not reported:
        return _Item(_SILENT, field, f"{text}, đơn vị chưa báo cáo kết quả thực hiện"
                     + _pending(d, org))
    if d.percent:
        text += f", mới đạt {d.percent}%"
    if causes:
        text += f", do {_cause_text(causes)}"
    else:
        text += ", đơn vị chưa nêu rõ nguyên nhân"
    return _Item(_OVERDUE, field, text + _pending(d, org))


def _items(data: ReportInput) -> list[_Item]:
    items = []
    for d in visible(data.directives):
        field = d.field if d.field in FIELD_LABELS else FIELDS[0][0]
        for item, sub in [(d, False), *[(c, True) for c in visible(d.children)]]:
            found = _item(item, sub, field, data.org)
            if found is not None:
                items.append(found)
    return items


def _proposals(data: ReportInput) -> str:
    wanted = []
    for d in visible(data.directives):
        for item, sub in [(d, False), *[(c, True) for c in visible(d.children)]]:
            if _own_flag(item) is None:
                continue
            for u in [*item.leads, *item.supports]:
                if clause(u.proposals):
                    wanted.append(f"{subject_clause(u.unit, u.proposals)} ({_name(item, sub)})")
    return "; ".join(wanted)


def _lead_in(data: ReportInput) -> str:
    tops = visible(data.directives)
    overdue = sum(1 for d in tops if d.status.bucket is Bucket.OVERDUE)
    late = sum(1 for d in tops if d.status.bucket is Bucket.DONE_LATE)
    silent = sum(1 for d in tops if d.status.bucket is Bucket.OVERDUE
                 and not any(u.reported_on for u in d.units))
    parts = []
    if overdue:
        parts.append(f"còn {count(overdue)} nhiệm vụ quá hạn chưa hoàn thành")
    if late:
        parts.append(f"{count(late)} nhiệm vụ hoàn thành chậm so với thời hạn")
    if silent:
        parts.append(f"{count(silent)} nhiệm vụ quá hạn mà đơn vị chủ trì chưa báo cáo kết quả")
    if not parts:
        return (f"{LEAD_IN} các nhiệm vụ đến hạn đều đã hoàn thành đúng hạn; một số khó khăn, "
                "vướng mắc các đơn vị nêu như sau:")
    return f"{LEAD_IN} {', '.join(parts)}, cụ thể như sau:"


def section(data: ReportInput) -> list[Block]:
    items = _items(data)
    if not items:
        due = any(d.status.is_due for d in visible(data.directives))
        state = ("các nhiệm vụ đến hạn đều đã hoàn thành đúng hạn" if due
                 else f"đến ngày {dmy(data.as_of)} chưa có nhiệm vụ nào đến hạn")
        return [Block(f"{LEAD_IN} {state}; các đơn vị chưa nêu khó khăn, vướng mắc.",
                      key="shortcomings:lead")]
    blocks = [Block(_lead_in(data), key="shortcomings:lead")]
    for code, label in FIELDS:
        mine = sorted((i for i in items if i.field == code), key=lambda i: i.rank)
        if mine:
            text = "; ".join(i.text for i in mine)
            blocks.append(Block(sentence(f"- {label}: {text}"), key=f"shortcomings:{code}"))
    proposals = _proposals(data)
    if proposals:
        blocks.append(Block(sentence(f"- Kiến nghị, đề xuất của các đơn vị: {proposals}"),
                            key="shortcomings:proposals"))
    return blocks
