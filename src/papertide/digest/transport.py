"""Handing one message at a time to an SMTP server, with a hook before the last byte.

:class:`SmtpLink` speaks SMTP through the standard library's ``smtplib``
(plain, STARTTLS or implicit TLS, with login when configured) but sends the
DATA part itself, so that the outbox can commit "this message is leaving"
*after* the server has the whole text and *before* the final ``.`` line that
makes the server take it: see ``papertide.digest.outbox`` for why. Each
delivery ends in an :class:`Outcome` saying what the server answered and
whether the answer was lost.

:class:`LogLink` stands in when no SMTP server is configured: it writes the
text part to the log (so that a laptop install can still confirm an address).
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Literal, Protocol

from papertide.mail.smtp import SmtpConfig

OutcomeKind = Literal["accepted", "deferred", "refused", "in_doubt", "lost_lease"]
Stage = Literal["sender", "recipient", "data", "end"]
logger = logging.getLogger("papertide.mail")
_LEADING_DOT = re.compile(rb"(?m)^\.")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one message; ``stage`` says which command the answer came to."""

    kind: OutcomeKind
    code: int | None = None
    reply: str = ""
    stage: Stage = "end"
    connection_usable: bool = True

    def describe(self) -> str:
        answer = f"{self.code} {self.reply}".strip() if self.code else self.reply
        return f"{self.stage}: {answer}" if answer else self.kind


class TransportError(Exception):
    """No message can go through this connection (connect, TLS, login or sender refused)."""


class Link(Protocol):
    """One open path to a mail server."""

    def deliver(self, sender: str, recipient: str, data: bytes,
                point_of_no_return: Callable[[], bool]) -> Outcome: ...

    def close(self) -> None: ...


def classify(code: int, reply: bytes | str, stage: Stage) -> Outcome:
    """A 4xx defers (try later), a 5xx refuses; 421 also ends the connection."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    text = " ".join(text.split())[:300]
    kind: OutcomeKind = "accepted" if code < 400 else "deferred" if code < 500 else "refused"
    return Outcome(kind, code, text, stage, connection_usable=code != 421)


def dot_stuffed(data: bytes) -> bytes:
    """The DATA body without its final dot: leading dots doubled, ending in CRLF."""
    body = _LEADING_DOT.sub(b"..", data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return body if body.endswith(b"\r\n") else body + b"\r\n"


class SmtpLink:
    """One SMTP connection, opened on creation; deliver messages one at a time."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        try:
            if config.mode == "tls":
                self.client: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout,
                    context=ssl.create_default_context())
            else:
                self.client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            _no_delay(self.client)
            self.client.ehlo()
            if config.mode == "starttls":
                self.client.starttls(context=ssl.create_default_context())
                self.client.ehlo()
            if config.username:
                self.client.login(config.username, config.password)
        except smtplib.SMTPAuthenticationError as error:
            raise TransportError(f"{config.describe()} refused the user name or password "
                                 f"(smtp_username / smtp_password): {error.smtp_code}") from error
        except smtplib.SMTPResponseException as error:
            raise TransportError(f"{config.describe()} answered {error.smtp_code} "
                                 f"{_text(error.smtp_error)}") from error
        except (smtplib.SMTPException, OSError, ssl.SSLError) as error:
            raise TransportError(f"cannot reach {config.describe()}: {error}") from error

    def deliver(self, sender: str, recipient: str, data: bytes,
                point_of_no_return: Callable[[], bool]) -> Outcome:
        client = self.client
        dot_sent = False
        try:
            code, reply = client.mail(sender)
            if code != 250:
                if code >= 500 or code == 421:
                    raise TransportError(f"{self.config.describe()} refused the sender "
                                         f"{sender}: {code} {_text(reply)}")
                return self._reset(classify(code, reply, "sender"))
            code, reply = client.rcpt(recipient)
            if code not in (250, 251):
                return self._reset(classify(code, reply, "recipient"))
            client.putcmd("data")
            code, reply = client.getreply()
            if code != 354:
                return self._reset(classify(code, reply, "data"))
            client.send(dot_stuffed(data))
            if not point_of_no_return():
                self.client.close()  # hang up: a server drops a message whose end never came
                return Outcome("lost_lease", connection_usable=False)
            dot_sent = True
            client.send(b".\r\n")
            code, reply = client.getreply()
            return classify(code, reply, "end")
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self.client.close()
            if dot_sent:
                return Outcome("in_doubt", None, f"no answer after the end of the message: "
                               f"{error}", "end", connection_usable=False)
            return Outcome("deferred", None, f"connection lost: {error}", "data",
                           connection_usable=False)

    def _reset(self, outcome: Outcome) -> Outcome:
        if not outcome.connection_usable:
            self.close()
            return outcome
        try:
            self.client.rset()
        except (smtplib.SMTPException, OSError):
            self.close()
            return Outcome(outcome.kind, outcome.code, outcome.reply, outcome.stage, False)
        return outcome

    def close(self) -> None:
        try:
            self.client.quit()
        except (smtplib.SMTPException, OSError):
            self.client.close()


class LogLink:
    """No SMTP server configured: log each message's text instead of sending it."""

    def deliver(self, sender: str, recipient: str, data: bytes,
                point_of_no_return: Callable[[], bool]) -> Outcome:
        if not point_of_no_return():
            return Outcome("lost_lease", connection_usable=False)
        message = message_from_bytes(data, policy=default_policy)
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        text = body.get_content() if isinstance(body, EmailMessage) else ""
        logger.warning("no SMTP server is configured (smtp_host); mail to %s not sent:\n"
                       "Subject: %s\n\n%s", recipient, message["Subject"], text)
        return Outcome("accepted", 250, "written to the log (no smtp_host)")

    def close(self) -> None:
        return None


def _no_delay(client: smtplib.SMTP) -> None:
    """Send small writes at once: the final dot must not wait for the body's ACK (Nagle)."""
    if client.sock is not None:
        client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
