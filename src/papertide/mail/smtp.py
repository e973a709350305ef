"""Sending mail over SMTP with the standard library.

One small interface, :class:`MailSender`, so that whatever composes a
message (sign-in links now, digests later) does not care how it leaves:
:class:`SmtpSender` speaks SMTP (plain, STARTTLS or implicit TLS);
:class:`LogSender` stands in when no SMTP server is configured, writing
each message to the log so that a laptop install still works.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal, Protocol

from papertide.exceptions import MailError

SmtpMode = Literal["plain", "starttls", "tls"]
SMTP_MODES: tuple[SmtpMode, ...] = ("plain", "starttls", "tls")
DEFAULT_PORTS: dict[SmtpMode, int] = {"plain": 25, "starttls": 587, "tls": 465}
logger = logging.getLogger("papertide.mail")


class MailSender(Protocol):
    def send(self, messages: Sequence[EmailMessage]) -> None:
        """Deliver the messages (over one connection where there is one); MailError on failure."""
        ...


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    mode: SmtpMode = "starttls"
    username: str = ""
    password: str = ""
    timeout: float = 30.0

    def describe(self) -> str:
        return f"{self.host}:{self.port} ({self.mode})"


class SmtpSender:
    """Deliver messages to an SMTP server, one connection per batch."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def send(self, messages: Sequence[EmailMessage]) -> None:
        if not messages:
            return
        config = self.config
        try:
            with self._connect() as client:
                if config.mode == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if config.username:
                    client.login(config.username, config.password)
                for message in messages:
                    client.send_message(message)
        except smtplib.SMTPAuthenticationError as error:
            raise MailError(
                f"the SMTP server {config.describe()} refused the user name or password "
                f"(smtp_username / smtp_password): {error.smtp_code}"
            ) from error
        except (smtplib.SMTPException, OSError, ssl.SSLError) as error:
            raise MailError(f"cannot send mail through {config.describe()}: {error}") from error

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        if config.mode == "tls":
            return smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(config.host, config.port, timeout=config.timeout)


class LogSender:
    """No SMTP server configured: write each message (text part) to the log instead."""

    def send(self, messages: Sequence[EmailMessage]) -> None:
        for message in messages:
            body = message.get_body(("plain",))
            text = body.get_content() if isinstance(body, EmailMessage) else ""
            logger.warning("no SMTP server is configured (smtp_host); mail to %s not sent:\n"
                           "Subject: %s\n\n%s", message["To"], message["Subject"], text)
