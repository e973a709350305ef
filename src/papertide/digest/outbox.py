"""The outbox: messages wait in the database until an SMTP server has taken them.

Why a table and not "compose and send": a digest run is thousands of SMTP
conversations, and the process doing it can be killed at any instant, or run
twice at once (the scheduler in ``papertide serve`` and a ``papertide worker``,
or two workers). The outbox makes each message a row that moves through
states, every move one conditional update committed before the next step:

    pending --claim--> claimed --mark_sending--> sending --finish--> sent
       ^                  |                          |
       +-- retry / crash -+                          +-- crash --> sent (unconfirmed)

- **At most one message per (subscriber, issue), ever.** A message's key
  (``digest:<subscriber id>:daily:2026-05-04``) is UNIQUE; composing an issue
  twice inserts nothing the second time. Subscriber ids are never reused.
- **Claiming.** A worker claims a batch in one write transaction (pending and
  due -> claimed, with its owner id and a lease end), so two workers never
  hold the same row; every later update says ``WHERE lease_owner = me``, so a
  worker that lost a row changes nothing.
- **The boundary with SMTP.** An SMTP server takes responsibility for a
  message when it receives the line with a single dot that ends DATA, and
  says so with a 250 reply. Between that dot and our commit of "sent", a
  crash leaves us not knowing whether the server has it (RFC 1047 calls these
  duplicate messages). We shrink that gap and decide it in advance:

  1. the whole text is sent first, without the final dot;
  2. then the row moves claimed -> sending (``mark_sending``): this is the
     point of no return. It is also the fence between workers: only the
     lease holder can make the move, so of two workers that think they own a
     row, one sends and the other hangs up before the dot (a server discards
     a message whose dot never came);
  3. then the dot, then the reply, then the commit of "sent".

  After a crash, a row still *claimed* never reached its dot: it goes back to
  pending and is sent later (no loss). A row left *sending* may or may not
  have reached the server, and we never send it again: it counts as sent,
  flagged *unconfirmed* in the admin view. Between the commit of step 2 and
  the dot there is only one ``send`` of three bytes (which is why that commit
  is not fsynced: an fsync there would widen the gap to milliseconds), so
  nearly every unconfirmed message did arrive. On PostgreSQL the gap also
  holds the commit's reply from the database server (a fraction of a
  millisecond on a local network), so a kill there loses a message a little
  more often, and always visibly; a lost connection after the
  dot is treated the same way. This outbox therefore errs on the side of
  never sending twice, and the only messages it can lose are ones it tells
  the admin about.
- **Power cuts** differ from kills: the operating system may lose commits
  that were not fsynced. "Sent" commits are fsynced in groups (every
  ``SYNC_EVERY`` messages or ``SYNC_SECONDS``, and at the end of each run), so
  a power cut can make at most the messages of the last group look unsent,
  and those are sent again; a kill loses nothing that was committed.
- **Recovery** runs at the start of every delivery run: a lease is abandoned
  when its process is gone (same host) or its time is up.
- **Failures.** A 4xx (or a dropped connection before the dot) is retried with
  exponential backoff (``mail_retry_backoff``, doubling, at most 6 hours) up
  to ``mail_max_attempts`` tries. A 5xx to a recipient counts against the
  address; after ``mail_bounce_limit`` refusals in a row the address is
  suspended, its waiting mail cancelled, and it shows in the admin view
  until an admin lets it resume. A refused sender, TLS or login failure stops
  the run and leaves every message waiting, untouched. Papers of a message
  that is given up are freed, so a later digest can carry them.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from papertide.digest.models import ClaimedMessage, Lease, NewMessage
from papertide.digest.transport import Link, Outcome, TransportError
from papertide.processes import new_owner, owner_is_gone
from papertide.settings import Settings
from papertide.store.base import Store

LEASE_SECONDS = 300.0
CLAIM_BATCH = 25
MAX_BACKOFF_SECONDS = 6 * 3_600.0
KEEP_BODIES = dt.timedelta(days=30)
SYNC_EVERY = 25
SYNC_SECONDS = 1.0
# A digest not sent within this long is dropped: news that old is no news.
DIGEST_MAX_AGE = dt.timedelta(days=3)
IN_DOUBT_NOTE = ("the sender stopped after handing the message over; it is not sent again, "
                 "and may or may not have arrived")
logger = logging.getLogger("papertide.mail")


@dataclass(slots=True)
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    deferred: int = 0
    refused: int = 0
    failed: int = 0
    cancelled: int = 0
    unconfirmed: int = 0
    requeued: int = 0
    suspended: list[str] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> str:
        parts = [f"{self.sent:,} sent"]
        for label, value in (("deferred", self.deferred), ("refused", self.refused),
                             ("given up", self.failed), ("cancelled", self.cancelled),
                             ("unconfirmed", self.unconfirmed),
                             ("recovered after a crash", self.requeued)):
            if value:
                parts.append(f"{value:,} {label}")
        if self.suspended:
            parts.append(f"mail stopped to {', '.join(self.suspended)}")
        text = "mail: " + ", ".join(parts)
        return text + (f"; stopped: {self.error}" if self.error else "")


def is_abandoned(lease: Lease, wall_now: float) -> bool:
    """Its process is gone (same host), or nobody renewed it in time."""
    return owner_is_gone(lease.owner) or lease.until.timestamp() < wall_now


def backoff_seconds(base: float, attempts: int) -> float:
    """``base`` after the first failed try, doubling, capped at 6 hours."""
    return float(min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF_SECONDS))


class Outbox:
    """Queue messages, and deliver the due ones through a link to the mail server."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Callable[[], dt.datetime],
        connect: Callable[[], Link],
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.connect = connect
        self.wall = wall

    def enqueue(self, message: NewMessage) -> int | None:
        """Store a message; ``None`` when its key was used before (it is not sent again)."""
        return self.store.enqueue_message(message, self.clock())

    # -- crash recovery -----------------------------------------------------------------

    def recover(self, report: DeliveryReport) -> None:
        wall_now = self.wall()
        now = self.clock()
        for lease in self.store.outbox_leases():
            if not is_abandoned(lease, wall_now):
                continue
            if lease.state == "claimed":
                if self.store.requeue_message(lease.id, lease.owner):
                    report.requeued += 1
            elif self.store.settle_in_doubt(lease.id, lease.owner, now, IN_DOUBT_NOTE):
                report.unconfirmed += 1
                logger.warning("message %s was being handed over when its sender stopped; "
                               "counted as sent, unconfirmed", lease.id)

    # -- delivery -----------------------------------------------------------------------

    def deliver(self, ids: Sequence[int] | None = None, stop: threading.Event | None = None,
                limit: int | None = None) -> DeliveryReport:
        """Send every due message (only ``ids`` when given), until none is left or ``stop``."""
        report = DeliveryReport()
        self.recover(report)
        self.store.purge_message_bodies(self.clock() - KEEP_BODIES)
        owner = new_owner()
        run = _Run(self, owner, report)
        handled = 0
        try:
            while limit is None or handled < limit:
                batch_size = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - handled)
                batch = self.store.claim_messages(owner, self.wall() + LEASE_SECONDS,
                                                  self.clock().timestamp(), batch_size, ids)
                if not batch:
                    break
                handled += len(batch)
                for position, message in enumerate(batch):
                    if (stop is not None and stop.is_set()) or report.error:
                        run.release(batch[position:], "the run stopped before this message")
                        return report
                    run.send(message)
        finally:
            run.close()
            self.store.flush_outbox()
        return report


class _Run:
    """One delivery run's connection and bookkeeping."""

    def __init__(self, outbox: Outbox, owner: str, report: DeliveryReport) -> None:
        self.outbox = outbox
        self.store = outbox.store
        self.settings = outbox.settings
        self.owner = owner
        self.report = report
        self.link: Link | None = None
        self.on_link = 0
        self.unsynced = 0
        self.synced_at = time.monotonic()

    def close(self) -> None:
        if self.link is not None:
            self.link.close()
            self.link = None

    def release(self, messages: Sequence[ClaimedMessage], reason: str) -> None:
        later = self.outbox.clock().timestamp() + self.settings.mail_retry_backoff
        for message in messages:
            self.store.release_untried(message.id, self.owner, later, reason)

    def send(self, message: ClaimedMessage) -> None:
        now = self.outbox.clock()
        stale = self._why_not(message, now)
        if stale is not None:
            if self.store.finish_failed(message.id, self.owner, now, "cancelled", stale):
                self.report.cancelled += 1
            return
        link = self._link(message)
        if link is None:
            return
        lease_until = self.outbox.wall() + LEASE_SECONDS
        try:
            outcome = link.deliver(
                message.sender, message.recipient, message.data,
                lambda: self.store.mark_sending(message.id, self.owner, lease_until))
        except TransportError as error:  # the sender itself was refused
            self.close()
            self.report.error = str(error)
            self.release([message], str(error))
            logger.error("mail: %s", error)
            return
        self.on_link += 1
        if not outcome.connection_usable:
            self.close()
        self._record(message, outcome)

    def _sync_due(self) -> bool:
        """Group commit: fsync every SYNC_EVERY messages or SYNC_SECONDS."""
        self.unsynced += 1
        if self.unsynced < SYNC_EVERY and time.monotonic() - self.synced_at < SYNC_SECONDS:
            return False
        self.unsynced, self.synced_at = 0, time.monotonic()
        return True

    def _why_not(self, message: ClaimedMessage, now: dt.datetime) -> str | None:
        """Why a message must not go out any more (unsubscribed, suspended, too old)."""
        if message.subscriber_id is not None:
            subscriber = self.store.get_subscriber(message.subscriber_id)
            if subscriber is None:
                return "the subscriber is gone"
            if subscriber.status == "suspended":
                return "mail to this address is stopped"
            if message.kind != "confirm" and subscriber.status != "active":
                return f"the address is {subscriber.status}"
            if message.kind == "digest" and subscriber.preferences.frequency == "off":
                return "the subscriber paused their digests"
        if message.kind == "digest" and now - message.created_at > DIGEST_MAX_AGE:
            return "too old to be worth sending"
        if not message.data:
            return "the message text is gone"
        return None

    def _link(self, message: ClaimedMessage) -> Link | None:
        if self.link is not None and self.on_link >= self.settings.mail_per_connection:
            self.close()
        if self.link is None:
            try:
                self.link = self.outbox.connect()
            except TransportError as error:
                self.report.error = str(error)
                self.release([message], str(error))
                logger.error("mail: %s", error)
                return None
            self.on_link = 0
        return self.link

    def _record(self, message: ClaimedMessage, outcome: Outcome) -> None:
        store, report, now = self.store, self.report, self.outbox.clock()
        if outcome.kind in ("accepted", "in_doubt"):
            confirmed = outcome.kind == "accepted"
            if store.finish_sent(message.id, self.owner, now, confirmed,
                                 None if confirmed else outcome.describe(), self._sync_due()):
                if confirmed:
                    report.sent += 1
                else:
                    report.unconfirmed += 1
            return
        if outcome.kind == "lost_lease":
            logger.warning("message %s was taken over by another sender; left to it", message.id)
            return
        error = outcome.describe()
        tries = message.attempts + 1
        if outcome.kind == "refused":
            report.refused += 1
            if message.subscriber_id is not None and store.record_refusal(
                    message.subscriber_id, error, self.settings.mail_bounce_limit, now):
                report.suspended.append(message.recipient)
                if store.finish_failed(message.id, self.owner, now, "failed",
                                       f"{error}; mail to this address stopped"):
                    report.failed += 1
                return
        else:
            report.deferred += 1
        if tries >= self.settings.mail_max_attempts:
            if store.finish_failed(message.id, self.owner, now, "failed",
                                   f"{error} (gave up after {tries} tries)"):
                report.failed += 1
            return
        delay = backoff_seconds(self.settings.mail_retry_backoff, tries)
        store.retry_later(message.id, self.owner, now.timestamp() + delay, error)
