"""Delivery through a real SMTP server that defers, refuses, or is shared by two workers."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from papertide.app import Papertide
from papertide.digest.models import NewMessage
from papertide.digest.outbox import LEASE_SECONDS, Outbox
from papertide.digest.periods import due_period
from papertide.digest.transport import SmtpLink
from papertide.mail.smtp import SmtpConfig
from papertide.subscriptions.models import Preferences, Subscriber
from tests.digest.conftest import MutableClock
from tests.digest.smtp import Mailbox


def add_active(service: Papertide, email: str, **preferences: object) -> Subscriber:
    store = service.store
    subscriber = store.add_subscriber(email, Preferences(**preferences),  # type: ignore[arg-type]
                                      service.clock())
    store.set_subscriber_status(subscriber.id, "active", service.clock())
    found = store.get_subscriber(subscriber.id)
    assert found is not None
    return found


def compose_daily(service: Papertide) -> list[int]:
    period = due_period("daily", service.settings, service.clock())
    return service.digests.compose_issue(period).message_ids


def states(service: Papertide) -> dict[str, int]:
    return service.store.outbox_counts().by_state


def test_deferred_messages_are_retried_with_backoff_until_accepted(
    mail_service: Papertide, mailbox: Mailbox, clock: MutableClock,
) -> None:
    add_active(mail_service, "patient@example.org")
    compose_daily(mail_service)
    mailbox.data_replies.extend(["421 4.3.2 Service shutting down", "451 4.3.0 Try again later"])

    first = mail_service.digests.deliver()
    assert (first.sent, first.deferred) == (0, 1) and mailbox.received == []
    assert mail_service.digests.deliver().sent == 0  # not due yet: 60 s backoff
    clock.advance(seconds=61)
    second = mail_service.digests.deliver()
    assert (second.sent, second.deferred) == (0, 1)
    clock.advance(seconds=61)
    assert mail_service.digests.deliver().sent == 0  # the second wait doubled: 120 s
    clock.advance(seconds=60)
    assert mail_service.digests.deliver().sent == 1
    assert len(mailbox.to("patient@example.org")) == 1
    assert states(mail_service) == {"sent": 1}


def test_a_refusing_address_is_suspended_after_the_bounce_limit_and_shown_to_admins(
    mail_service: Papertide, mailbox: Mailbox, clock: MutableClock,
) -> None:
    add_active(mail_service, "gone@example.org")
    add_active(mail_service, "fine@example.org")
    mailbox.rcpt_replies["gone@example.org"] = "550 5.1.1 <gone@example.org>: no such user"
    compose_daily(mail_service)

    reports = []
    for _ in range(3):  # mail_bounce_limit = 3
        reports.append(mail_service.digests.deliver())
        clock.advance(hours=1)
    assert [report.refused for report in reports] == [1, 1, 1]
    assert reports[-1].suspended == ["gone@example.org"]
    assert len(mailbox.to("fine@example.org")) == 1 and mailbox.to("gone@example.org") == []

    gone = mail_service.store.subscriber_by_email("gone@example.org")
    assert gone is not None and gone.status == "suspended" and gone.bounce_count == 3
    assert "550 5.1.1" in (gone.last_error or "")
    status = mail_service.digests.status()
    assert [s.email for s in status.failing] == ["gone@example.org"]
    assert [record.recipient for record in status.failed] == ["gone@example.org"]

    clock.advance(days=1)  # no further mail to a suspended address
    compose_daily(mail_service)
    mail_service.digests.deliver()
    assert len(mailbox.to("fine@example.org")) == 1  # nothing new for fine@ either
    assert mail_service.store.outbox_counts().of("pending") == 0


def test_a_refused_sender_stops_the_run_and_keeps_every_message(
    mail_service: Papertide, mailbox: Mailbox, clock: MutableClock,
) -> None:
    for number in range(3):
        add_active(mail_service, f"reader{number}@example.org")
    compose_daily(mail_service)

    async def refuse_mail_from(*args: object, **kwargs: object) -> str:
        return "553 5.7.1 Sender address rejected: not owned by user"

    mailbox.handle_MAIL = refuse_mail_from  # type: ignore[attr-defined]
    report = mail_service.digests.deliver()
    assert report.error is not None and "refused the sender" in report.error
    assert report.sent == 0 and states(mail_service) == {"pending": 3}
    for number in range(3):
        subscriber = mail_service.store.subscriber_by_email(f"reader{number}@example.org")
        assert subscriber is not None and subscriber.bounce_count == 0
    del mailbox.handle_MAIL  # type: ignore[attr-defined]
    assert mail_service.digests.deliver().sent == 0  # not before the backoff is over
    clock.advance(seconds=61)
    assert mail_service.digests.deliver().sent == 3


def test_two_workers_at_once_send_each_message_once(
    mail_service: Papertide, mailbox: Mailbox,
) -> None:
    addresses = [f"crowd{number}@example.org" for number in range(60)]
    for address in addresses:
        add_active(mail_service, address, trending_count=1)
    compose_daily(mail_service)
    mailbox.data_delay = 0.002

    reports = []

    def work() -> None:
        reports.append(mail_service.digests.deliver())

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert sum(report.sent for report in reports) == 60
    assert all(report.sent > 0 for report in reports)  # both really worked
    counts = Counter(recipient for item in mailbox.received for recipient in item.recipients)
    assert counts == Counter(addresses)
    ids = [item.message["Message-ID"] for item in mailbox.received]
    assert len(set(ids)) == 60


def test_a_worker_that_lost_its_lease_hangs_up_before_the_end_of_the_message(
    mail_service: Papertide, mailbox: Mailbox, smtp: tuple[Mailbox, int],
) -> None:
    store = mail_service.store
    add_active(mail_service, "once@example.org")
    [message_id] = compose_daily(mail_service)
    [claimed] = store.claim_messages("worker-a", 0.0, mail_service.clock().timestamp(), 10)
    # worker A stalled past its lease; worker B recovered the row and holds it now
    assert store.requeue_message(message_id, "worker-a")
    assert store.claim_messages("worker-b", 10**10, mail_service.clock().timestamp(), 10)

    link = SmtpLink(SmtpConfig("127.0.0.1", smtp[1], "plain"))
    outcome = link.deliver(claimed.sender, claimed.recipient, claimed.data,
                           lambda: store.mark_sending(message_id, "worker-a", 10**10))
    assert outcome.kind == "lost_lease"
    assert mailbox.received == []  # the server never saw the final dot


def test_enqueueing_a_key_twice_stores_one_message(mail_service: Papertide) -> None:
    subscriber = add_active(mail_service, "key@example.org")
    outbox: Outbox = mail_service.digests.outbox
    message = NewMessage("digest:test:1", "digest", subscriber.id, subscriber.email,
                         "digest@papers.example.org", "<x@papers.example.org>",
                         b"Subject: x\r\n\r\n", ("2611.10001",))
    assert outbox.enqueue(message) is not None
    assert outbox.enqueue(message) is None
    assert mail_service.store.outbox_counts().by_state == {"pending": 1}


@pytest.mark.parametrize("state", ["claimed", "sending"])
def test_recovery_after_a_crash_requeues_unsent_and_never_resends_handed_over(
    mail_service: Papertide, mailbox: Mailbox, state: str,
) -> None:
    store = mail_service.store
    add_active(mail_service, "crash@example.org")
    [message_id] = compose_daily(mail_service)
    dead_owner = "some-other-host:1:deadbeef"  # its lease ran out long ago
    store.claim_messages(dead_owner, 0.0, mail_service.clock().timestamp(), 10)
    if state == "sending":
        assert store.mark_sending(message_id, dead_owner, 1.0)

    report = mail_service.digests.deliver()
    if state == "claimed":
        assert (report.requeued, report.sent) == (1, 1)
        assert len(mailbox.to("crash@example.org")) == 1
    else:
        assert (report.unconfirmed, report.sent) == (1, 0)
        assert mailbox.received == []
        [record] = mail_service.digests.status().unconfirmed
        assert record.id == message_id and not record.confirmed
    assert LEASE_SECONDS > 0


def test_an_issue_composed_by_two_processes_reaches_everyone_once(
    mail_service: Papertide, mailbox: Mailbox,
) -> None:
    addresses = [f"shard{number}@example.org" for number in range(30)]
    for address in addresses:
        add_active(mail_service, address, trending_count=2, categories=("cs.CL",))
    period = due_period("daily", mail_service.settings, mail_service.clock())
    report = mail_service.digests.compose_issue(period, workers=2)
    assert report.queued == 30 and len(set(report.message_ids)) == 30
    assert mail_service.digests.compose_issue(period, workers=2).already == 30
    assert mail_service.digests.deliver().sent == 30
    counts = Counter(recipient for item in mailbox.received for recipient in item.recipients)
    assert counts == Counter(addresses)
    sample = mailbox.to("shard7@example.org")[0].message
    assert sample["Date"] == "Thu, 26 Nov 2026 12:00:00 +0000"  # the parent's clock
