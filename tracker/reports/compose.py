"""Compose the monthly report from plain data: the sections' text (drafting.py lays it out).

Pure functions, no Flask and no database: ``services.py`` turns ORM rows into the dataclasses
below (statuses computed by ``tracker.directives.presenters``), and everything here is
wording and layout, testable on hand-built data.

Editable text scheme (what the draft page shows in each textarea):

- one paragraph per line; blank lines are ignored;
- "- " starts an item paragraph, as in the seed report;
- in the results section a line like "1. Lĩnh vực Kinh tế:" (a number and a final colon) is a
  numbered sub-heading; in the shortcomings section a line starting with "*" is the bold-lead
  "* Bên cạnh ...:" paragraph;
- a footnote is a marker ``[^n]`` in the text plus a line ``[^n]: footnote text`` anywhere in
  the same section (``n`` is any label without spaces); a marker without a matching line stays
  as typed, a footnote line nobody refers to is left out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from tracker.core.periods import PeriodKey
from tracker.directives.fields import FIELD_LABELS, FIELDS
from tracker.directives.status import (
    BUCKET_LABELS,
    Bucket,
    Status,
    Summary,
    fmt_rate,
    summarize,
)
from tracker.reports.document import format_dmy

# Section keys in document order; each is one textarea on the draft page.
SECTION_KEYS: tuple[str, ...] = (
    "title",
    "intro",
    "summary",
    "results",
    "shortcomings",
    "next_tasks",
    "closing",
    "recipients",
    "signature",
)
SECTION_LABELS: dict[str, str] = {
    "title": "Trích yếu (tên báo cáo)",
    "intro": "Đoạn mở đầu",
    "summary": "I. Kết quả thực hiện: đoạn tổng hợp số liệu",
    "results": "I. Kết quả thực hiện theo lĩnh vực",
    "shortcomings": "Hạn chế, tồn tại",
    "next_tasks": "II. Nhiệm vụ trọng tâm tháng sau",
    "closing": "Đoạn kết",
    "recipients": "Nơi nhận (mỗi dòng một nơi)",
    "signature": "Chữ ký (thẩm quyền / chức vụ / họ tên, mỗi dòng một mục)",
}

MAX_INLINE_UNITS = 3  # more units than this: the rest go into a footnote
LONG_TEXT = 350  # characters of one unit's result kept in the text; the rest is a footnote
SHORT_TITLE = 120
SHORTCOMING_BUCKETS = (Bucket.OVERDUE, Bucket.DONE_LATE, Bucket.NOT_STARTED)
WARD_KIND = "ward"
LEAD = "lead"

NEXT_TASKS_INTRO = (
    "Thực hiện chương trình công tác của Thành ủy - UBND tỉnh, UBND thành phố chỉ đạo các "
    "phòng ban thành phố, phường – xã cần tập trung thực hiện các mặt công tác sau:"
)
SHORTCOMINGS_LEAD = "* Bên cạnh những kết quả đạt được vẫn còn những mặt hạn chế, tồn tại sau:"
# Openings that are not a verb phrase ("Phòng Kinh tế ...", "Chỉ thị 27 ..."), or that already
# say "keep doing it": "Tiếp tục" is not put in front of these.
_NO_REWORD = (
    "tiếp tục", "duy trì", "thường xuyên", "phòng ", "ban ", "ubnd", "uỷ ban", "ủy ban",
    "công an", "chi cục", "trung tâm", "văn phòng", "thanh tra", "chỉ thị", "nghị quyết",
    "nghị định", "quyết định", "các ", "những ",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Plain input data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitReport:
    """One unit's latest report on a directive, as of the report day."""

    unit: str
    kind: str
    role: str
    result: str = ""
    difficulties: str = ""
    percent: int = 0
    reported_on: dt.date | None = None


@dataclass
class DirectiveData:
    """What the report needs of one directive; ``status`` comes from the presenters."""

    number: str
    title: str
    text: str
    field: str
    status: Status
    id: int | None = None
    deadline: dt.date | None = None
    extended_deadline: dt.date | None = None
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    percent: int = 0
    last_update: dt.date | None = None
    units: list[UnitReport] = field(default_factory=list)
    children: list[DirectiveData] = field(default_factory=list)


@dataclass
class OrgDefaults:
    """Per-organisation wording (reports.services.org_defaults reads the organization); the
    defaults are the seed report's values."""

    issuer_parent: str = "ỦY BAN NHÂN DÂN"
    issuer: str = "THÀNH PHỐ TRÀ VINH"
    org_short: str = "UBND thành phố Trà Vinh"
    place: str = "Trà Vinh"
    number: str = "Số:      /BC-UBND"
    signer_capacity: str = "TM. ỦY BAN NHÂN DÂN"
    signer_title: str = "CHỦ TỊCH"
    signer_name: str = "Nguyễn Văn Tâm"
    recipients: list[str] = field(
        default_factory=lambda: [
            "UBND tỉnh",
            "TT.TU- TT. HĐND.TP",
            "CT, PCT.UBND.TP",
            "Các phòng ban TP",
            "UBND phường xã",
            "BLĐ, khối NC.VP",
            "Lưu: VT",
        ]
    )

    def to_json(self) -> dict[str, object]:
        return {
            "issuer_parent": self.issuer_parent,
            "issuer": self.issuer,
            "org_short": self.org_short,
            "place": self.place,
            "number": self.number,
            "signer_capacity": self.signer_capacity,
            "signer_title": self.signer_title,
            "signer_name": self.signer_name,
            "recipients": list(self.recipients),
        }

    @classmethod
    def from_json(cls, value: object) -> OrgDefaults:
        """Defaults with whatever the stored setting overrides (unknown keys ignored)."""
        out = cls()
        if not isinstance(value, dict):
            return out
        for key in (
            "issuer_parent", "issuer", "org_short", "place", "number", "signer_capacity",
            "signer_title", "signer_name",
        ):  # fmt: skip
            if isinstance(value.get(key), str) and value[key].strip():
                setattr(out, key, value[key].strip())
        recipients = value.get("recipients")
        if isinstance(recipients, list):
            out.recipients = [str(r) for r in recipients if str(r).strip()]
        return out


@dataclass
class ReportInput:
    """Everything composition needs for one period as of one day."""

    period: PeriodKey
    as_of: dt.date
    directives: list[DirectiveData]
    org: OrgDefaults = field(default_factory=OrgDefaults)
    previous: Summary | None = None  # the previous period's summary, if it had directives


@dataclass
class Composition:
    """The generated sections' text and what section II carried over."""

    sections: dict[str, str]
    carry: list[dict[str, object]]
    summary: Summary


# --------------------------------------------------------------------------------------------
# Small wording helpers
# --------------------------------------------------------------------------------------------


def count(n: int) -> str:
    """Counts as Vietnamese reports write them: 07, 12 (a leading zero below 10)."""
    return f"{n:02d}" if 0 < n < 10 else str(n)


def _points(value: float) -> str:
    return f"{abs(value):.2f}".replace(".", ",").removesuffix(",00")


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def shorten(text: str, limit: int = SHORT_TITLE) -> str:
    text = _one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _sentence(text: str) -> str:
    text = _one_line(text).rstrip(" ;,")
    return text if text.endswith((".", "!", "?", "…", "./.")) else text + "."


def _first_sentence(text: str) -> tuple[str, str]:
    """Split at the first full stop followed by a capital letter: (first, rest)."""
    for match in re.finditer(r"[.;]\s+(?=\w)", text):
        if match.start() >= 40 and text[match.end()].isupper():
            return text[: match.start() + 1], text[match.end() :]
    return text, ""


def _status_phrase(status: Status) -> str:
    """ "đang thực hiện quá hạn 5 ngày", "hoàn thành đúng hạn" (no nested brackets)."""
    text = BUCKET_LABELS[status.bucket]
    text = text[:1].lower() + text[1:]
    if status.bucket in (Bucket.OVERDUE, Bucket.DONE_LATE) and status.days_overdue:
        text += f" {status.days_overdue} ngày"
    return text


def _unit_names(units: list[UnitReport], role_lead: bool, notes: _Notes) -> str:
    """Unit names for a role; many wards become "UBND 10 phường, xã" with the list footnoted."""
    chosen = [u for u in units if (u.role == LEAD) == role_lead]
    wards = [u.unit for u in chosen if u.kind == WARD_KIND]
    others = [u.unit for u in chosen if u.kind != WARD_KIND]
    if len(wards) > MAX_INLINE_UNITS:
        others.append(f"UBND {count(len(wards))} phường, xã{notes.add(', '.join(wards) + '.')}")
    else:
        others.extend(wards)
    return ", ".join(others)


def continue_wording(text: str) -> str:
    """Reword an unfinished task for next month: "Đẩy nhanh ..." -> "Tiếp tục đẩy nhanh ..."."""
    text = _one_line(text)
    if not text:
        return text
    folded = text.casefold()
    if folded.startswith(_NO_REWORD):
        return text
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:].isupper():  # "UBND", "KHCN": an acronym keeps its case
        return "Tiếp tục " + text
    return "Tiếp tục " + text[0].lower() + text[1:]


def due_sentence(summary: Summary) -> str:
    if summary.due:
        return (
            f"đạt {fmt_rate(summary.done_rate)} số nhiệm vụ đến hạn "
            f"({count(summary.due)} nhiệm vụ)"
        )
    return "chưa có nhiệm vụ nào đến hạn"


def summary_paragraph(
    summary: Summary,
    period: PeriodKey,
    as_of: dt.date,
    org_short: str,
    previous: Summary | None = None,
) -> str:
    """The headline paragraph in the wording of Vietnamese reports (DESIGN.md §3)."""
    if summary.total == 0:
        text = (
            f"Trong tháng {period.label}, không có nhiệm vụ trọng tâm nào được giao nên chưa "
            f"có kết quả thực hiện để tổng hợp (số liệu tính đến ngày {format_dmy(as_of)})."
        )
        withdrawn = summary.counts[Bucket.WITHDRAWN]
        if withdrawn:
            text += f" Có {count(withdrawn)} nhiệm vụ đã rút."
        return text
    c = summary.counts
    parts = [
        f"Trong tháng {period.label}, {org_short} giao {count(summary.total)} nhiệm vụ trọng "
        f"tâm. Tính đến ngày {format_dmy(as_of)}, đã hoàn thành {count(summary.done)} nhiệm vụ"
    ]
    if summary.due:
        parts.append(f", {due_sentence(summary)}")
    if summary.done:
        parts.append(
            f", trong đó đúng hạn {count(c[Bucket.DONE_ON_TIME])} nhiệm vụ, quá hạn "
            f"{count(c[Bucket.DONE_LATE])} nhiệm vụ"
        )
    parts.append(f"; đang thực hiện {count(summary.open)} nhiệm vụ")
    if summary.open:
        parts.append(f", trong đó quá hạn {count(summary.overdue)} nhiệm vụ")
        if c[Bucket.NOT_STARTED]:
            parts.append(f", chưa triển khai {count(c[Bucket.NOT_STARTED])} nhiệm vụ")
    if c[Bucket.NO_DEADLINE]:
        parts.append(
            f"; {count(c[Bucket.NO_DEADLINE])} nhiệm vụ thường xuyên (không có thời hạn)"
        )
    if c[Bucket.WITHDRAWN]:
        parts.append(f"; {count(c[Bucket.WITHDRAWN])} nhiệm vụ đã rút, không tính vào tỷ lệ")
    parts.append(".")
    if summary.due:
        parts.append(
            f" Tỷ lệ hoàn thành đúng hạn trên số nhiệm vụ đến hạn đạt "
            f"{fmt_rate(summary.on_time_rate)}."
        )
    if previous is not None and previous.total:
        prev = period.previous().label
        if summary.done_rate is not None and previous.done_rate is not None:
            diff = summary.done_rate - previous.done_rate
            trend = (
                f"tăng {_points(diff)} điểm phần trăm" if diff > 0.005
                else f"giảm {_points(diff)} điểm phần trăm" if diff < -0.005
                else "không thay đổi"
            )
            parts.append(
                f" So với tháng {prev} (giao {count(previous.total)} nhiệm vụ, hoàn thành "
                f"{count(previous.done)}, đạt {fmt_rate(previous.done_rate)}), tỷ lệ hoàn "
                f"thành {trend}."
            )
        else:
            diff_done = summary.done - previous.done
            trend = (
                f"tăng {diff_done}" if diff_done > 0
                else f"giảm {-diff_done}" if diff_done < 0
                else "không thay đổi"
            )
            parts.append(
                f" So với tháng {prev} (giao {count(previous.total)} nhiệm vụ, hoàn thành "
                f"{count(previous.done)}), số nhiệm vụ hoàn thành {trend}."
            )
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# Footnotes while composing
# --------------------------------------------------------------------------------------------


class _Notes:
    """Numbers footnotes through the whole draft and collects each section's definitions."""

    def __init__(self) -> None:
        self.number = 0
        self.pending: list[str] = []

    def add(self, text: str) -> str:
        self.number += 1
        self.pending.append(f"[^{self.number}]: {_one_line(text)}")
        return f"[^{self.number}]"

    def flush(self) -> list[str]:
        out, self.pending = self.pending, []
        return out


def _unit_clause(report: UnitReport, text: str, notes: _Notes) -> str:
    """ "Phòng Kinh tế: đã ..." with a long text cut to its first sentence plus a footnote."""
    text = _one_line(text).rstrip(" .;")
    if len(text) > LONG_TEXT:
        first, rest = _first_sentence(text)
        if rest and len(first) <= LONG_TEXT:
            return f"{report.unit}: {first.rstrip(' .;')}{notes.add(rest)}"
        return f"{report.unit}: {shorten(text, LONG_TEXT)}{notes.add(text)}"
    return f"{report.unit}: {text}"


def _results_clauses(units: list[UnitReport], attr: str, notes: _Notes) -> list[str]:
    """Clauses naming the units; wards and units beyond the first few go to footnotes."""
    reported = [u for u in units if _one_line(getattr(u, attr))]
    if not reported:
        return []
    wards = [u for u in reported if u.kind == WARD_KIND]
    others = [u for u in reported if u.kind != WARD_KIND]
    if len(wards) < 2:
        others, wards = reported, []
    others.sort(key=lambda u: u.role != LEAD)  # lead units first, stable otherwise
    inline, overflow = others[:MAX_INLINE_UNITS], others[MAX_INLINE_UNITS:]
    clauses = [_unit_clause(u, getattr(u, attr), notes) for u in inline]
    if wards:
        detail = "; ".join(f"{u.unit}: {_one_line(getattr(u, attr)).rstrip(' .;')}" for u in wards)
        clauses.append(
            f"UBND {count(len(wards))} phường, xã đã báo cáo kết quả thực hiện"
            f"{notes.add(detail + '.')}"
        )
    if overflow:
        detail = "; ".join(
            f"{u.unit}: {_one_line(getattr(u, attr)).rstrip(' .;')}" for u in overflow
        )
        clauses.append(f"{count(len(overflow))} đơn vị khác{notes.add(detail + '.')}")
    return clauses


def _directive_label(d: DirectiveData, kind: str = "Nhiệm vụ số") -> str:
    return f"{kind} {d.number} “{shorten(d.title)}”"


def _result_paragraph(d: DirectiveData, notes: _Notes, kind: str = "Nhiệm vụ số") -> str:
    state = _status_phrase(d.status)
    if d.percent and not d.status.is_done and d.status.bucket is not Bucket.NO_DEADLINE:
        state += f", đạt {d.percent}%"
    head = f"- {_directive_label(d, kind)} ({state})"
    clauses = _results_clauses(d.units, "result", notes)
    if clauses:
        return f"{head}: {'; '.join(clauses)}."
    if d.children:
        return f"{head}:"
    return f"{head}: các đơn vị được giao chưa báo cáo kết quả thực hiện."


def _visible(directives: list[DirectiveData]) -> list[DirectiveData]:
    return [d for d in directives if d.status.bucket is not Bucket.WITHDRAWN]


def results_section(directives: list[DirectiveData], notes: _Notes) -> str:
    """The fields in the seed report's order, numbered, with one "- " paragraph per task."""
    lines: list[str] = []
    by_field: dict[str, list[DirectiveData]] = {}
    for d in _visible(directives):
        key = d.field if d.field in FIELD_LABELS else FIELDS[0][0]
        by_field.setdefault(key, []).append(d)
    number = 0
    for key, label in FIELDS:
        items = by_field.get(key)
        if not items:
            continue
        number += 1
        lines.append(f"{number}. {label}:")
        for d in items:
            lines.append(_result_paragraph(d, notes))
            for child in _visible(d.children):
                lines.append(_result_paragraph(child, notes, kind="Nội dung"))
    if not lines:
        lines.append("Trong kỳ không có nhiệm vụ trọng tâm nào được giao.")
    return "\n".join(lines + notes.flush())


def _shortcoming_paragraph(d: DirectiveData, notes: _Notes) -> str:
    status = d.status
    deadline = format_dmy(status.deadline or d.extended_deadline or d.deadline)
    if status.bucket is Bucket.OVERDUE:
        state = f"quá hạn {status.days_overdue} ngày (thời hạn {deadline})"
        if d.percent:
            state += f", mới đạt {d.percent}%"
    elif status.bucket is Bucket.DONE_LATE:
        state = f"hoàn thành chậm {status.days_overdue} ngày so với thời hạn {deadline}"
    else:
        state = f"chưa triển khai (thời hạn {deadline})"
    text = f"- {_directive_label(d)} {state}"
    leads = _unit_names(d.units, True, notes)
    supports = _unit_names(d.units, False, notes)
    if leads:
        text += f"; đơn vị chủ trì: {leads}"
    if supports:
        text += f"; phối hợp: {supports}"
    units = list(d.units)
    for child in d.children:
        units.extend(child.units)
    clauses = _results_clauses(units, "difficulties", notes)
    if clauses:
        text += f"; khó khăn, vướng mắc: {'; '.join(clauses)}"
    else:
        text += "; đơn vị chưa báo cáo khó khăn, vướng mắc"
    return text + "."


def shortcomings_section(directives: list[DirectiveData], notes: _Notes) -> str:
    """"* Bên cạnh ...": overdue, late and not-started tasks with their units' difficulties."""
    flagged = [d for d in _visible(directives) if d.status.bucket in SHORTCOMING_BUCKETS]
    if not flagged:
        return (
            f"{SHORTCOMINGS_LEAD} không có nhiệm vụ quá hạn, hoàn thành chậm hoặc chưa triển "
            "khai."
        )
    n = {b: sum(1 for d in flagged if d.status.bucket is b) for b in SHORTCOMING_BUCKETS}
    parts = []
    if n[Bucket.OVERDUE]:
        parts.append(f"còn {count(n[Bucket.OVERDUE])} nhiệm vụ quá hạn chưa hoàn thành")
    if n[Bucket.DONE_LATE]:
        parts.append(f"{count(n[Bucket.DONE_LATE])} nhiệm vụ hoàn thành chậm so với thời hạn")
    if n[Bucket.NOT_STARTED]:
        parts.append(f"{count(n[Bucket.NOT_STARTED])} nhiệm vụ chưa triển khai")
    lines = [f"{SHORTCOMINGS_LEAD} {', '.join(parts)}, cụ thể:"]
    lines += [_shortcoming_paragraph(d, notes) for d in flagged]
    return "\n".join(lines + notes.flush())


def _unfinished(d: DirectiveData) -> bool:
    return not d.status.is_done and d.status.bucket is not Bucket.WITHDRAWN


def next_tasks_section(directives: list[DirectiveData]) -> tuple[str, list[dict[str, object]]]:
    """Section II: the unfinished tasks carried over, renumbered, reworded "Tiếp tục ..."."""
    lines = [NEXT_TASKS_INTRO]
    carry: list[dict[str, object]] = []
    number = 0
    for d in directives:
        if not _unfinished(d):
            continue
        number += 1
        text = continue_wording(d.text or d.title)
        lines.append(f"{number}. {text}")
        children = []
        for child in d.children:
            if not _unfinished(child):
                continue
            child_text = continue_wording(child.text or child.title)
            lines.append(f"- {child_text}")
            children.append({"directive_id": child.id, "text": child_text})
        carry.append({"directive_id": d.id, "text": text, "children": children})
    return "\n".join(lines), carry


def compose(data: ReportInput) -> Composition:
    """Every section's text for ``data.period`` as of ``data.as_of``."""
    period, org = data.period, data.org
    summary = summarize(d.status for d in data.directives)
    notes = _Notes()
    results = results_section(data.directives, notes)
    shortcomings = shortcomings_section(data.directives, notes)
    next_tasks, carry = next_tasks_section(data.directives)
    nxt = period.next().label
    sections = {
        "title": f"Tình hình thực hiện nhiệm vụ trọng tâm tháng {period.label}",
        "intro": (
            f"Thực hiện nhiệm vụ trọng tâm tháng {period.label} của UBND tỉnh và Thành ủy, "
            f"{org.org_short} đã tập trung chỉ đạo đạt được kết quả như sau:"
        ),
        "summary": summary_paragraph(summary, period, data.as_of, org.org_short, data.previous),
        "results": results,
        "shortcomings": shortcomings,
        "next_tasks": next_tasks,
        "closing": (
            f"Trên đây là báo cáo tình hình thực hiện nhiệm vụ trọng tâm tháng {period.label} "
            f"và một số nhiệm vụ trọng tâm trong tháng {nxt} của {org.org_short}, đề nghị các "
            "phòng ban thành phố và UBND phường, xã xây dựng kế hoạch của đơn vị mình theo "
            "chức năng, nhiệm vụ được giao để triển khai thực hiện có hiệu quả./."
        ),
        "recipients": "\n".join(f"- {r.lstrip('-–• ').rstrip(';.')}" for r in org.recipients),
        "signature": "\n".join([org.signer_capacity, org.signer_title, org.signer_name]),
    }
    return Composition(sections=sections, carry=carry, summary=summary)
