"""Deliver the outbox: claim a row, send it, mark it, each in its own short transaction.

No transaction is ever open while talking to the SMTP server. 4xx replies and connection errors
are retried with backoff (`next_attempt_at`); a 5xx reply is permanent and marks the message
failed. Without SMTP_HOST each message is written as an .eml file under OUTBOX_DIR instead.

Exactly once in the outbox, at least once at the SMTP boundary: if the sender dies after the
server accepted a message and before the row is marked sent, the row is still "sending"; after
OUTBOX_STALE_CLAIM_MINUTES (5 by default) it goes back to the queue and is sent again. That
second copy carries the same Message-ID (derived from the row, see ``stable_message_id``), so
receiving servers and mail clients that de-duplicate by Message-ID show it once.

Outbox timestamps are operational: they use the real UTC clock even when "today" is frozen for a
demo, so retries and backoff keep working.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
import re
import smtplib
import ssl
from collections.abc import Collection
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy
from email.utils import format_datetime, getaddresses
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from tracker.core import clock
from tracker.extensions import db
from tracker.reminders.models import FAILED, QUEUED, SENDING, SENT, OutboxMessage

log = logging.getLogger("tracker.reminders")

# Minutes to wait after the 1st, 2nd, ... failed attempt; after the last one the message fails.
BACKOFF_MINUTES = (1, 5, 15, 60, 180)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
# A row left in "sending" longer than this (a crashed process) goes back to the queue; the
# setting OUTBOX_STALE_CLAIM_MINUTES overrides it, never below a few SMTP timeouts.
STALE_CLAIM = dt.timedelta(minutes=5)

_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$"
)
_LINE_BREAKS = re.compile(r"[\r\n\x00\u2028\u2029\x85\x0b\x0c]+")
# Address syntax (RFC 5322 specials but the dot) and control characters, out of display names.
_NOT_IN_NAMES = re.compile(r'[()<>\[\]:;@\\,"\x00-\x1f\x7f-\x9f\u2028\u2029]')
MAX_DISPLAY_NAME = 120


def utcnow() -> dt.datetime:
    """Naive UTC now, from the real clock (see the module docstring)."""
    return clock.real_now()


def clean_header(value: str | None) -> str:
    """A value safe for a header: CR, LF and other line breaks become a space."""
    return _LINE_BREAKS.sub(" ", value or "").strip()


def clean_address(value: str | None) -> str | None:
    """The address when it is one plain addr-spec, else None (a CR/LF or a second address is
    refused outright, not repaired, so no header can be smuggled in through an e-mail field)."""
    text = (value or "").strip()
    if not text or len(text) > 200 or not _ADDRESS.match(text):
        return None
    return text


def display_name(value: str | None) -> str:
    """A display name that can only ever be read as a name.

    Python's e-mail package folds a long plain-ASCII display name over several lines WITHOUT
    the quotes that protected it, so a user whose full name is ``AAAA…(80) <x@evil.example>``
    (or holds a comma or a colon) would turn the To header into another address, or a group.
    Rather than refuse such a person their mail, the characters that mean address syntax
    (``( ) < > [ ] : ; @ \\ , "``) and control characters become spaces; the dot stays
    (``TS. Nguyễn Văn A``). Names with Vietnamese letters go out as encoded words anyway.
    """
    text = " ".join(_NOT_IN_NAMES.sub(" ", value or "").split())
    return text[:MAX_DISPLAY_NAME].strip()


class HeaderInjectionError(ValueError):
    """A header value tried to carry a line break or a second address."""


class SenderError(ValueError):
    """MAIL_FROM is not one plain address (with an optional display name)."""


def sender_address(mail_from: str | None) -> Address:
    """MAIL_FROM as one Address: exactly one valid addr-spec, its display name sanitised."""
    text = mail_from or ""
    if _LINE_BREAKS.search(text):
        raise SenderError("MAIL_FROM contains a line break")
    pairs = getaddresses([text])
    if len(pairs) != 1:
        raise SenderError(f"MAIL_FROM must hold exactly one address: {text!r}")
    name, addr = pairs[0]
    address = clean_address(addr)
    if address is None:
        raise SenderError(f"MAIL_FROM has no valid address: {text!r}")
    local, domain = address.rsplit("@", 1)
    return Address(display_name=display_name(name), username=local, domain=domain)


def stable_message_id(row: OutboxMessage, domain: str, instance: str = "") -> str:
    """The row's Message-ID: the same on every attempt, different for every row and instance.

    Built from the row id and its creation time (ids can repeat after a restore of an older
    backup; the time does not), a tag of the instance (``instance_tag()``, so a test and a
    production instance sending from one domain never share ids), and the sender's domain.
    """
    created = row.created_at.strftime("%Y%m%d%H%M%S%f") if row.created_at else "0"
    tag = f".{instance}" if instance else ""
    return f"<nhacviec.{row.id}.{created}{tag}@{domain}>"


def instance_tag(secret_key: str | bytes) -> str:
    """Ten hex digits of an HMAC of the instance's SECRET_KEY (which it does not reveal)."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, b"tracker-message-id", hashlib.sha256).hexdigest()[:10]


class _WholeWordsPolicy(EmailPolicy):
    """SMTP's policy, but Vietnamese subjects and names are folded without losing a space.

    CPython 3.11 folds a long non-ASCII header into encoded words that drop or add a space at
    the fold: "đề nghị gia hạn" arrives as "giahạn", a name "Xã hội" as "Xã h ội". Such a
    Subject, and the display names of From/To, are folded by the older ``email.header.Header``
    encoder instead, which keeps every character (each encoded word under 76 characters).
    """

    def _whole_words(self, name: str, value: object) -> str | None:
        text = str(value)
        if text.isascii():
            return None
        if name.lower() == "subject":
            folded = Header(text, "utf-8", header_name=name).encode(linesep=self.linesep)
        elif hasattr(value, "addresses"):
            parts = []
            for address in value.addresses:  # type: ignore[attr-defined]
                if address.display_name and not address.display_name.isascii():
                    encoded = Header(address.display_name, "utf-8", header_name=name).encode(
                        linesep=self.linesep)
                    parts.append(f"{encoded} <{address.addr_spec}>")
                else:
                    parts.append(str(address))
            folded = ", ".join(parts)
        else:
            return None
        return f"{name}: {folded}{self.linesep}"

    def fold(self, name: str, value: str) -> str:
        return self._whole_words(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        folded = self._whole_words(name, value)
        return folded.encode("ascii") if folded else super().fold_binary(name, value)


MAIL_POLICY = _WholeWordsPolicy(
    linesep=SMTP.linesep, max_line_length=SMTP.max_line_length, utf8=SMTP.utf8,
    raise_on_defect=SMTP.raise_on_defect, mangle_from_=SMTP.mangle_from_,
    cte_type=SMTP.cte_type,
)


def build_message(row: OutboxMessage, mail_from: str, instance: str = "") -> EmailMessage:
    """The MIME message (text + HTML alternative) for an outbox row."""
    address = clean_address(row.recipient)
    if address is None:
        raise HeaderInjectionError(f"invalid recipient {row.recipient!r}")
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = sender_address(mail_from)
    local, domain = address.rsplit("@", 1)
    msg["To"] = Address(display_name=display_name(row.recipient_name), username=local,
                        domain=domain)
    msg["Subject"] = clean_header(row.subject)
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = row.message_id or stable_message_id(
        row, _sender_domain(mail_from), instance
    )
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.text_body)
    msg.add_alternative(row.html_body, subtype="html")
    return msg


def _sender_domain(mail_from: str) -> str:
    try:
        return sender_address(mail_from).domain
    except SenderError:
        return "localhost"


def _envelope_from(mail_from: str) -> str:
    return sender_address(mail_from).addr_spec


# ---------------------------------------------------------------- SMTP


class TemporarySendError(Exception):
    """Retry later: a 4xx reply, a dropped connection, a timeout."""


class ServerUnavailableError(TemporarySendError):
    """The server cannot be reached (refused, timed out, dropped): the rest of the batch waits."""


class PermanentSendError(Exception):
    """Do not retry: a 5xx reply, or a message that cannot be built."""


class SmtpSender:
    """One SMTP connection reused for a batch; reconnects after an error."""

    def __init__(self, config: dict) -> None:
        self.host = config["SMTP_HOST"]
        self.port = int(config.get("SMTP_PORT") or 25)
        self.timeout = float(config.get("SMTP_TIMEOUT") or 20)
        self.use_ssl = bool(config.get("SMTP_SSL"))
        self.starttls = bool(config.get("SMTP_STARTTLS"))
        self.user = config.get("SMTP_USER") or ""
        self.password = config.get("SMTP_PASSWORD") or ""
        self.conn: smtplib.SMTP | None = None
        self._context: ssl.SSLContext | None = None

    def _tls(self) -> ssl.SSLContext:
        if self._context is None:  # loading the CA store is slow: once per batch, when needed
            self._context = ssl.create_default_context()
        return self._context

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._tls()
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                conn.starttls(context=self._tls())
        if self.user:
            conn.login(self.user, self.password)
        return conn

    def send(self, msg: EmailMessage, envelope_from: str, recipient: str) -> None:
        try:
            if self.conn is None:
                self.conn = self._connect()
            refused = self.conn.send_message(msg, from_addr=envelope_from, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            self.reset()
            code, text = next(iter(exc.recipients.values()), (0, b""))
            raise _classify(code, text) from exc
        except smtplib.SMTPResponseException as exc:
            self.reset()
            raise _classify(exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.reset()
            raise ServerUnavailableError(f"{type(exc).__name__}: {exc}") from exc
        except smtplib.SMTPException as exc:
            self.reset()
            raise TemporarySendError(f"{type(exc).__name__}: {exc}") from exc
        if refused:
            code, text = next(iter(refused.values()))
            raise _classify(code, text)

    def reset(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()

    def close(self) -> None:
        self.reset()


def _classify(code: int, text: bytes | str) -> Exception:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    detail = f"{code} {message}".strip()
    if 500 <= code < 600:
        return PermanentSendError(detail)
    return TemporarySendError(detail)


# ---------------------------------------------------------------- .eml files


def write_eml(msg: EmailMessage, row_id: int, outbox_dir: Path) -> Path:
    """Write the message as <OUTBOX_DIR>/<id>.eml atomically (temp file, then rename)."""
    outbox_dir.mkdir(parents=True, exist_ok=True)
    target = outbox_dir / f"{row_id:06d}.eml"
    temp = outbox_dir / f".{row_id:06d}.{os.getpid()}.tmp"
    temp.write_bytes(msg.as_bytes())
    temp.replace(target)
    return target


# ---------------------------------------------------------------- the delivery loop


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    waiting: int = 0  # left queued, untried, because the server was unreachable

    def __str__(self) -> str:
        text = f"đã gửi {self.sent}, hẹn gửi lại {self.retried}, lỗi {self.failed}"
        if self.waiting:
            text += f", {self.waiting} thư chờ máy chủ thư hoạt động lại"
        return text


def stale_claim(config: dict | None = None) -> dt.timedelta:
    """How long a row may stay "sending" before it counts as abandoned by a crashed sender.

    Never shorter than three SMTP timeouts: a slow but living sender must finish first."""
    config = config if config is not None else current_app.config
    minutes = config.get("OUTBOX_STALE_CLAIM_MINUTES")
    wanted = dt.timedelta(minutes=float(minutes)) if minutes else STALE_CLAIM
    floor = dt.timedelta(seconds=3 * float(config.get("SMTP_TIMEOUT") or 20))
    return max(wanted, floor)


def release_stale_claims(now: dt.datetime) -> int:
    """Put back rows a crashed process left in "sending" (its own short transaction)."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - stale_claim())
        .values(status=QUEUED, next_attempt_at=now)
    )
    db.session.commit()
    return result.rowcount or 0


def claim(message_id: int, now: dt.datetime) -> bool:
    """queued -> sending with a conditional UPDATE: of two processes only one gets the row.

    The claim time is when the row is claimed, not when the batch started (a long batch must not
    look abandoned halfway through)."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == QUEUED)
        .values(status=SENDING, claimed_at=max(now, utcnow()),
                attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(message_id: int, **values: object) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING)
        .values(**values)
    )
    db.session.commit()


def _due_ids(now: dt.datetime, limit: int, only: Collection[int] | None = None) -> list[int]:
    query = (
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if only is not None:
        query = query.where(OutboxMessage.id.in_(list(only)))
    ids = list(db.session.scalars(query))
    db.session.commit()
    return ids


def _temporary_failure(
    message_id: int, attempts: int, exc: Exception, now: dt.datetime, result: DeliveryResult
) -> None:
    """Retry later with backoff, or fail for good after the last attempt."""
    if attempts >= MAX_ATTEMPTS:
        _finish(message_id, status=FAILED, last_error=str(exc)[:2000])
        log.warning("outbox %s failed after %s attempts: %s", message_id, attempts, exc)
        result.failed += 1
        return
    wait = dt.timedelta(minutes=BACKOFF_MINUTES[attempts - 1])
    _finish(message_id, status=QUEUED, next_attempt_at=now + wait, last_error=str(exc)[:2000])
    log.info("outbox %s deferred %s: %s", message_id, wait, exc)
    result.retried += 1


def _send_one(
    message_id: int, sender: SmtpSender | None, envelope: tuple[str, str, str],
    now: dt.datetime, result: DeliveryResult,
) -> bool:
    """Claim, build, send (or write .eml) and mark one message; False when the server is down
    and the rest should wait for the next run."""
    mail_from, envelope_from, instance = envelope
    if not claim(message_id, now):
        return True  # another process took it
    row = db.session.get(OutboxMessage, message_id)
    assert row is not None  # just claimed it
    attempts = row.attempts
    try:
        msg = build_message(row, mail_from, instance)
        if row.message_id is None:
            row.message_id = str(msg["Message-ID"])
        recipient = row.recipient
        db.session.commit()  # end the read before any network I/O
        eml_path = None
        if sender is None:
            eml_path = str(write_eml(msg, message_id, Path(current_app.config["OUTBOX_DIR"])))
        else:
            sender.send(msg, envelope_from, recipient)
    except (PermanentSendError, HeaderInjectionError, ValueError) as exc:
        db.session.rollback()
        _finish(message_id, status=FAILED, last_error=str(exc)[:2000])
        log.warning("outbox %s failed permanently: %s", message_id, exc)
        result.failed += 1
        return True
    except (TemporarySendError, OSError) as exc:
        db.session.rollback()
        _temporary_failure(message_id, attempts, exc, now, result)
        return not isinstance(exc, ServerUnavailableError | OSError)
    _finish(message_id, status=SENT, sent_at=utcnow(), eml_path=eml_path, last_error=None)
    result.sent += 1
    return True


def deliver_outbox(
    now: dt.datetime | None = None,
    limit: int = 500,
    *,
    only: Collection[int] | None = None,
    smtp_timeout: float | None = None,
) -> DeliveryResult:
    """Send every queued message whose time has come. Never raises for a mail problem.

    ``only`` limits the run to these rows (an action's own notices, sent right after its
    commit) and ``smtp_timeout`` shortens SMTP_TIMEOUT for such a run; the scheduler's run
    takes everything with the configured timeout.

    The one place besides the unit of work (tracker/core/uow.py) that commits: each message is
    claimed, sent and marked in its own short transaction, none open while talking to SMTP.
    """
    now = now or utcnow()
    config = current_app.config
    result = DeliveryResult()
    db.session.commit()  # start from a clean slate: no transaction of the caller stays open
    release_stale_claims(now)
    ids = _due_ids(now, limit, only)
    if not ids:
        return result
    mail_from = config.get("MAIL_FROM", "")
    try:
        envelope_from = _envelope_from(mail_from)
    except SenderError as exc:
        # A setting to fix, not a problem of any message: everything stays queued untouched.
        log.error("outbox not delivered: %s", exc)
        result.waiting = len(ids)
        return result
    envelope = (mail_from, envelope_from, instance_tag(config["SECRET_KEY"]))
    if smtp_timeout is not None:
        config = {**config, "SMTP_TIMEOUT": min(smtp_timeout, float(config.get("SMTP_TIMEOUT")
                                                                   or smtp_timeout))}
    sender = SmtpSender(config) if config.get("SMTP_HOST") else None
    try:
        for index, message_id in enumerate(ids):
            if not _send_one(message_id, sender, envelope, now, result):
                # The server is down: the rest stays queued for the next run untouched.
                result.waiting = len(ids) - index - 1
                log.warning("mail server unavailable; %s messages wait", result.waiting)
                break
    finally:
        if sender is not None:
            sender.close()
    if result.sent or result.retried or result.failed:
        log.info("outbox: %s", result)
    return result


def requeue(row: OutboxMessage) -> None:
    """Give a failed message a fresh set of attempts (the caller commits)."""
    row.status = QUEUED
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.claimed_at = None
    db.session.flush()
