"""kill -9 of the sender at the worst moments: no digest is sent twice, none is lost unseen.

The outbox's guarantee (``digest/outbox.py``): never twice, and a message can
only go missing when the kill falls between the commit that makes it
"sending" and the final dot, in which case it counts as sent *unconfirmed*
and the admin view shows it. On SQLite that window is one three-byte send;
on PostgreSQL it also holds the commit's reply from the server, so the
random kill below sometimes lands in it.

Each run is a real ``papertide digest send`` process talking to the SMTP server
of this test, which kills it from inside the conversation: while the server
holds a complete message whose answer the sender has not read (it may or may
not count as sent), while a message is only half-way (its recipient named),
and at a random moment. A last run finishes the issue.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from papertide.app import open_app
from papertide.subscriptions.models import Preferences
from tests.digest.conftest import BASE_URL, SENDER
from tests.digest.smtp import Mailbox, Received, smtp_server
from tests.helpers import data_dir_environment, make_record, make_settings

SUBSCRIBERS = 120
SAVED = "2610.00001"  # every reader saved it; it gains version 2 before the issue


def environment(data_dir: Path, port: int) -> dict[str, str]:
    values = {
        **data_dir_environment(data_dir), "PAPERTIDE_BASE_URL": BASE_URL,
        "PAPERTIDE_SMTP_HOST": "127.0.0.1", "PAPERTIDE_SMTP_PORT": str(port),
        "PAPERTIDE_SMTP_MODE": "plain", "PAPERTIDE_MAIL_FROM": SENDER,
        "PAPERTIDE_SCHEDULE_TIMEZONE": "UTC", "PAPERTIDE_DIGEST_HOUR": "0",
        "PAPERTIDE_SEARCH_MODE": "keyword",
    }
    kept = {name: value for name, value in os.environ.items()
            if not name.startswith("PAPERTIDE_")}
    return kept | values


def seed(data_dir: Path, environ: dict[str, str]) -> list[str]:
    settings = make_settings(data_dir, **{name.removeprefix("PAPERTIDE_").lower(): value
                                          for name, value in environ.items()
                                          if name.startswith("PAPERTIDE_")
                                          and name != "PAPERTIDE_DATA_DIR"})
    service = open_app(settings)
    try:
        now = service.clock()
        today = now.date()
        service.store.upsert_papers([
            make_record(f"2611.2{number:04d}", f"Model merging, part {number}",
                        announced=today - dt.timedelta(days=number % 2),
                        categories=("cs.CL",) if number % 3 else ("cs.LG",))
            for number in range(30)], now)
        service.store.upsert_papers([make_record(SAVED, "A saved paper", version_count=1,
                                                 announced=today - dt.timedelta(days=30))], now)
        service.sync_search_index()
        addresses = []
        for number in range(SUBSCRIBERS):
            address = f"reader{number:03d}@example.org"
            subscriber = service.store.add_subscriber(
                address, Preferences(trending_count=2, categories=("cs.LG",),
                                     searches=("merging",)), now)
            service.store.set_subscriber_status(subscriber.id, "active", now)
            user = service.store.add_user(address, False, now)
            service.store.save_paper(user.id, SAVED, (), now)
            addresses.append(address)
        service.store.upsert_papers([make_record(SAVED, "A saved paper", version_count=2,
                                                 announced=today - dt.timedelta(days=30))], now)
        return addresses
    finally:
        service.close()


def start_send(environ: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "papertide", "digest", "send", "--period", "daily"],
        env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def run_killed(mailbox: Mailbox, environ: dict[str, str], arm: str) -> None:
    """Start a sender and kill it -9 from the server at the moment ``arm`` names."""
    process = start_send(environ)
    fired = threading.Event()
    start = len(mailbox.received)

    def kill() -> None:
        if not fired.is_set():
            fired.set()
            os.kill(process.pid, signal.SIGKILL)

    def on_data(_: Received) -> None:
        count = len(mailbox.received) - start
        if arm == "after-end" and count == 25:
            kill()  # the server has the message; the sender never reads the 250
        elif arm == "random" and count == 1:
            threading.Timer(random.uniform(0.0, 0.08), kill).start()

    def on_rcpt(_: str) -> None:
        if arm == "mid-message" and len(mailbox.received) - start >= 20:
            kill()  # recipient named, message not sent yet

    mailbox.on_data, mailbox.on_rcpt = on_data, on_rcpt
    try:
        _, error = process.communicate(timeout=60)
    finally:
        mailbox.on_data = mailbox.on_rcpt = None
    assert fired.is_set() and process.returncode == -signal.SIGKILL, error.decode()


def test_kill_9_at_any_point_never_duplicates_or_loses_a_digest(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with smtp_server() as (mailbox, port):
        environ = environment(data_dir, port)
        addresses = seed(data_dir, environ)
        for arm in ("after-end", "mid-message", "random"):
            run_killed(mailbox, environ, arm)
        finished = start_send(environ)
        _, error = finished.communicate(timeout=60)
        assert finished.returncode == 0, error.decode()

        again = start_send(environ)  # the issue is complete: a new run sends nothing
        again.communicate(timeout=60)
        assert again.returncode == 0

    delivered = Counter(recipient for item in mailbox.received for recipient in item.recipients)
    assert set(delivered) <= set(addresses) and set(delivered.values()) == {1}  # never twice
    missing = set(addresses) - set(delivered)
    assert len(missing) <= 1  # only the random kill can fall between "sending" and the dot
    for item in mailbox.received:  # the update rides in each reader's one message, once
        assert item.message.as_string().count("New version (v2)") == 2  # text and HTML part
    message_ids = [item.message["Message-ID"] for item in mailbox.received]
    assert len(set(message_ids)) == len(message_ids) == SUBSCRIBERS - len(missing)

    service = open_app(make_settings(data_dir))
    try:
        counts = service.store.outbox_counts()
        assert counts.by_state == {"sent": SUBSCRIBERS}
        assert counts.unconfirmed >= 1  # the message whose 250 was never read
        flagged = {record.recipient for record in service.store.outbox_records(
            ["sent"], SUBSCRIBERS, unconfirmed_only=True)}
        assert missing <= flagged  # a message missing is one the admin is told about
    finally:
        service.close()
