"""Personal picks in digests: the subscriber's recommendations, never a paper mailed before."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from papertide.app import Papertide
from papertide.digest.periods import period_for_day
from papertide.embed.onnx import OnnxEmbedder
from papertide.subscriptions.models import Preferences
from tests.digest.conftest import mail_environ, text_part
from tests.digest.smtp import Mailbox, smtp_server
from tests.helpers import FIXED_NOW
from tests.recommend.conftest import add_user, open_corpus_app
from tests.recommend.corpus import NEW, NEW_DAY, OLD

READER = "reader@example.org"


def titles_in(mailbox: Mailbox, index: int) -> set[str]:
    text = " ".join(text_part(mailbox.to(READER)[index]).split())
    return {row[0] for row in NEW + OLD if row[1] in text}


def send(service: Papertide, kind: str, day: dt.date) -> None:
    period = period_for_day(kind, service.settings, day, FIXED_NOW)  # type: ignore[arg-type]
    service.digests.send_issue(period)


def test_picks_come_first_and_no_paper_is_mailed_twice(
    tmp_path: Path, embedder: OnnxEmbedder,
) -> None:
    with smtp_server() as (mailbox, port):
        service = open_corpus_app(tmp_path / "data", embedder, **mail_environ(port))
        try:
            reader = add_user(service, READER)
            for arxiv_id in ("2501.01001", "2501.01002"):
                service.community.library.save(reader, arxiv_id)
            store = service.store
            preferences = Preferences(frequency="daily", trending_count=0)
            subscriber = store.add_subscriber(READER, preferences, FIXED_NOW)
            store.set_subscriber_status(subscriber.id, "active", FIXED_NOW)

            send(service, "daily", NEW_DAY + dt.timedelta(days=1))
            first = titles_in(mailbox, 0)
            assert "Picked for you" in text_part(mailbox.to(READER)[0])
            # the speech papers of those two days, and no paper from a later day
            assert {"2503.11001", "2503.11002", "2503.11004"} <= first
            assert not first & {"2503.11003", "2503.12002", "2503.14001"}

            store.save_preferences(subscriber.id,
                                   dataclasses.replace(preferences, frequency="weekly"))
            send(service, "weekly", NEW_DAY + dt.timedelta(days=7))
            second = titles_in(mailbox, 1)
            assert "2503.11003" in second  # new that week, and about speech
            assert not first & second
        finally:
            service.close()


def test_subscribers_without_an_account_or_with_picks_off_get_none(
    tmp_path: Path, embedder: OnnxEmbedder,
) -> None:
    with smtp_server() as (mailbox, port):
        service = open_corpus_app(tmp_path / "data", embedder, **mail_environ(port))
        try:
            reader = add_user(service, READER)
            service.community.library.save(reader, "2501.01001")
            store = service.store
            for email, picks in ((READER, False), ("stranger@example.org", True)):
                preferences = Preferences(frequency="daily", trending_count=0,
                                          categories=("eess.AS",), personal_picks=picks)
                subscriber = store.add_subscriber(email, preferences, FIXED_NOW)
                store.set_subscriber_status(subscriber.id, "active", FIXED_NOW)
            send(service, "daily", NEW_DAY + dt.timedelta(days=1))
            for email in (READER, "stranger@example.org"):
                [message] = mailbox.to(email)
                assert "Picked for you" not in text_part(message)
                assert "New in eess.AS" in text_part(message)
        finally:
            service.close()
