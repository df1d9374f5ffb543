"""Section I of the report: "1. Công tác chỉ đạo điều hành", the counts, and one numbered part
per field in the seed's order, each task a paragraph that says what was done.

A task's paragraph leads with its lead unit's latest result as of the day (the first sentence
in the text, the rest in a footnote), adds a supporting unit only where it tells something the
lead did not (never a stale figure after the lead finished), keeps the figures, and ends with
the task's standing in words ("hoàn thành chậm 01 ngày làm việc so với thời hạn 31/03/2023").
Wards' figures and more than two supporting units go to footnotes, as the seed keeps detail.
"""

from __future__ import annotations

from tracker.directives.fields import DEFAULT_FIELD, FIELD_LABELS, FIELDS
from tracker.directives.status import Bucket, Summary, fmt_rate
from tracker.reports.compose import (
    PLACEHOLDER,
    Activity,
    DirectiveData,
    OrgDefaults,
    ReportInput,
    UnitReport,
    visible,
)
from tracker.reports.prose import (
    Block,
    Builder,
    clause,
    count,
    dmy,
    one_line,
    sentence,
    split_first,
    subject_clause,
)

LONG_TEXT = 320  # characters of one unit's result kept in the text; the rest is a footnote
MAX_INLINE_SUPPORTS = 2
DIRECTION_FIELD = DEFAULT_FIELD  # "chỉ đạo điều hành": part 1, whatever its label


# --- a task's standing in words -------------------------------------------------------------


def label_of(d: DirectiveData, sub: bool) -> str:
    return f"Nội dung {d.number}" if sub else f"Nhiệm vụ số {d.number}"


def deadline_phrase(d: DirectiveData) -> str:
    """ "thời hạn 31/03/2023" or "thời hạn được gia hạn đến 14/04/2023"."""
    deadline = d.status.deadline or d.extended_deadline or d.deadline
    if d.extended_deadline is not None and deadline == d.extended_deadline:
        return f"thời hạn được gia hạn đến {dmy(deadline)}"
    return f"thời hạn {dmy(deadline)}"


def _started(d: DirectiveData) -> bool:
    """Its lead work has begun (a report from a lead unit, or a sub-task begun)."""
    return d.percent > 0 or any(u.reported_on for u in d.leads) or any(
        _started(c) for c in d.children
    )


def _not_started(d: DirectiveData) -> str:
    """ "chưa triển khai", or, when only supporting units reported, who has not."""
    if any(u.reported_on for u in d.supports):
        return f"chưa có báo cáo của đơn vị chủ trì ({_lead_names(d)})"
    return "chưa triển khai"


def _pending_extension(d: DirectiveData, org: OrgDefaults) -> str:
    asked = [u for u in d.leads if u.pending_extension]
    if not asked:
        return ""
    u = max(asked, key=lambda u: u.pending_extension)  # type: ignore[arg-type,return-value]
    return (f"; {u.unit} đã đề nghị gia hạn đến {dmy(u.pending_extension)}, đang chờ "
            f"{org.leaders} quyết định")


def _awaiting(d: DirectiveData, name: str, org: OrgDefaults) -> str:
    days = [u.completion_reported_on for u in d.leads if u.completion_reported_on]
    when = f" ngày {dmy(max(days))}" if days else ""
    return (f"{name} đã báo cáo hoàn thành{when}, chờ {org.leaders} xác nhận "
            f"({deadline_phrase(d)})")


def standing(d: DirectiveData, name: str, org: OrgDefaults) -> str:
    """The task's standing as of the day, as one clause starting with its name."""
    s = d.status
    percent = f", đạt {d.percent}%" if d.percent and _started(d) else ""
    if s.bucket is Bucket.DONE_ON_TIME:
        day = f" (ngày {dmy(s.completed_on)})" if s.completed_on else ""
        return f"{name} hoàn thành đúng hạn{day}"
    if s.bucket is Bucket.DONE_LATE:
        late = f" {count(s.days_overdue)} ngày làm việc" if s.days_overdue else ""
        return f"{name} hoàn thành chậm{late} so với thời hạn {dmy(s.deadline)}"
    if s.bucket is Bucket.WITHDRAWN:
        return f"{name} đã được rút"
    if s.awaiting:
        return _awaiting(d, name, org)
    if s.bucket is Bucket.NO_DEADLINE:
        return f"{name} được thực hiện thường xuyên{percent}"
    if s.bucket is Bucket.OVERDUE:
        core = "đang thực hiện" if _started(d) else _not_started(d)
        late = f"quá hạn {count(s.days_overdue)} ngày làm việc" if s.days_overdue else "quá hạn"
        return (f"{name} {core}, {late} so với {deadline_phrase(d)}{percent}"
                f"{_pending_extension(d, org)}")
    if s.bucket is Bucket.NOT_STARTED:
        return f"{name} {_not_started(d)} ({deadline_phrase(d)}){_pending_extension(d, org)}"
    return (f"{name} đang thực hiện trong hạn{percent} ({deadline_phrase(d)})"
            f"{_pending_extension(d, org)}")


# --- what units did ---------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(clause(text).casefold().split())


def _adds_something(u: UnitReport, leads: list[UnitReport]) -> bool:
    """A supporting unit's report is worth a line unless the leads already say it, or the
    leads finished after it (its figure is then out of date)."""
    if not clause(u.result):
        return False
    said = [_fold(lead.result) for lead in leads if clause(lead.result)]
    if any(_fold(u.result) in text for text in said):
        return False
    finished = [lead for lead in leads if lead.completion_reported_on or (
        lead.status is not None and lead.status.is_done)]
    if finished and said:
        last = max((lead.result_on for lead in finished if lead.result_on), default=None)
        if last is not None and (u.result_on is None or u.result_on < last):
            return False
    return True


def _unit_sentence(b: Builder, u: UnitReport, *, with_earlier: bool = False) -> None:
    """ "Phòng Kinh tế tổ chức đối thoại doanh nghiệp; giải đáp 12/18 kiến nghị." with a long
    report's tail in a footnote, and (for a lead unit) its earlier reports of the period in
    another, as the seed keeps detail."""
    head, tail = split_first(u.result, LONG_TEXT)
    b.add(sentence(subject_clause(u.unit, head))[:-1])
    if tail:
        b.note(tail)
    if with_earlier and u.earlier:
        b.note("Quá trình thực hiện: " + "; ".join(
            f"ngày {dmy(day)}: {clause(text)}" for day, text in u.earlier))
    b.add(". ")


def _detail(units: list[UnitReport]) -> str:
    return "; ".join(f"{u.unit}: {clause(u.result)}" for u in units)


def _what_was_done(b: Builder, d: DirectiveData) -> bool:
    """The units' results into the paragraph; False when nobody reported a result."""
    leads = [u for u in d.leads if clause(u.result)]
    supports = [u for u in d.supports if _adds_something(u, d.leads)]
    wards = [u for u in supports if u.is_ward]
    others = [u for u in supports if not u.is_ward]
    if len(wards) < 2:
        others, wards = supports, []
    if not leads and not supports:
        return False
    for u in leads:
        _unit_sentence(b, u, with_earlier=True)
    for u in others[:MAX_INLINE_SUPPORTS]:
        _unit_sentence(b, u)
    rest = others[MAX_INLINE_SUPPORTS:]
    if rest:
        b.add(f"{count(len(rest))} đơn vị phối hợp khác đã báo cáo kết quả thực hiện")
        b.note(_detail(rest))
        b.add(". ")
    if wards:
        b.add(f"UBND {count(len(wards))} phường, xã đã báo cáo kết quả phối hợp thực hiện")
        b.note(_detail(wards))
        b.add(". ")
    return True


def _lead_names(d: DirectiveData) -> str:
    names = [u.unit for u in d.leads]
    if len(names) > 3:
        return f"{names[0]} và {count(len(names) - 1)} đơn vị"
    return ", ".join(names)


def task_block(d: DirectiveData, org: OrgDefaults, *, sub: bool = False) -> Block:
    """One task (or sub-task) as one "- " paragraph (see the module docstring)."""
    b = Builder(key=f"d:{d.id if d.id is not None else d.number}")
    b.add("- ")
    name = label_of(d, sub)
    if _what_was_done(b, d):
        b.add(sentence(standing(d, name, org)))
        return b.block()
    if d.units:
        name = f"{name} ({_lead_names(d)} chủ trì)"
    text = standing(d, name, org)
    if d.children:
        text = f"{text}; kết quả các nội dung như sau" if not d.units else text
    elif d.status.bucket not in (Bucket.DONE_ON_TIME, Bucket.DONE_LATE, Bucket.NOT_STARTED):
        text += "; đơn vị chưa báo cáo kết quả thực hiện"
    b.add(sentence(text) if not text.endswith("như sau") else text + ":")
    return b.block()


def field_blocks(items: list[DirectiveData], org: OrgDefaults) -> list[Block]:
    out = []
    for d in items:
        out.append(task_block(d, org))
        out += [task_block(c, org, sub=True) for c in visible(d.children)]
    return out


def _by_field(directives: list[DirectiveData]) -> dict[str, list[DirectiveData]]:
    by_field: dict[str, list[DirectiveData]] = {}
    for d in visible(directives):
        key = d.field if d.field in FIELD_LABELS else DIRECTION_FIELD
        by_field.setdefault(key, []).append(d)
    return by_field


def results_section(data: ReportInput) -> list[Block]:
    """Parts 2, 3, ...: one per field that has tasks, in the seed's order."""
    by_field = _by_field(data.directives)
    blocks: list[Block] = []
    number = 1  # part 1 is the direction section
    for code, label in FIELDS:
        items = by_field.get(code)
        if not items or code == DIRECTION_FIELD:
            continue
        number += 1
        blocks.append(Block(f"{number}. {label}:", key=f"field:{code}"))
        blocks += field_blocks(items, data.org)
    if not blocks and not by_field:
        blocks.append(Block("Trong kỳ không có nhiệm vụ trọng tâm nào được giao.", key="none"))
    return blocks


# --- part 1: the leaders' direction -------------------------------------------------------------


def _tracking(activity: Activity, data: ReportInput) -> str:
    org, a = data.org, activity
    parts = [f"{org.org_short} đã giao {count(a.tasks)} nhiệm vụ trọng tâm tháng "
             f"{data.period.label}"]
    if a.items > a.tasks:
        parts[0] += f" ({count(a.items)} nội dung)"
    if a.assignments:
        parts[0] += f" với {count(a.assignments)} lượt phân công cho {count(a.units)} đơn vị"
    done = [f"đến ngày {dmy(data.as_of)} đã tiếp nhận {count(a.reports)} báo cáo tiến độ của "
            f"{count(a.reporting_units)} đơn vị" if a.reports else
            f"đến ngày {dmy(data.as_of)} chưa có đơn vị nào báo cáo tiến độ"]
    if a.confirmed:
        done.append(f"xác nhận hoàn thành {count(a.confirmed)} nội dung")
    if a.returned:
        done.append(f"trả lại {count(a.returned)} báo cáo hoàn thành chưa đạt yêu cầu")
    decided = a.extensions_approved + a.extensions_rejected
    if decided:
        split = []
        if a.extensions_approved:
            split.append(f"đồng ý {count(a.extensions_approved)}")
        if a.extensions_rejected:
            split.append(f"không đồng ý {count(a.extensions_rejected)}")
        done.append(f"quyết định {count(decided)} đề nghị gia hạn ({', '.join(split)})")
    if a.extensions_pending:
        done.append(f"còn {count(a.extensions_pending)} đề nghị gia hạn đang chờ quyết định")
    if a.reminders:
        done.append(f"gửi {count(a.reminders)} lượt nhắc việc đến các đơn vị")
    return sentence("- Công tác theo dõi, đôn đốc thực hiện nhiệm vụ: " + parts[0] + "; "
                    + ", ".join(done))


def direction_section(data: ReportInput) -> list[Block]:
    """ "1. Công tác chỉ đạo điều hành": meetings and documents are for people to fill in
    (marked "[...]"); the follow-up of the tasks comes from the data; then the tasks of the
    field "chỉ đạo điều hành" themselves."""
    org, p = data.org, PLACEHOLDER
    blocks = [
        Block(f"1. {FIELD_LABELS.get(DIRECTION_FIELD, 'Công tác chỉ đạo điều hành')} của Chủ "
              f"tịch, các Phó Chủ tịch {org.org_short}:", key="direction:heading"),
        Block(f"- Về tổ chức họp và làm việc: Chủ tịch, các Phó Chủ tịch {org.org_short} đã chủ "
              f"trì {p} cuộc họp, hội nghị, làm việc quan trọng và tham dự {p} cuộc họp do cấp "
              "trên tổ chức.", key="direction:meetings"),
        Block(f"- Công tác tiếp nhận và xử lý văn bản hành chính: trong tháng "
              f"{data.period.label}, {org.org_short} đã nhận {p} văn bản của cấp trên và các cơ "
              f"quan, đơn vị gửi đến; cụ thể hóa và ban hành {p} văn bản các loại để chỉ đạo "
              "điều hành trên các lĩnh vực.", key="direction:documents"),
    ]
    if data.activity is not None and data.activity.tasks:
        blocks.append(Block(_tracking(data.activity, data), key="direction:tracking"))
    blocks += field_blocks(_by_field(data.directives).get(DIRECTION_FIELD, []), org)
    return blocks


# --- the counts (DESIGN.md §3) ------------------------------------------------------------------


def _points(value: float) -> str:
    return f"{abs(value):.2f}".replace(".", ",").removesuffix(",00")


def _parts(pairs: list[tuple[int, str]]) -> str:
    return ", ".join(f"{text} {count(n)} nhiệm vụ" for n, text in pairs if n)


def _previous(summary: Summary, previous: Summary | None, data: ReportInput) -> str:
    if previous is None or not previous.total:
        return ""
    prev = data.period.previous().label
    if summary.done_rate is not None and previous.done_rate is not None:
        diff = summary.done_rate - previous.done_rate
        trend = (f"tăng {_points(diff)} điểm phần trăm" if diff > 0.005
                 else f"giảm {_points(diff)} điểm phần trăm" if diff < -0.005
                 else "không thay đổi")
        return (f" So với tháng {prev} ({count(previous.due)} nhiệm vụ đến hạn, hoàn thành "
                f"{count(previous.done)}, đạt {fmt_rate(previous.done_rate)}), tỷ lệ hoàn "
                f"thành {trend}.")
    diff = summary.done - previous.done
    trend = f"tăng {diff}" if diff > 0 else f"giảm {-diff}" if diff < 0 else "không thay đổi"
    return (f" So với tháng {prev} (giao {count(previous.total)} nhiệm vụ, hoàn thành "
            f"{count(previous.done)}), số nhiệm vụ hoàn thành {trend}.")


def summary_text(summary: Summary, data: ReportInput) -> str:
    """The counts as DESIGN.md §3 words them: due tasks done (on time, late) and not done
    (overdue); tasks not yet due (in time, not started); standing duties; withdrawn ones."""
    org, c = data.org, summary.counts
    if summary.total == 0:
        text = (f"- Kết quả thực hiện nhiệm vụ trọng tâm: trong tháng {data.period.label}, "
                f"{org.org_short} không giao nhiệm vụ trọng tâm nào nên chưa có kết quả để tổng "
                "hợp")
        if c[Bucket.WITHDRAWN]:
            text += f" ({count(c[Bucket.WITHDRAWN])} nhiệm vụ đã rút)"
        return text + "."
    awaiting = [d for d in visible(data.directives) if d.status.awaiting and not d.status.is_done]
    text = (f"- Kết quả thực hiện nhiệm vụ trọng tâm: trong tháng {data.period.label}, "
            f"{org.org_short} giao {count(summary.total)} nhiệm vụ trọng tâm. Tính đến ngày "
            f"{dmy(data.as_of)}, ")
    if summary.due:
        text += f"có {count(summary.due)} nhiệm vụ đến hạn, trong đó "
        if summary.done:
            text += (f"đã hoàn thành {count(summary.done)} nhiệm vụ (đúng hạn "
                     f"{count(c[Bucket.DONE_ON_TIME])}, chậm so với thời hạn "
                     f"{count(c[Bucket.DONE_LATE])}), đạt {fmt_rate(summary.done_rate)}; tỷ lệ "
                     f"hoàn thành đúng hạn đạt {fmt_rate(summary.on_time_rate)}")
        else:
            text += "chưa hoàn thành nhiệm vụ nào"
        if summary.overdue:
            text += f"; {count(summary.overdue)} nhiệm vụ quá hạn chưa hoàn thành"
        text += "."
    else:
        text += "chưa có nhiệm vụ nào đến hạn."
    not_due = summary.in_time + summary.not_started
    if not_due:
        text += (f" Chưa đến hạn {count(not_due)} nhiệm vụ: "
                 + _parts([(summary.in_time, "đang thực hiện trong hạn"),
                           (summary.not_started, "chưa triển khai")]) + ".")
    if c[Bucket.NO_DEADLINE]:
        text += (f" Thực hiện thường xuyên (không có thời hạn) {count(c[Bucket.NO_DEADLINE])} "
                 "nhiệm vụ.")
    if awaiting:
        text += (f" Có {count(len(awaiting))} nhiệm vụ đơn vị đã báo cáo hoàn thành, đang chờ "
                 f"{org.leaders} xác nhận.")
    if c[Bucket.WITHDRAWN]:
        text += f" Đã rút {count(c[Bucket.WITHDRAWN])} nhiệm vụ, không tính vào tỷ lệ."
    return one_line(text + _previous(summary, data.previous, data))


def summary_section(data: ReportInput, summary: Summary) -> list[Block]:
    return [Block(summary_text(summary, data), key="summary")]
