"""At the SMTP boundary a reminder is delivered at least once (issue 16, item 8): a sender killed
after the server stored the message and before the row was marked sent leaves the row
"sending"; after the stale-claim time (5 minutes) it is sent again, with the same Message-ID, so
receivers can de-duplicate. A real SMTP server (aiosmtpd) and a real process, killed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.reminders.smtp import Recorder, smtp_server
from tests.reminders.test_delivery import later, queue_one
from tracker.extensions import db
from tracker.reminders import mail
from tracker.reminders.models import QUEUED, SENDING, SENT, OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
SECRET = "bi-mat-cua-may-chu-that"


class KillsTheSender(Recorder):
    """Stores the message, then kills the sending process before answering 250."""

    def __init__(self) -> None:
        super().__init__()
        self.victim: subprocess.Popen | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        answer = await super().handle_DATA(server, session, envelope)
        if self.victim is not None and self.victim.poll() is None:
            self.victim.kill()
            self.victim.wait(timeout=30)
        return answer


def test_a_sender_killed_after_the_server_stored_the_message(app, database_url, tmp_path):
    row = queue_one()
    app.config.update(SECRET_KEY=SECRET)
    recorder = KillsTheSender()
    with smtp_server(recorder) as port:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET,
            "TRACKER_INSTANCE_DIR": str(tmp_path),
            "OUTBOX_DIR": str(tmp_path / "outbox"),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
        }
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "deliver"]
        recorder.victim = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, text=True)
        output = recorder.victim.communicate(timeout=120)[0]
        assert recorder.victim.returncode == -9, output  # SIGKILL, mid-conversation
        recorder.victim = None
        (first,) = recorder.take()

        db.session.expire_all()
        db.session.refresh(row)
        assert (row.status, row.attempts) == (SENDING, 1)
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        assert mail.deliver_outbox(now=later(4)).sent == 0  # the sender may still be alive
        assert mail.deliver_outbox(now=later(6)).sent == 1  # it is not: at least once
        (second,) = recorder.take()
    db.session.refresh(row)
    assert (row.status, row.attempts) == (SENT, 2)
    assert first.message["Message-ID"] == second.message["Message-ID"] == row.message_id
    assert row.message_id == mail.stable_message_id(
        row, "travinh.example.vn", mail.instance_tag(SECRET)
    )
    assert first.text() == second.text() and first.to == second.to


def test_the_message_id_is_derived_not_random(app):
    """Even if the first attempt could not store its Message-ID, the next builds the same one;
    another row, or another instance, gets another one."""
    one, two = queue_one(subject="Một"), queue_one(subject="Hai")
    mail_from = app.config["MAIL_FROM"]
    tag = mail.instance_tag(app.config["SECRET_KEY"])
    first = mail.build_message(one, mail_from, tag)["Message-ID"]
    assert first == mail.build_message(one, mail_from, tag)["Message-ID"]
    assert first.startswith(f"<nhacviec.{one.id}.") and first.endswith("@travinh.example.vn>")
    assert first != mail.build_message(two, mail_from, tag)["Message-ID"]
    other = mail.instance_tag("khoa-cua-may-thu-nghiem")
    assert first != mail.build_message(one, mail_from, other)["Message-ID"]


def test_the_stale_claim_time_is_configurable_and_floored(app):
    assert mail.stale_claim() == dt.timedelta(minutes=5)
    app.config["OUTBOX_STALE_CLAIM_MINUTES"] = 2
    assert mail.stale_claim() == dt.timedelta(minutes=2)
    app.config.update(OUTBOX_STALE_CLAIM_MINUTES=0.1, SMTP_TIMEOUT=30)
    assert mail.stale_claim() == dt.timedelta(seconds=90)  # three SMTP timeouts at least


def test_a_claim_is_dated_when_taken_not_when_the_batch_began(app):
    row = queue_one()
    long_ago = mail.utcnow() - dt.timedelta(hours=1)
    assert mail.claim(row.id, long_ago)
    db.session.refresh(row)
    assert row.claimed_at > mail.utcnow() - dt.timedelta(minutes=1)
    assert mail.release_stale_claims(mail.utcnow()) == 0
    assert db.session.scalar(sa.select(OutboxMessage.status)) == SENDING
    assert mail.release_stale_claims(later(6)) == 1
    assert db.session.scalar(sa.select(OutboxMessage.status)) == QUEUED
