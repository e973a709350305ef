"""Digests tell a reader of new papers by authors they follow and of updates to the papers
they saved, each update once, through the real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt

from papertide.app import Papertide
from papertide.digest.periods import due_period
from papertide.subscriptions.models import Preferences
from tests.digest.conftest import PAPERS, MutableClock, text_part
from tests.digest.smtp import Mailbox
from tests.helpers import make_record

READER = "follower@example.org"
SAVED = "2611.00001"  # the old paper: never new in the issue, so only an update brings it


def reader_who_follows_and_saves(service: Papertide) -> int:
    """The reader, and the saved paper known at version 1 (a paper known with no version
    at all gains no "new version" when its history first arrives)."""
    now = service.clock()
    old = next(row for row in PAPERS if row.arxiv_id == SAVED)
    service.store.upsert_papers([make_record(SAVED, old.title, announced=old.announced,
                                             categories=old.categories, version_count=1)], now)
    user = service.store.add_user(READER, False, now)
    subscriber = service.store.add_subscriber(READER, Preferences(trending_count=0), now)
    service.store.set_subscriber_status(subscriber.id, "active", now)
    service.follows.follow(user.id, "Zoe Angstrom")  # written "Zoë Ångström" on the paper
    service.community.library.save(user.id, SAVED, "")
    return user.id


def send_daily(service: Papertide) -> None:
    service.digests.send_issue(due_period("daily", service.settings, service.clock()))


def test_followed_authors_and_updates_reach_the_digest_once(
        mail_service: Papertide, mailbox: Mailbox, clock: MutableClock) -> None:
    reader_who_follows_and_saves(mail_service)
    old = next(row for row in PAPERS if row.arxiv_id == SAVED)
    mail_service.store.upsert_papers([make_record(
        SAVED, old.title, announced=old.announced, categories=old.categories, version_count=2,
        comments="Accepted at ICLR 2027")], clock())

    send_daily(mail_service)
    first = text_part(mailbox.to(READER)[-1])
    assert "== Updates to papers you saved ==" in first
    assert "New version (v2)" in first and "Accepted at ICLR 2027" in first
    assert "== New from people you follow ==" in first
    followed = first.split("== New from people you follow ==")[1]
    assert "Model merging without retraining" in followed
    assert "by Zoë Ångström, whom you follow" in followed

    clock.advance(days=1)
    send_daily(mail_service)
    second = mailbox.to(READER)
    assert len(second) in (1, 2)
    if len(second) == 2:  # an issue went out for something else: not for the same update
        assert "New version (v2)" not in text_part(second[-1])


def test_a_second_update_to_the_same_paper_is_mailed_as_news(
        mail_service: Papertide, mailbox: Mailbox, clock: MutableClock) -> None:
    reader_who_follows_and_saves(mail_service)
    old = next(row for row in PAPERS if row.arxiv_id == SAVED)

    def new_version(count: int) -> None:
        mail_service.store.upsert_papers([make_record(
            SAVED, old.title, announced=old.announced, categories=old.categories,
            version_count=count)], clock())

    new_version(2)
    send_daily(mail_service)
    clock.advance(days=1)
    new_version(3)
    send_daily(mail_service)
    texts = [text_part(message) for message in mailbox.to(READER)]
    assert len(texts) == 2
    assert "New version (v2)" in texts[0] and "New version (v3)" in texts[1]
    assert "New version (v2)" not in texts[1]


def test_a_reader_who_stops_watching_hears_nothing(
        mail_service: Papertide, mailbox: Mailbox, clock: MutableClock) -> None:
    user_id = reader_who_follows_and_saves(mail_service)
    mail_service.follows.set_watching(user_id, SAVED, False)
    mail_service.follows.unfollow(user_id, "Zoë Ångström")
    old = next(row for row in PAPERS if row.arxiv_id == SAVED)
    mail_service.store.upsert_papers([make_record(
        SAVED, old.title, announced=old.announced, categories=old.categories,
        version_count=2)], clock() + dt.timedelta(minutes=1))
    send_daily(mail_service)
    assert all("Updates to papers you saved" not in text_part(message)
               and "New from people you follow" not in text_part(message)
               for message in mailbox.to(READER))
