"""Forms: the reminder policy (admin) and a user's own notification preference.

Values are checked by tracker.reminders.policy.validate, which gives the Vietnamese messages;
the fields themselves accept any text so WTForms' English messages never reach a user.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from tracker.auth.models import EVENT_MAIL_MODES, NOTIFY_MODES
from tracker.reminders.policy import INT_FIELDS, WEEKDAYS

_LABELS = {name: label for name, label, _low, _high in INT_FIELDS}


class PolicyForm(FlaskForm):
    upcoming_days = StringField(
        _LABELS["upcoming_days"], description="0: không gửi nhắc sắp đến hạn."
    )
    on_due_day = BooleanField("Nhắc vào đúng ngày đến hạn")
    overdue_every_days = StringField(
        _LABELS["overdue_every_days"],
        description="Nhắc quá hạn lần đầu vào ngày làm việc đầu tiên sau thời hạn.",
    )
    escalate_after_days = StringField(
        _LABELS["escalate_after_days"],
        description=(
            "Gửi thêm lãnh đạo phụ trách và Văn phòng HĐND-UBND. 0: không báo cáo vượt cấp."
        ),
    )
    escalate_every_days = StringField(
        _LABELS["escalate_every_days"], description="0: chỉ báo cáo vượt cấp một lần."
    )
    digest_weekday = SelectField(
        _LABELS["digest_weekday"],
        choices=[SelectChoice(str(k), v) for k, v in WEEKDAYS.items()],
        validate_choice=False,
        description="Nếu là ngày nghỉ, bản tổng hợp gửi vào ngày làm việc kế tiếp.",
    )
    cutoff_day = StringField(_LABELS["cutoff_day"], description="Từ 1 đến 28.")
    cutoff_notice_days = StringField(_LABELS["cutoff_notice_days"])
    run_time = StringField(
        "Giờ chạy hằng ngày (giờ Việt Nam)",
        description="Dạng HH:MM. Tiến trình lập lịch tự áp dụng giờ mới trong vòng 10 phút.",
    )

    FIELDS = (
        "upcoming_days", "on_due_day", "overdue_every_days", "escalate_after_days",
        "escalate_every_days", "digest_weekday", "cutoff_day", "cutoff_notice_days", "run_time",
    )


class PreferencesForm(FlaskForm):
    notify_mode = RadioField(
        "Cách nhận e-mail nhắc việc", choices=[SelectChoice(k, v) for k, v in NOTIFY_MODES.items()],
        validate_choice=False,
    )
    event_mail = RadioField(
        "Cách nhận e-mail thông báo",
        choices=[SelectChoice(k, v) for k, v in EVENT_MAIL_MODES.items()],
        validate_choice=False,
    )
