"""Compose the monthly report from plain data: the sections' text, as the Văn phòng writes it.

Pure functions, no Flask and no database: ``data.py`` turns the history as of the report day
into the dataclasses below, and the section writers (``results.py``, ``shortcomings.py``,
``next_tasks.py``) word them like the seed report: prose by field, facts first, detail in
footnotes, the standing of each task in words. Every generated paragraph is a ``Block`` with a
key, so a section can be generated anew without losing what people edited (``sections.merge``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tracker.core.periods import PeriodKey
from tracker.directives.status import Status, Summary, summarize
from tracker.reports.prose import Block, first_sentence
from tracker.reports.sections import serialize

# Section keys in document order; each is one editable part of the draft page.
SECTION_KEYS: tuple[str, ...] = (
    "title",
    "intro",
    "direction",
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
    "direction": "I.1. Công tác chỉ đạo điều hành",
    "summary": "I.1. Kết quả thực hiện nhiệm vụ trọng tâm (số liệu tổng hợp)",
    "results": "I. Kết quả thực hiện theo lĩnh vực",
    "shortcomings": "Hạn chế, tồn tại",
    "next_tasks": "II. Nhiệm vụ trọng tâm tháng sau",
    "closing": "Đoạn kết",
    "recipients": "Nơi nhận (mỗi dòng một nơi)",
    "signature": "Chữ ký (thẩm quyền / chức vụ / họ tên, mỗi dòng một mục)",
}
PLACEHOLDER = "[...]"
WARD_KIND = "ward"
LEAD = "lead"


# --------------------------------------------------------------------------------------------
# Plain input data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitReport:
    """One unit's work on a directive as it stood at the end of the report day."""

    unit: str
    kind: str
    role: str
    result: str = ""
    difficulties: str = ""
    percent: int = 0
    reported_on: dt.date | None = None  # its last report
    proposals: str = ""
    result_on: dt.date | None = None
    status: Status | None = None
    completion_reported_on: dt.date | None = None  # awaiting the leader's confirmation
    pending_extension: dt.date | None = None  # a requested deadline not decided yet
    pending_extension_on: dt.date | None = None
    earlier: tuple[tuple[dt.date, str], ...] = ()  # its earlier results this period, dated

    @property
    def is_lead(self) -> bool:
        return self.role == LEAD

    @property
    def is_ward(self) -> bool:
        return self.kind == WARD_KIND


@dataclass
class DirectiveData:
    """What the report needs of one directive; ``status`` rolls up its own lead work and its
    sub-directives (status.directive_roll_up)."""

    number: str
    title: str
    text: str
    field: str
    status: Status
    id: int | None = None
    deadline: dt.date | None = None  # the original deadline of its lead work
    extended_deadline: dt.date | None = None  # an approved extension in force
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    percent: int = 0
    last_update: dt.date | None = None
    units: list[UnitReport] = field(default_factory=list)
    children: list[DirectiveData] = field(default_factory=list)

    @property
    def leads(self) -> list[UnitReport]:
        return [u for u in self.units if u.is_lead] or list(self.units)

    @property
    def supports(self) -> list[UnitReport]:
        leads = self.leads
        return [u for u in self.units if u not in leads]

    @property
    def full_title(self) -> str:
        """The title, or the whole first sentence of the text when the title was cut."""
        title = " ".join(self.title.split())
        if not title.endswith("…"):
            return title
        head = first_sentence(self.text)
        return head if len(head) >= len(title) - 1 else title


@dataclass(frozen=True)
class Activity:
    """What the leaders' direction produced in the period, counted from the data as of the day
    (the report's "1. Công tác chỉ đạo điều hành")."""

    tasks: int = 0  # top-level directives of the period
    items: int = 0  # with their sub-directives
    assignments: int = 0
    units: int = 0
    reports: int = 0  # progress and completion reports from the units
    reporting_units: int = 0
    confirmed: int = 0
    returned: int = 0
    extensions_approved: int = 0
    extensions_rejected: int = 0
    extensions_pending: int = 0
    reminders: int = 0


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

    @property
    def leaders(self) -> str:
        """ "lãnh đạo UBND thành phố Trà Vinh": who confirms and decides."""
        return f"lãnh đạo {self.org_short}"


@dataclass
class ReportInput:
    """Everything composition needs for one period as of one day."""

    period: PeriodKey
    as_of: dt.date
    directives: list[DirectiveData]
    org: OrgDefaults = field(default_factory=OrgDefaults)
    previous: Summary | None = None  # the previous period's summary, if it had directives
    activity: Activity | None = None


@dataclass
class Composition:
    """The generated sections: their blocks (with keys), their stored text, section II's
    candidates, and the counts."""

    blocks: dict[str, list[Block]]
    carry: list[dict[str, object]]
    summary: Summary

    @property
    def sections(self) -> dict[str, str]:
        return {key: serialize(blocks) for key, blocks in self.blocks.items()}

    @property
    def keys(self) -> dict[str, list[str]]:
        return {key: [b.key for b in blocks] for key, blocks in self.blocks.items()}


def visible(directives: list[DirectiveData]) -> list[DirectiveData]:
    from tracker.directives.status import Bucket

    return [d for d in directives if d.status.bucket is not Bucket.WITHDRAWN]


def compose(data: ReportInput) -> Composition:
    """Every section's blocks for ``data.period`` as of ``data.as_of``."""
    from tracker.reports import next_tasks, results, shortcomings

    period, org = data.period, data.org
    summary = summarize(d.status for d in data.directives)
    nxt = period.next().label
    section_two, carry = next_tasks.section(data)
    blocks = {
        "title": [Block(f"Tình hình thực hiện nhiệm vụ trọng tâm tháng {period.label}",
                        key="title")],
        "intro": [Block(
            f"Thực hiện nhiệm vụ trọng tâm tháng {period.label}, {org.org_short} đã tập trung "
            "chỉ đạo các phòng ban, đơn vị triển khai thực hiện, đạt được kết quả như sau:",
            key="intro")],
        "direction": results.direction_section(data),
        "summary": results.summary_section(data, summary),
        "results": results.results_section(data),
        "shortcomings": shortcomings.section(data),
        "next_tasks": section_two,
        "closing": [Block(
            f"Trên đây là báo cáo tình hình thực hiện nhiệm vụ trọng tâm tháng {period.label} "
            f"và một số nhiệm vụ trọng tâm trong tháng {nxt} của {org.org_short}, đề nghị các "
            "phòng ban, đơn vị xây dựng kế hoạch của đơn vị mình theo chức năng, nhiệm vụ được "
            "giao để triển khai thực hiện có hiệu quả./.", key="closing")],
        "recipients": [Block(f"- {r.lstrip('-–• ').rstrip(';.')}", key=f"recipient:{i}")
                       for i, r in enumerate(org.recipients)],
        "signature": [Block(org.signer_capacity, key="capacity"),
                      Block(org.signer_title, key="title"),
                      Block(org.signer_name, key="name")],
    }
    return Composition(blocks=blocks, carry=carry, summary=summary)
