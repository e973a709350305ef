"""A real SMTP server on loopback (aiosmtpd) whose answers a test can script."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller

from tests.helpers import free_port


@dataclass(frozen=True)
class Received:
    """One message the server accepted, as it arrived."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        return parsed


class Mailbox:
    """The handler: records accepted messages; answers what the test queued first.

    ``data_replies`` are given, in order, to the next DATA ends instead of 250;
    ``rcpt_replies`` refuse given recipients; ``on_data`` / ``on_rcpt`` run when
    a message ends / a recipient is named (a test kills a process there).
    """

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.data_replies: deque[str] = deque()
        self.rcpt_replies: dict[str, str] = {}
        self.on_data: Callable[[Received], None] | None = None
        self.on_rcpt: Callable[[str], None] | None = None
        self.data_delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if self.on_rcpt is not None:
            self.on_rcpt(address)
        reply = self.rcpt_replies.get(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_delay:
            time.sleep(self.data_delay)
        with self.lock:
            if self.data_replies:
                return self.data_replies.popleft()
            received = Received(envelope.mail_from, tuple(envelope.rcpt_tos),
                                bytes(envelope.original_content or envelope.content))
            self.received.append(received)
        if self.on_data is not None:
            self.on_data(received)
        return "250 2.0.0 Ok: queued"

    def to(self, address: str) -> list[Received]:
        return [item for item in self.received if address in item.recipients]


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()
