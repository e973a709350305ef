"""``papertide digest ...`` in a real process."""

from __future__ import annotations

import datetime as dt
import email
import os
import subprocess
import sys
from email.policy import default as default_policy
from pathlib import Path

import pytest

from papertide.app import open_app
from papertide.subscriptions.models import Preferences
from tests.helpers import data_dir_environment, make_record, make_settings

ENVIRONMENT = {"PAPERTIDE_SCHEDULE_TIMEZONE": "UTC", "PAPERTIDE_DIGEST_HOUR": "0",
               "PAPERTIDE_BASE_URL": "https://papers.example.org",
               "PAPERTIDE_SEARCH_MODE": "keyword"}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A database with today's papers and one confirmed subscriber (real clock)."""
    folder = tmp_path / "data"
    service = open_app(make_settings(folder, **{name.removeprefix("PAPERTIDE_").lower(): value
                                                for name, value in ENVIRONMENT.items()}))
    try:
        now = service.clock()
        service.store.upsert_papers([
            make_record("2611.30001", "Model merging at the speed of light",
                        announced=now.date(), categories=("cs.LG",)),
            make_record("2611.30002", "Graph neural networks for chemistry",
                        announced=now.date(), categories=("q-bio.BM",)),
        ], now)
        service.sync_search_index()
        subscriber = service.store.add_subscriber(
            "cli@example.org", Preferences(trending_count=0, searches=("model merging",)), now)
        service.store.set_subscriber_status(subscriber.id, "active", now)
    finally:
        service.close()
    return folder


def papertide(data_dir: Path, *args: str, stdin: bytes = b""
              ) -> subprocess.CompletedProcess[bytes]:
    environ = {name: value for name, value in os.environ.items()
               if not name.startswith("PAPERTIDE_")}
    environ |= ENVIRONMENT | data_dir_environment(data_dir)
    return subprocess.run([sys.executable, "-m", "papertide", *args], env=environ,
                          input=stdin, capture_output=True, timeout=60, check=False)


def test_preview_prints_the_next_digest_and_sends_nothing(data_dir: Path) -> None:
    text = papertide(data_dir, "digest", "preview", "CLI@example.org")
    assert text.returncode == 0, text.stderr
    output = text.stdout.decode()
    assert output.startswith("Subject: papertide daily: Model merging at the speed of light")
    assert "Matches “model merging”" in output
    assert "Graph neural networks" not in output

    mime = papertide(data_dir, "digest", "preview", "cli@example.org", "--format", "mime")
    message = email.message_from_bytes(mime.stdout, policy=default_policy)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [part.get_content_type() for part in message.iter_parts()] == [  # type: ignore[attr-defined]
        "text/plain", "text/html"]

    missing = papertide(data_dir, "digest", "preview", "nobody@example.org")
    assert missing.returncode == 3 and b"no subscriber" in missing.stderr


def test_send_without_an_smtp_server_says_what_to_set(data_dir: Path) -> None:
    result = papertide(data_dir, "digest", "send", "--period", "daily")
    assert result.returncode == 1 and b"smtp_host" in result.stderr
    status = papertide(data_dir, "digest", "status")
    assert b"1 active" in status.stdout and b"messages: none" in status.stdout


def test_a_mail_to_the_unsubscribe_address_unsubscribes(data_dir: Path) -> None:
    service = open_app(make_settings(data_dir, **{name.removeprefix("PAPERTIDE_").lower(): value
                                                  for name, value in ENVIRONMENT.items()}))
    try:
        subscriber = service.digests.subscriptions.subscriber("cli@example.org")
        mailto = service.digests.subscriptions.links_for(subscriber).unsubscribe_mailto
    finally:
        service.close()
    from urllib.parse import parse_qs, urlsplit

    subject = parse_qs(urlsplit(mailto).query)["subject"][0]
    incoming = (f"From: cli@example.org\r\nTo: unsubscribe@papers.example.org\r\n"
                f"Date: {dt.datetime.now(dt.UTC):%a, %d %b %Y %H:%M:%S +0000}\r\n"
                f"Subject: {subject}\r\n\r\n").encode()
    result = papertide(data_dir, "digest", "unsubscribe-mail", stdin=incoming)
    assert result.returncode == 0 and b"unsubscribed cli@example.org" in result.stderr
    status = papertide(data_dir, "digest", "status", "--json")
    assert b'"unsubscribed": 1' in status.stdout


def test_preview_of_a_past_day_shows_that_days_issue(data_dir: Path) -> None:
    service = open_app(make_settings(data_dir))
    try:
        service.store.upsert_papers([make_record(
            "2505.00001", "Model merging for old papers", announced=dt.date(2025, 5, 5))],
            service.clock())
        service.sync_search_index()
    finally:
        service.close()

    past = papertide(data_dir, "digest", "preview", "cli@example.org", "--date", "2025-05-06")

    assert past.returncode == 0, past.stderr
    assert "Model merging for old papers" in past.stdout.decode()
    assert "Model merging at the speed of light" not in past.stdout.decode()


def test_an_empty_issue_says_they_asked_for_it_only_when_they_did(data_dir: Path) -> None:
    quiet = papertide(data_dir, "digest", "preview", "cli@example.org", "--date", "2024-01-10")
    assert quiet.returncode == 0, quiet.stderr
    assert "nothing new" in quiet.stdout.decode()
    assert "anyway" not in quiet.stdout.decode()
    assert "No paper matched your preferences in this period" in quiet.stdout.decode()

    service = open_app(make_settings(data_dir))
    try:
        subscriber = service.store.subscriber_by_email("cli@example.org")
        assert subscriber is not None
        service.store.save_preferences(subscriber.id, Preferences(
            trending_count=0, searches=("model merging",), send_empty=True))
    finally:
        service.close()
    asked = papertide(data_dir, "digest", "preview", "cli@example.org", "--date", "2024-01-10",
                      "--format", "html")
    assert "You asked to hear from us anyway" in asked.stdout.decode()


@pytest.mark.parametrize(("day", "message"), [
    ("yesterday", b"--date must be YYYY-MM-DD"),
    ("2999-01-01", b"not due yet"),
])
def test_preview_of_a_bad_day_says_what_is_wrong(data_dir: Path, day: str, message: bytes) -> None:
    result = papertide(data_dir, "digest", "preview", "cli@example.org", "--date", day)
    assert result.returncode != 0 and message in result.stderr
    assert b"Traceback" not in result.stderr
