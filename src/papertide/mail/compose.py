"""Building multipart (text + HTML) messages from templates in ``mail/templates``.

Templates come in pairs, ``NAME.txt`` and ``NAME.html``; the HTML one is
autoescaped, so values from people (titles, addresses) are shown as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from papertide.exceptions import ConfigError
from papertide.templates import template_environment

TEMPLATE_DIR = Path(__file__).parent / "templates"


class MailComposer:
    """Renders mail templates with a fixed sender and site name."""

    def __init__(self, sender: str, site_name: str, site_url: str) -> None:
        self.sender = sender
        self.site_name = site_name
        self.site_url = site_url
        self.environment = template_environment(TEMPLATE_DIR, keep_trailing_newline=True)

    def compose(
        self, to: str, subject: str, template: str, context: Mapping[str, Any], now: dt.datetime
    ) -> EmailMessage:
        values = {"site_name": self.site_name, "site_url": self.site_url, **context}
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self.sender
        message["To"] = to
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain=_domain_of(self.sender))
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(self.environment.get_template(f"{template}.txt").render(values))
        message.add_alternative(
            self.environment.get_template(f"{template}.html").render(values), subtype="html"
        )
        return message


def sender_address(configured: str, site_name: str, host: str) -> str:
    """The From header: the configured one, or ``site name <noreply@host>``."""
    if configured:
        _, address = parseaddr(configured)
        if "@" not in address:
            raise ConfigError(f"mail_from must be an address like papers@example.org, "
                              f"got {configured!r}")
        return configured
    domain = host if "." in host else f"{host or 'localhost'}.localdomain"
    return str(Address(display_name=site_name, username="noreply", domain=domain))


def _domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"
