"""Section II, the priority tasks of the next month, proposed from this month's data.

- Unfinished tasks are carried over with their units ("Giao X chủ trì, phối hợp Y"), worded as
  a task: "Tiếp tục ..." only when the text does not already say it goes on.
- Standing duties stay: a task without a deadline, and the clauses of a finished task that
  describe work that recurs every month ("duy trì", "thường xuyên", "tăng cường", "theo dõi"...).
  The clauses of a finished task that delivered something once ("hoàn thành ...") go.
- A one-off event whose day has passed goes, whatever the task: a clause naming a date before
  the next month, or an observance (Ngày Quyền của người tiêu dùng, 15/3; Tết...) of this month
  or earlier. Dates of documents ("Quyết định số 95/QĐ-UBND ngày 19/01/2023") are not events.
- The secretariat chooses what goes in (``carry`` lists every candidate) and adds the new tasks
  the leaders give; finalising turns the section into next month's directives.
"""

from __future__ import annotations

import datetime as dt
import re

from tracker.directives.status import Bucket
from tracker.reports.compose import DirectiveData, ReportInput, visible
from tracker.reports.prose import Block, clause, one_line

NEXT_TASKS_INTRO = (
    "Thực hiện chương trình công tác của cấp trên, {org} chỉ đạo các phòng ban, đơn vị và "
    "UBND các phường, xã tập trung thực hiện các mặt công tác sau:"
)
_CONTINUES = ("tiếp tục", "duy trì", "thường xuyên")
STANDING_MARKERS = (
    "tiếp tục", "duy trì", "thường xuyên", "tăng cường", "đẩy mạnh", "nâng cao", "theo dõi",
    "nắm chắc", "nắm tình hình", "chủ động", "thực hiện tốt", "thực hiện nghiêm",
    "thực hiện có hiệu quả", "tập trung thực hiện", "kiểm tra", "giám sát", "quản lý",
    "tuyên truyền", "chăm lo", "bảo đảm", "đảm bảo", "kiên quyết", "phòng, chống", "phòng chống",
    "tuần tra",
)  # fmt: skip
ONE_OFF_MARKERS = ("hoàn thành", "đẩy nhanh", "tổng kết", "sơ kết")
# Observances that recur on the same day every year (month, day); Tết is around February.
OBSERVANCES: dict[str, tuple[int, int]] = {
    "tết nguyên đán": (2, 1), "tết quân dân": (2, 1), "tết": (2, 1),
    "giao nhận quân": (2, 28), "giao quân": (2, 28),
    "ngày thầy thuốc việt nam": (2, 27), "ngày quốc tế phụ nữ": (3, 8),
    "ngày quyền của người tiêu dùng": (3, 15), "ngày thành lập đoàn": (3, 26),
    "giải phóng miền nam": (4, 30), "quốc tế lao động": (5, 1), "ngày sinh nhật bác": (5, 19),
    "ngày gia đình việt nam": (6, 28), "ngày thương binh liệt sĩ": (7, 27),
    "quốc khánh": (9, 2), "ngày phụ nữ việt nam": (10, 20), "ngày nhà giáo việt nam": (11, 20),
    "ngày quốc phòng toàn dân": (12, 22),
}  # fmt: skip
_DOCUMENT_DATE = re.compile(
    r"(số\s+)?\d+[/\w.Đđ-]*\s*(/\s*[\wĐđ-]+)+\s+ngày\s+\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4}",
    re.IGNORECASE,
)
# An event's day: "ngày 15/3", "(27/2)", "10/4/2023"; not a fraction such as "12/18 kiến nghị".
_DATE = re.compile(
    r"(?:(?<=ngày\s)|(?<=\())(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?(?![\d/])"
    r"|(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])",
    re.IGNORECASE,
)
_SENTENCES = re.compile(r"(?<=\.)\s+(?=[A-ZĐÀ-Ỹ])")


# --- clauses -------------------------------------------------------------------------------------


def _clauses(text: str) -> list[list[str]]:
    """Sentences, each a list of its clauses (split at semicolons), as written."""
    out = []
    for sentence in _SENTENCES.split(one_line(text)):
        body = sentence.strip()
        body = body[:-1] if body.endswith(".") and not body.endswith("...") else body
        parts = [p.strip() for p in body.split(";")]
        out.append([p for p in parts if p])
    return out


def _join(sentences: list[list[str]]) -> str:
    kept = ["; ".join(parts) for parts in sentences if parts]
    kept = [s[0].upper() + s[1:] for s in kept]
    text = ". ".join(s.rstrip(" ,") for s in kept)
    if not text:
        return ""
    return text if text.endswith((".", "…")) else text + "."


def passed_event(part: str, before: dt.date) -> bool:
    """The clause is about an event whose day comes before ``before`` (the next month)."""
    folded = part.casefold()
    for name, (month, day) in OBSERVANCES.items():
        if name in folded and dt.date(before.year, month, day) < before and (
            before - dt.date(before.year, month, day)).days <= 62:
            return True
    dates = []
    for match in _DATE.finditer(_DOCUMENT_DATE.sub(" ", part)):
        groups = match.groups()
        day_s, month_s, year_s = groups[:3] if groups[0] else groups[3:]
        day, month = int(day_s), int(month_s)
        year = int(year_s) if year_s else before.year
        try:
            dates.append(dt.date(year, month, day))
        except ValueError:
            continue
    return bool(dates) and all(d < before for d in dates)


def standing_part(part: str) -> bool:
    folded = part.casefold()
    if any(marker in folded for marker in ONE_OFF_MARKERS):
        return False
    return any(marker in folded for marker in STANDING_MARKERS)


def trim(text: str, before: dt.date, *, finished: bool) -> str:
    """The text for next month: past events dropped; of a finished task, only standing work.
    A text with nothing to drop stays exactly as written."""
    sentences = _clauses(text)
    kept = []
    for parts in sentences:
        parts = [p for p in parts if not passed_event(p, before)]
        if finished:
            parts = [p for p in parts if standing_part(p)]
        kept.append(parts)
    if kept == sentences:
        return one_line(text)
    return _join(kept)


def continue_wording(text: str) -> str:
    """An unfinished task as next month's task: "Đẩy nhanh ..." -> "Tiếp tục đẩy nhanh ...";
    a text already saying it goes on, or opening with a name, is kept as written."""
    text = one_line(text)
    if not text or text.casefold().startswith(_CONTINUES):
        return text
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():  # "UBND", "KHCN": an acronym keeps its case
        return text
    from tracker.reports.prose import is_name

    if is_name(text):
        return text
    return "Tiếp tục " + text[0].lower() + text[1:]


# --- candidates ----------------------------------------------------------------------------------


def _units_sentence(d: DirectiveData) -> str:
    leads = d.lead_units
    supports = d.support_units
    if not leads and not supports:
        return ""
    if not leads:
        leads, supports = supports, []
    wards = [u for u in supports if u.startswith(("Phường", "Xã", "Thị trấn"))]
    if len(wards) > 3:
        supports = [u for u in supports if u not in wards] + ["UBND các phường, xã"]
    text = f"Giao {', '.join(leads)} chủ trì"
    if supports:
        text += f", phối hợp {', '.join(supports)}"
    return text + "."


def _unfinished(d: DirectiveData) -> bool:
    return not d.status.is_done and d.status.bucket is not Bucket.WITHDRAWN


def _candidate(d: DirectiveData, before: dt.date) -> tuple[str, str] | None:
    """(kind, text) for a task or sub-task; None when nothing of it goes on."""
    if d.status.bucket is Bucket.WITHDRAWN:
        return None
    source = d.text or d.title
    if _unfinished(d):
        text = trim(source, before, finished=False)
        kind = "standing" if d.status.bucket is Bucket.NO_DEADLINE else "carried"
        return (kind, continue_wording(text)) if text else None
    text = trim(source, before, finished=True)
    return ("standing", text) if text else None


def section(data: ReportInput) -> tuple[list[Block], list[dict[str, object]]]:
    """Section II's blocks and every candidate (with the directive it comes from)."""
    before = data.period.next().first_day
    blocks = [Block(NEXT_TASKS_INTRO.format(org=data.org.org_short), key="next:intro")]
    carry: list[dict[str, object]] = []
    number = 0
    for d in visible(data.directives):
        found = _candidate(d, before)
        children = []
        for child in visible(d.children):
            child_found = _candidate(child, before)
            if child_found:
                children.append((child, child_found))
        if found is None and not children:
            continue
        kind, text = found or ("carried", continue_wording(clause(d.title)))
        units = _units_sentence(d)
        full = f"{text} {units}".strip() if units else text
        number += 1
        blocks.append(Block(f"{number}. {full}", key=f"next:{d.id}"))
        entry: dict[str, object] = {"directive_id": d.id, "number": d.number, "kind": kind,
                                    "text": full, "children": []}
        for child, (child_kind, child_text) in children:
            child_units = _units_sentence(child)
            child_full = f"{child_text} {child_units}".strip() if child_units else child_text
            blocks.append(Block(f"- {child_full}", key=f"next:{child.id}"))
            entry["children"].append({"directive_id": child.id, "number": child.number,  # type: ignore[attr-defined]
                                      "kind": child_kind, "text": child_full})
        carry.append(entry)
    return blocks, carry
