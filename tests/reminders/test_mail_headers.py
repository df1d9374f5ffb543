"""Display names in To and From can never become addresses (issue 16, item 6).

Python folds a long plain-ASCII display name without the quotes that protected it: a full name of
80 letters followed by `<x@evil.example>` used to produce a To header that reads back as
x@evil.example. Every header here is parsed back with the standard parser (policy default)."""

from __future__ import annotations

import datetime as dt
from email.parser import BytesParser
from email.policy import default as default_policy

import pytest
import sqlalchemy as sa

from tests.reminders.smtp import Recorder, smtp_server
from tracker.auth.models import User
from tracker.extensions import db
from tracker.reminders import mail
from tracker.reminders.jobs import run_day
from tracker.reminders.models import QUEUED, OutboxMessage
from tracker.reminders.services import Composed, Plan, Recipient, queue
from tracker.units.models import Unit

DAY = dt.date(2023, 4, 3)
EVIL = "A" * 80 + " <x@evil.example>"
GOOD = "gddt@travinh.example.vn"


def _parsed(row: OutboxMessage, mail_from: str = "Nhắc việc UBND <nhacviec@travinh.example.vn>"):
    raw = mail.build_message(row, mail_from).as_bytes()
    return BytesParser(policy=default_policy).parsebytes(raw)


def _row(name: str, recipient: str = GOOD) -> OutboxMessage:
    return OutboxMessage(recipient=recipient, recipient_name=name, subject="Nhắc việc",
                         text_body="t", html_body="<p>h</p>", id=7,
                         created_at=dt.datetime(2023, 4, 3, 0, 30))


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        (EVIL, "A" * 80 + " x evil.example"),
        ("A" * 80 + ", Pho Chu tich <x@evil.example>", "A" * 80 + " Pho Chu tich x evil.example"),
        ("A" * 80 + ": x@evil.example;", "A" * 80 + " x evil.example"),  # would be a group
        ('"' + "B" * 90 + '" <x@evil.example>', "B" * 90 + " x evil.example"),
        ("Phòng A\r\nBcc: x@evil.example", "Phòng A Bcc x evil.example"),
        ("Nguyễn Văn A <x@evil.example>, Phó Chủ tịch " * 2,
         "Nguyễn Văn A x evil.example Phó Chủ tịch Nguyễn Văn A x evil.example Phó Chủ tịch"),
        ("TS. Tran Van A " * 6, ("TS. Tran Van A " * 6).strip()),
        ("Phòng Giáo dục và Đào tạo", "Phòng Giáo dục và Đào tạo"),
        ("", ""),
    ],
)
def test_the_to_header_reads_back_as_exactly_the_recipient(name, shown):
    message = _parsed(_row(name))
    (address,) = message["To"].addresses
    assert address.addr_spec == GOOD
    # Python's parser adds a space where a long name was split between two encoded words.
    assert "".join(address.display_name.split()) == "".join(shown.split())


def test_the_from_header_is_one_address_whatever_mail_from_says():
    long_from = "C" * 85 + " <nhacviec@travinh.example.vn>"
    message = _parsed(_row("Phòng A"), long_from)
    (address,) = message["From"].addresses
    assert address.addr_spec == "nhacviec@travinh.example.vn"
    assert address.display_name == "C" * 85
    message = _parsed(_row("Phòng A"), "nhacviec@travinh.example.vn")
    assert message["From"].addresses[0].addr_spec == "nhacviec@travinh.example.vn"


@pytest.mark.parametrize(
    "mail_from",
    [
        "a@travinh.example.vn, b@evil.example",
        "Nhắc việc <a@travinh.example.vn>\r\nBcc: b@evil.example",
        "Nhắc việc",
        "",
    ],
)
def test_a_bad_mail_from_sends_nothing_and_keeps_the_queue(app, mail_from):
    plan = Plan(DAY)
    plan.messages.append(Composed("reminder", Recipient(GOOD, "Phòng A"), "s", "t", "<p>h</p>",
                                  "test:bad-from"))
    (row,) = queue(plan)
    db.session.commit()
    recorder = Recorder()
    with smtp_server(recorder) as port:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, MAIL_FROM=mail_from)
        result = mail.deliver_outbox()
    assert (result.sent, result.failed, result.waiting) == (0, 0, 1)
    assert recorder.take() == []
    db.session.refresh(row)
    assert row.status == QUEUED and row.attempts == 0


def test_users_and_units_named_like_addresses_get_their_own_mail(demo):
    """End to end through a real SMTP server: every user and unit carries the hostile name, and
    every message's To header still names exactly the envelope recipient."""
    for user in db.session.scalars(sa.select(User)):
        user.full_name = EVIL
    for unit in db.session.scalars(sa.select(Unit)):
        unit.name = "A" * 80 + ", <y@evil.example>"
    db.session.commit()
    recorder = Recorder()
    with smtp_server(recorder) as port:
        demo.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        run_day(DAY)
    received = recorder.take()
    assert received
    for got in received:
        (address,) = got.message["To"].addresses
        assert [address.addr_spec] == got.rcpt_tos
        assert "evil.example" not in address.addr_spec
