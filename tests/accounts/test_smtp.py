"""The SMTP sender against a real server on loopback (aiosmtpd)."""

from __future__ import annotations

import logging
from email.message import EmailMessage

import pytest

from papertide.exceptions import MailError
from papertide.mail.compose import MailComposer, sender_address
from papertide.mail.smtp import LogSender, SmtpConfig, SmtpSender
from tests.helpers import FIXED_NOW
from tests.mailcatcher import free_port, html_of, smtp_server, text_of


def _message(to: str = "ada@example.org") -> EmailMessage:
    composer = MailComposer("papertide <noreply@papers.example.org>", "papertide",
                            "https://papers.example.org")
    return composer.compose(to, "Sign in to papertide", "sign_in",
                            {"email": to, "link": "https://papers.example.org/signin/confirm?"
                             "token=abc.def", "minutes": 15}, FIXED_NOW)


def test_a_message_arrives_with_a_text_and_an_html_part() -> None:
    with smtp_server() as (catcher, port):
        SmtpSender(SmtpConfig("127.0.0.1", port, "plain")).send([_message()])
        received = catcher.wait_for("ada@example.org")
    assert received["Subject"] == "Sign in to papertide"
    assert received["From"] == "papertide <noreply@papers.example.org>"
    assert received["Message-ID"] and received["Date"]
    assert "token=abc.def" in text_of(received)
    assert 'href="https://papers.example.org/signin/confirm?token=abc.def"' in html_of(received)


@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated",
                            "ignore:Requiring AUTH while not requiring TLS")
def test_it_logs_in_when_a_user_name_is_set() -> None:
    with smtp_server("mailer", "s3cret") as (catcher, port):
        SmtpSender(SmtpConfig("127.0.0.1", port, "plain", "mailer", "s3cret")).send(
            [_message(), _message("bob@example.org")])
        assert catcher.wait_for("bob@example.org")["To"] == "bob@example.org"
        with pytest.raises(MailError, match="refused the user name or password"):
            SmtpSender(SmtpConfig("127.0.0.1", port, "plain", "mailer", "wrong")).send(
                [_message()])


def test_an_unreachable_server_is_a_mail_error_naming_it() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(MailError, match=f"127.0.0.1:{port}"):
        SmtpSender(SmtpConfig("127.0.0.1", port, "plain", timeout=5)).send([_message()])


def test_without_smtp_the_message_goes_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="papertide.mail"):
        LogSender().send([_message()])
    assert "token=abc.def" in caplog.text and "ada@example.org" in caplog.text


def test_the_html_part_shows_addresses_as_text() -> None:
    composer = MailComposer("x <noreply@example.org>", "<b>site</b>", "https://example.org")
    message = composer.compose("ada@example.org", "s", "sign_in",
                               {"email": "<script>@x", "link": "https://example.org/?a=1&b=2",
                                "minutes": 15}, FIXED_NOW)
    html = html_of(message)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>site</b>" not in html


def test_the_default_sender_uses_the_site_host() -> None:
    assert sender_address("", "papertide", "papers.example.org") == \
        "papertide <noreply@papers.example.org>"
    assert sender_address("Papers <papers@example.org>", "x", "h") == "Papers <papers@example.org>"
