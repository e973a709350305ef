"""Discussions through the service: limits across processes, reply mail queued once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from papertide.exceptions import InvalidInputError, RateLimitedError
from papertide.subscriptions.models import Preferences
from tests.helpers import FIXED_NOW, make_record, open_test_app


def test_the_hourly_limit_is_counted_in_the_database_across_processes(tmp_path: Path) -> None:
    first = open_test_app(tmp_path / "data", comment_limit_per_hour="3")
    second = open_test_app(tmp_path / "data", comment_limit_per_hour="3")
    try:
        first.store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
        reader, _ = first.community.accounts.add_user("reader@example.org")
        first.discussions.post(reader, "2501.00001", "one", post_key="form-1")
        retried = second.discussions.post(reader, "2501.00001", "one", post_key="form-1")
        assert not retried.created  # a retry is not a new comment, and is not counted
        reused = second.discussions.post(reader, "2501.00001", "new words", post_key="form-1")
        assert reused.created  # an old form sent again with other text is a new comment
        second.discussions.post(reader, "2501.00001", "two")
        with pytest.raises(RateLimitedError, match="3 comments in the last hour"):
            second.discussions.post(reader, "2501.00001", "four")
        other, _ = second.community.accounts.add_user("other@example.org")
        second.discussions.post(other, "2501.00001", "someone else may")
        assert first.discussions.counts(["2501.00001"]) == {"2501.00001": 4}
        assert [c.body for c in first.store.comments_for("2501.00001")] == [
            "one", "new words", "two", "someone else may"]
    finally:
        first.close()
        second.close()


def test_a_reader_at_the_limit_is_told_when_to_post_again_and_may_then(
    tmp_path: Path,
) -> None:
    """The comment limit is counted like the mail limits: a rolling hour, then room again."""
    now = [FIXED_NOW]
    service = open_test_app(tmp_path / "data", clock=lambda: now[0],
                            comment_limit_per_hour="2")
    try:
        service.store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
        reader, _ = service.community.accounts.add_user("reader@example.org")
        service.discussions.post(reader, "2501.00001", "one")
        now[0] = FIXED_NOW + dt.timedelta(minutes=20)
        service.discussions.post(reader, "2501.00001", "two")
        with pytest.raises(RateLimitedError, match="try again in 40 minutes") as refused:
            service.discussions.post(reader, "2501.00001", "three")
        assert 39 * 60 < refused.value.retry_after <= 40 * 60
        now[0] = FIXED_NOW + dt.timedelta(minutes=61)  # the first comment left the hour
        assert service.discussions.post(reader, "2501.00001", "three").created
        with pytest.raises(RateLimitedError, match="2 comments in the last hour"):
            service.discussions.post(reader, "2501.00001", "four")
    finally:
        service.close()


def test_a_reply_is_mailed_once_to_each_person_in_the_thread_but_not_its_author(
    tmp_path: Path,
) -> None:
    service = open_test_app(tmp_path / "data")
    try:
        service.store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
        accounts = service.community.accounts
        asker, _ = accounts.add_user("asker@example.org")
        helper, _ = accounts.add_user("helper@example.org")
        quiet, _ = accounts.add_user("quiet@example.org")
        discussions = service.discussions
        top = discussions.post(asker, "2501.00001", "Question?").comment
        first = discussions.post(helper, "2501.00001", "Answer.", top.id)
        discussions.set_mail(quiet, False)
        middle = discussions.post(quiet, "2501.00001", "Me too.", top.id)
        last = discussions.post(asker, "2501.00001", "Thanks both.", top.id)
        records = service.store.outbox_records(("pending",), 100)
        mailed = sorted((int(record.key.split(":")[1]), record.recipient) for record in records)
        assert mailed == [(first.comment.id, "asker@example.org"),
                          (middle.comment.id, "asker@example.org"),
                          (middle.comment.id, "helper@example.org"),
                          (last.comment.id, "helper@example.org")]  # quiet turned mail off
        paper = service.paper("2501.00001")
        assert discussions.mailer.queue(last.comment, paper, [helper], FIXED_NOW) == []
        assert len(service.store.outbox_records(("pending",), 100)) == 4
        token = discussions.mailer.unsubscribe_token(helper.id)
        with pytest.raises(InvalidInputError):
            discussions.stop_mail(asker.id, token)  # a link is bound to its person
        discussions.stop_mail(helper.id, token)
        assert not discussions.wants_mail(helper) and discussions.wants_mail(asker)
    finally:
        service.close()


def test_a_digest_lists_the_papers_discussed_in_its_window(tmp_path: Path) -> None:
    service = open_test_app(tmp_path / "data")
    try:
        store = service.store
        store.upsert_papers([make_record("2501.00001"), make_record("2501.00002"),
                             make_record("2501.00003")], FIXED_NOW)
        subscriber = store.add_subscriber("reader@example.org",
                                          Preferences(trending_count=0), FIXED_NOW)
        store.set_subscriber_status(subscriber.id, "active", FIXED_NOW)
        talker, _ = service.community.accounts.add_user("talker@example.org")
        for arxiv_id, comments in (("2501.00002", 2), ("2501.00001", 1)):
            for number in range(comments):
                service.discussions.post(talker, arxiv_id, f"comment {number}")
        preview = service.digests.preview("reader@example.org", "daily")
        sections = {section.title: section for section in preview.digest.sections}
        discussed = sections["Discussed today"]
        assert [entry.paper.arxiv_id for entry in discussed.entries] == [
            "2501.00002", "2501.00001"]
        assert discussed.entries[0].reasons == ("2 comments today",)
        assert "Discussed today" in preview.rendered.text
    finally:
        service.close()
