"""Storage of subscribers, the outbox, and which papers each subscriber was mailed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from papertide.digest.models import (
    ClaimedMessage,
    Lease,
    NewMessage,
    OutboxCounts,
    OutboxRecord,
    OutboxState,
)
from papertide.subscriptions.models import Frequency, Preferences, Subscriber, SubscriberStatus


class SubscriptionStore(Protocol):
    """Subscribers and their preferences (every engine implements it)."""

    def add_subscriber(self, email: str, preferences: Preferences, now: dt.datetime
                       ) -> Subscriber:
        """A new subscriber, pending confirmation; StorageError if the address exists."""
        ...

    def get_subscriber(self, subscriber_id: int) -> Subscriber | None: ...

    def subscriber_by_email(self, email: str) -> Subscriber | None: ...

    def set_subscriber_status(self, subscriber_id: int, status: SubscriberStatus,
                              now: dt.datetime) -> None:
        """Move to ``status``; becoming active clears the bounce count and suspension."""
        ...

    def save_preferences(self, subscriber_id: int, preferences: Preferences) -> None: ...

    def delete_subscriber(self, subscriber_id: int) -> bool:
        """Forget a subscriber with their messages and mailed papers; False if unknown."""
        ...

    def subscribers_receiving(self, frequency: Frequency) -> list[Subscriber]:
        """Active subscribers with this frequency, oldest first."""
        ...

    def failing_subscribers(self, limit: int) -> list[Subscriber]:
        """Suspended addresses and those with refusals, most recent trouble first."""
        ...

    def subscriber_counts(self) -> dict[str, int]:
        """Subscribers per status."""
        ...

    def mailed_among(self, arxiv_ids: Sequence[str]) -> dict[int, set[str]]:
        """Of these papers, which each subscriber was mailed already (one pass per issue)."""
        ...


class OutboxStore(Protocol):
    """Messages on their way out; every change is one atomic, conditional update.

    Times that are compared (``now``, ``next_attempt_at``, lease ends) are
    unix seconds. Methods taking ``owner`` change a row only while that owner
    holds its lease, so a worker that lost its lease changes nothing.
    """

    def enqueue_message(self, message: NewMessage, now: dt.datetime) -> int | None:
        """Store a message and reserve its papers; ``None`` if its key exists already."""
        ...

    def existing_outbox_keys(self, keys: Sequence[str]) -> set[str]: ...

    def claim_messages(self, owner: str, lease_until: float, now: float, limit: int,
                       ids: Sequence[int] | None = None) -> list[ClaimedMessage]:
        """Lease up to ``limit`` due pending messages (only ``ids`` when given), oldest first."""
        ...

    def outbox_leases(self) -> list[Lease]:
        """Every claimed or sending message with its lease (for crash recovery)."""
        ...

    def requeue_message(self, message_id: int, owner: str) -> bool:
        """A claimed message whose holder is gone goes back to pending (never tried)."""
        ...

    def settle_in_doubt(self, message_id: int, owner: str, now: dt.datetime, note: str) -> bool:
        """A sending message whose holder is gone counts as sent, unconfirmed."""
        ...

    def mark_sending(self, message_id: int, owner: str, lease_until: float) -> bool:
        """The point of no return, committed just before the message's last bytes leave."""
        ...

    def finish_sent(self, message_id: int, owner: str, now: dt.datetime, confirmed: bool,
                    note: str | None = None, durable: bool = True) -> bool:
        """Mark sent; a confirmed delivery clears the address's run of refusals.

        ``durable``: fsync this commit and every one before it (power-cut safe).
        """
        ...

    def flush_outbox(self) -> None:
        """Make every committed change durable (fsync), at the end of a delivery run."""
        ...

    def retry_later(self, message_id: int, owner: str, next_attempt_at: float,
                    error: str) -> bool:
        """Back to pending after a failed try (attempts + 1)."""
        ...

    def release_untried(self, message_id: int, owner: str, next_attempt_at: float,
                        error: str) -> bool:
        """Back to pending without counting a try (the connection failed before it)."""
        ...

    def finish_failed(self, message_id: int, owner: str | None, now: dt.datetime,
                      state: OutboxState, error: str) -> bool:
        """Give up (``failed``) or drop (``cancelled``) a message; its papers are freed."""
        ...

    def record_refusal(self, subscriber_id: int, error: str, limit: int, now: dt.datetime
                       ) -> bool:
        """Count a permanent refusal; at ``limit`` in a row suspend the address and
        cancel its waiting messages. True when the address is (now) suspended."""
        ...

    def outbox_counts(self) -> OutboxCounts: ...

    def outbox_records(self, states: Sequence[OutboxState], limit: int,
                       unconfirmed_only: bool = False) -> list[OutboxRecord]:
        """Messages in these states, most recent first."""
        ...

    def purge_message_bodies(self, finished_before: dt.datetime) -> int:
        """Drop the stored text of messages finished before then (the record stays)."""
        ...
