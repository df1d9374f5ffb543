"""The reminder policy: admin-editable, stored as one JSON value in the `setting` table."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from tracker.core import clock
from tracker.core.errors import StaleVersion, UserError, claim_version
from tracker.core.models import Setting
from tracker.extensions import db

SETTING_KEY = "reminders.policy"
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

WEEKDAYS: dict[int, str] = {
    0: "Thứ Hai",
    1: "Thứ Ba",
    2: "Thứ Tư",
    3: "Thứ Năm",
    4: "Thứ Sáu",
    5: "Thứ Bảy",
    6: "Chủ nhật",
}


@dataclass(frozen=True)
class Policy:
    """When reminders are due, in working days (DESIGN.md §5). 0 turns a step off."""

    upcoming_days: int = 3  # "sắp đến hạn" this many working days before the deadline
    on_due_day: bool = True  # "đến hạn hôm nay" on the day
    overdue_every_days: int = 3  # "quá hạn" on the first working day after, then every N
    escalate_after_days: int = 5  # leader in charge + secretariat from N working days overdue
    escalate_every_days: int = 5  # repeated every N working days (0: once)
    digest_weekday: int = 0  # weekly digest to leaders (0 = Monday)
    cutoff_day: int = 14  # the monthly report cut-off (day of month)
    cutoff_notice_days: int = 3  # remind units this many working days before the cut-off
    run_time: str = "07:30"  # when the scheduler runs the jobs (Vietnam time)

    @property
    def run_hour_minute(self) -> tuple[int, int]:
        hour, minute = self.run_time.split(":")
        return int(hour), int(minute)


# (field, Vietnamese label, minimum, maximum) for the integer settings
INT_FIELDS: list[tuple[str, str, int, int]] = [
    ("upcoming_days", "Nhắc sắp đến hạn trước (ngày làm việc)", 0, 30),
    ("overdue_every_days", "Nhắc quá hạn lặp lại sau mỗi (ngày làm việc)", 1, 30),
    ("escalate_after_days", "Báo cáo vượt cấp khi quá hạn từ (ngày làm việc)", 0, 60),
    ("escalate_every_days", "Lặp lại báo cáo vượt cấp sau mỗi (ngày làm việc)", 0, 60),
    ("digest_weekday", "Ngày gửi bản tổng hợp tuần", 0, 6),
    ("cutoff_day", "Ngày chốt số liệu báo cáo tháng", 1, 28),
    ("cutoff_notice_days", "Nhắc cập nhật trước ngày chốt (ngày làm việc)", 1, 15),
]


class PolicyError(UserError):
    """Invalid settings; `errors` maps each field to a Vietnamese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def default_policy(run_time: str | None = None) -> Policy:
    """The built-in defaults; the run time comes from REMINDER_TIME when given."""
    if run_time and _TIME.match(run_time):
        return Policy(run_time=run_time)
    return Policy()


def validate(data: dict[str, Any], base: Policy | None = None) -> Policy:
    """A Policy from raw values (form or JSON), or PolicyError with Vietnamese messages."""
    base = base or Policy()
    values: dict[str, Any] = dataclasses.asdict(base)
    errors: dict[str, str] = {}
    for name, label, low, high in INT_FIELDS:
        if name not in data:
            continue
        raw = data[name]
        try:
            number = int(str(raw).strip())
        except (TypeError, ValueError):
            errors[name] = f"{label}: vui lòng nhập một số nguyên."
            continue
        if not low <= number <= high:
            errors[name] = f"{label}: giá trị phải từ {low} đến {high}."
            continue
        values[name] = number
    if "on_due_day" in data:
        raw = data["on_due_day"]
        values["on_due_day"] = raw is True or str(raw).lower() in {"1", "true", "y", "on", "yes"}
    if "run_time" in data:
        text = str(data["run_time"] or "").strip()
        if not _TIME.match(text):
            errors["run_time"] = "Giờ chạy: vui lòng nhập theo dạng HH:MM, ví dụ 07:30."
        else:
            values["run_time"] = text
    if errors:
        raise PolicyError(errors)
    return Policy(**values)


def load_policy(default_run_time: str | None = None) -> Policy:
    """The stored policy over the defaults; unknown or broken values fall back to defaults."""
    base = default_policy(default_run_time)
    row = db.session.get(Setting, SETTING_KEY)
    if row is None or not isinstance(row.value, dict):
        return base
    known = {f.name for f in dataclasses.fields(Policy)}
    try:
        return validate({k: v for k, v in row.value.items() if k in known}, base)
    except PolicyError:
        return base


STALE_POLICY = (
    "Chính sách nhắc việc vừa được người khác thay đổi sau khi bạn mở trang. Thay đổi của bạn "
    "chưa được lưu; hãy tải lại trang, xem chính sách hiện tại rồi sửa lại."
)


def policy_version() -> int:
    """The version the settings form shows (0 while nothing was ever saved)."""
    row = db.session.get(Setting, SETTING_KEY)
    return row.version if row is not None else 0


def save_policy(policy: Policy, expected_version: int | None = None) -> Setting:
    """Store the policy (the unit of work commits); ``expected_version``: what the form showed
    (a stale form is a 409; 0 when it showed the defaults, nothing stored yet)."""
    row = db.session.get(Setting, SETTING_KEY)
    if row is not None and expected_version is not None:
        claim_version(row, expected_version, message=STALE_POLICY)
    elif row is None and expected_version:
        raise StaleVersion(STALE_POLICY)
    if row is None:
        row = Setting(key=SETTING_KEY)
        db.session.add(row)
    row.value = dataclasses.asdict(policy)
    row.updated_at = clock.now()
    db.session.flush()
    return row

