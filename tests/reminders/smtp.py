"""A real SMTP server on loopback (aiosmtpd) that records what it receives."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def to(self) -> str:
        return self.rcpt_tos[0]

    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


class Recorder:
    """aiosmtpd handler: accepts and records every message, or answers with `reply(envelope)`."""

    def __init__(self, reply: Callable[[object], str | None] | None = None) -> None:
        self.received: list[Received] = []
        self.reply = reply
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        answer = self.reply(envelope) if self.reply else None
        if answer:
            return answer
        message = message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def take(self) -> list[Received]:
        """What arrived since the last call."""
        with self.lock:
            items, self.received = self.received, []
        return items


@contextlib.contextmanager
def smtp_server(handler: Recorder, port: int | None = None) -> Iterator[int]:
    """Run the handler on 127.0.0.1:port (a free port by default); yields the port."""
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
