"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

Used by the sign-in tests: papertide sends through its SMTP settings and the
test reads the message (and follows the link in it) like a person would.
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.helpers import free_port

LINK = re.compile(r"https?://\S+/signin/confirm\?token=[\w.%=-]+")


class MailCatcher:
    """Collects the messages; ``wait_for`` blocks until one for an address arrives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self._arrived:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10) -> EmailMessage:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len([m for m in self.messages if m["To"] == address]) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"no mail to {address} arrived within {timeout} s"
                self._arrived.wait(left)
            return [m for m in self.messages if m["To"] == address][count - 1]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    found = LINK.search(text_of(message))
    assert found, "the message has no sign-in link"
    return found.group()


@contextmanager
def smtp_server(username: str | None = None, password: str | None = None
                ) -> Iterator[tuple[MailCatcher, int]]:
    """A running server: ``(catcher, port)``; with a user name, AUTH is required."""
    catcher = MailCatcher()

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = auth_data.login == (username or "").encode() and \
            auth_data.password == (password or "").encode()
        return AuthResult(success=ok, handled=False)

    options: dict[str, Any] = {}
    if username is not None:
        options = {"authenticator": authenticate, "auth_require_tls": False,
                   "auth_required": True}
    controller = Controller(catcher, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield catcher, controller.port
    finally:
        controller.stop()
