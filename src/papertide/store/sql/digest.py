"""Storage of subscribers, the outbox and mailed papers."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from papertide.digest.models import (
    ClaimedMessage,
    Lease,
    NewMessage,
    OutboxCounts,
    OutboxRecord,
    OutboxState,
)
from papertide.exceptions import StorageError
from papertide.store.sql.mixin import IntegrityViolation, SqlMixin, placeholders
from papertide.store.sql.rows import stamp, unstamp
from papertide.subscriptions.models import (
    Frequency,
    Preferences,
    Subscriber,
    SubscriberStatus,
)

_SUBSCRIBER_COLUMNS = (
    "id, email, status, frequency, trending_count, categories, searches, send_empty, "
    "personal_picks, name, created_at, confirmed_at, unsubscribed_at, bounce_count, "
    "last_error, suspended_at"
)
_RECORD_COLUMNS = (
    "id, key, kind, subscriber_id, recipient, message_id, state, attempts, created_at, "
    "next_attempt_at, finished_at, confirmed, last_error"
)
_WAITING = ("pending", "claimed")
MAX_ERROR = 500


def _subscriber(row: Sequence[Any]) -> Subscriber:
    created = unstamp(row[10])
    assert created is not None
    preferences = Preferences(
        frequency=row[3], trending_count=int(row[4]), categories=tuple(json.loads(row[5])),
        searches=tuple(json.loads(row[6])), send_empty=bool(row[7]),
        personal_picks=bool(row[8]), name=row[9],
    )
    return Subscriber(int(row[0]), row[1], row[2], preferences, created, unstamp(row[11]),
                      unstamp(row[12]), int(row[13]), row[14], unstamp(row[15]))


def _from_unix(value: float | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromtimestamp(value, dt.UTC)


def _record(row: Sequence[Any]) -> OutboxRecord:
    created = unstamp(row[8])
    assert created is not None
    return OutboxRecord(int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6],
                        int(row[7]), created, _from_unix(row[9]), unstamp(row[10]),
                        bool(row[11]), row[12])


def _short(error: str) -> str:
    return error[:MAX_ERROR]


class DigestMixin(SqlMixin):
    # -- subscribers --------------------------------------------------------------------

    def add_subscriber(self, email: str, preferences: Preferences, now: dt.datetime
                       ) -> Subscriber:
        try:
            with self.transaction():
                cursor = self._connection().execute(
                    "INSERT INTO subscribers (email, status, created_at) VALUES (?, 'pending', ?) "
                    "RETURNING id",
                    (email, stamp(now)),
                )
                subscriber_id = int(cursor.fetchone()[0])
                self.save_preferences(subscriber_id, preferences)
        except IntegrityViolation:
            raise StorageError(f"the address {email} is subscribed already") from None
        found = self.get_subscriber(subscriber_id)
        assert found is not None
        return found

    def get_subscriber(self, subscriber_id: int) -> Subscriber | None:
        return self._one_subscriber("id = ?", subscriber_id)

    def subscriber_by_email(self, email: str) -> Subscriber | None:
        return self._one_subscriber("email = ?", email)

    def _one_subscriber(self, where: str, value: object) -> Subscriber | None:
        with self._guard("reading a subscriber"):
            row = self._connection().execute(
                f"SELECT {_SUBSCRIBER_COLUMNS} FROM subscribers WHERE {where}", (value,)
            ).fetchone()
        return _subscriber(row) if row else None

    def set_subscriber_status(self, subscriber_id: int, status: SubscriberStatus,
                              now: dt.datetime) -> None:
        changes = {
            "pending": "",
            "active": ", confirmed_at = coalesce(confirmed_at, :now), unsubscribed_at = NULL, "
                      "bounce_count = 0, suspended_at = NULL, last_error = NULL",
            "unsubscribed": ", unsubscribed_at = :now",
            "suspended": ", suspended_at = :now",
        }[status]
        with self.transaction(), self._guard("changing a subscription"):
            self._connection().execute(
                f"UPDATE subscribers SET status = :status{changes} WHERE id = :id",
                {"status": status, "now": stamp(now), "id": subscriber_id},
            )
            if status in ("unsubscribed", "suspended"):
                self._cancel_waiting(subscriber_id, now, f"the address is {status}")

    def save_preferences(self, subscriber_id: int, preferences: Preferences) -> None:
        with self.transaction(), self._guard("saving preferences"):
            self._connection().execute(
                "UPDATE subscribers SET frequency = ?, trending_count = ?, categories = ?, "
                "searches = ?, send_empty = ?, personal_picks = ?, name = ? WHERE id = ?",
                (preferences.frequency, preferences.trending_count,
                 json.dumps(list(preferences.categories)),
                 json.dumps(list(preferences.searches), ensure_ascii=False),
                 int(preferences.send_empty), int(preferences.personal_picks),
                 preferences.name, subscriber_id),
            )

    def delete_subscriber(self, subscriber_id: int) -> bool:
        with self.transaction(), self._guard("removing a subscriber"):
            cursor = self._connection().execute(
                "DELETE FROM subscribers WHERE id = ?", (subscriber_id,))
        return cursor.rowcount > 0

    def subscribers_receiving(self, frequency: Frequency) -> list[Subscriber]:
        with self._guard("listing subscribers"):
            rows = self._connection().execute(
                f"SELECT {_SUBSCRIBER_COLUMNS} FROM subscribers "
                "WHERE status = 'active' AND frequency = ? ORDER BY id", (frequency,)
            ).fetchall()
        return [_subscriber(row) for row in rows]

    def failing_subscribers(self, limit: int) -> list[Subscriber]:
        with self._guard("listing failing addresses"):
            rows = self._connection().execute(
                f"SELECT {_SUBSCRIBER_COLUMNS} FROM subscribers "
                "WHERE status = 'suspended' OR bounce_count > 0 "
                "ORDER BY status = 'suspended' DESC, coalesce(suspended_at, '') DESC, "
                "bounce_count DESC, id LIMIT ?", (limit,)
            ).fetchall()
        return [_subscriber(row) for row in rows]

    def subscriber_counts(self) -> dict[str, int]:
        with self._guard("counting subscribers"):
            rows = self._connection().execute(
                "SELECT status, count(*) FROM subscribers GROUP BY status").fetchall()
        return {row[0]: int(row[1]) for row in rows}

    def mailed_among(self, arxiv_ids: Sequence[str]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        with self._guard("reading mailed papers"):
            for start in range(0, len(arxiv_ids), 500):
                chunk = list(arxiv_ids[start:start + 500])
                for subscriber_id, arxiv_id in self._connection().execute(
                        "SELECT subscriber_id, arxiv_id FROM mailed_papers "
                        f"WHERE arxiv_id IN ({placeholders(chunk)})", chunk):
                    found.setdefault(int(subscriber_id), set()).add(arxiv_id)
        return found

    # -- the outbox: adding -------------------------------------------------------------

    def enqueue_message(self, message: NewMessage, now: dt.datetime) -> int | None:
        with self.transaction(), self._guard("queueing a message"):
            connection = self._connection()
            cursor = connection.execute(
                "INSERT INTO outbox (key, kind, subscriber_id, recipient, sender, message_id, "
                "body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO NOTHING RETURNING id",
                (message.key, message.kind, message.subscriber_id, message.recipient,
                 message.sender, message.message_id, zlib.compress(message.data, 1),
                 stamp(now), now.timestamp()),
            )
            inserted = cursor.fetchone()
            if inserted is None:
                return None
            outbox_id = int(inserted[0])
            if message.subscriber_id is not None and message.arxiv_ids:
                connection.executemany(
                    "INSERT INTO mailed_papers (subscriber_id, arxiv_id, outbox_id) "
                    "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [(message.subscriber_id, arxiv_id, outbox_id)
                     for arxiv_id in message.arxiv_ids],
                )
            if message.subscriber_id is not None and message.event_ids:
                connection.executemany(
                    "INSERT INTO mailed_events (subscriber_id, event_id, outbox_id) "
                    "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [(message.subscriber_id, event_id, outbox_id)
                     for event_id in message.event_ids],
                )
        return outbox_id

    def existing_outbox_keys(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self._guard("reading the outbox"):
            for start in range(0, len(keys), 500):
                chunk = list(keys[start:start + 500])
                rows = self._connection().execute(
                    f"SELECT key FROM outbox WHERE key IN ({placeholders(chunk)})", chunk
                ).fetchall()
                found.update(row[0] for row in rows)
        return found

    # -- the outbox: sending ------------------------------------------------------------

    def claim_messages(self, owner: str, lease_until: float, now: float, limit: int,
                       ids: Sequence[int] | None = None) -> list[ClaimedMessage]:
        where = "state = 'pending' AND next_attempt_at <= ?"
        values: list[Any] = [now]
        if ids is not None:
            where += f" AND id IN ({placeholders(ids)})"
            values.extend(ids)
        with self.transaction(), self._guard("claiming messages"):
            connection = self._connection()
            rows = connection.execute(
                "SELECT id, key, kind, subscriber_id, recipient, sender, body, attempts, "
                "created_at "
                f"FROM outbox WHERE {where} ORDER BY next_attempt_at, id LIMIT ?",
                (*values, limit),
            ).fetchall()
            connection.executemany(
                "UPDATE outbox SET state = 'claimed', lease_owner = ?, lease_until = ? "
                "WHERE id = ? AND state = 'pending'",
                [(owner, lease_until, row[0]) for row in rows],
            )
        return [ClaimedMessage(int(row[0]), row[1], row[2], row[3], row[4], row[5],
                               zlib.decompress(row[6]) if row[6] is not None else b"",
                               int(row[7]), unstamp(row[8]) or dt.datetime.now(dt.UTC))
                for row in rows]

    def outbox_leases(self) -> list[Lease]:
        with self._guard("reading outbox leases"):
            rows = self._connection().execute(
                "SELECT id, state, lease_owner, lease_until FROM outbox "
                "WHERE state IN ('claimed', 'sending')"
            ).fetchall()
        return [Lease(int(row[0]), row[1], row[2] or "", _from_unix(row[3] or 0.0)
                      or dt.datetime.min.replace(tzinfo=dt.UTC)) for row in rows]

    def requeue_message(self, message_id: int, owner: str) -> bool:
        return self._update_held(
            "state = 'pending', lease_owner = NULL, lease_until = NULL", message_id, owner,
            "claimed")

    def settle_in_doubt(self, message_id: int, owner: str, now: dt.datetime, note: str) -> bool:
        return self._update_held(
            "state = 'sent', confirmed = 0, finished_at = :now, last_error = :note, "
            "lease_owner = NULL, lease_until = NULL", message_id, owner, "sending",
            now=stamp(now), note=_short(note))

    def mark_sending(self, message_id: int, owner: str, lease_until: float) -> bool:
        # Not fsynced: the message's last bytes follow this commit, and the time between
        # must stay as short as possible (see digest.outbox); finish_sent is durable.
        return self._update_held("state = 'sending', lease_until = :until", message_id,
                                 owner, "claimed", until=lease_until)

    def finish_sent(self, message_id: int, owner: str, now: dt.datetime, confirmed: bool,
                    note: str | None = None, durable: bool = True) -> bool:
        with self._durable(durable), self.transaction(), self._guard("marking a message sent"):
            done = self._update_held(
                "state = 'sent', confirmed = :confirmed, finished_at = :now, "
                "last_error = :note, attempts = attempts + 1, lease_owner = NULL, "
                "lease_until = NULL", message_id, owner, "sending",
                confirmed=int(confirmed), now=stamp(now), note=note)
            if done and confirmed:
                self._connection().execute(
                    "UPDATE subscribers SET bounce_count = 0 WHERE id = "
                    "(SELECT subscriber_id FROM outbox WHERE id = ?) AND status != 'suspended'",
                    (message_id,))
        return done

    def retry_later(self, message_id: int, owner: str, next_attempt_at: float,
                    error: str) -> bool:
        return self._update_held(
            "state = 'pending', attempts = attempts + 1, next_attempt_at = :next, "
            "last_error = :error, lease_owner = NULL, lease_until = NULL",
            message_id, owner, "claimed", "sending", next=next_attempt_at, error=_short(error))

    def release_untried(self, message_id: int, owner: str, next_attempt_at: float,
                        error: str) -> bool:
        return self._update_held(
            "state = 'pending', next_attempt_at = :next, last_error = :error, "
            "lease_owner = NULL, lease_until = NULL",
            message_id, owner, "claimed", next=next_attempt_at, error=_short(error))

    def finish_failed(self, message_id: int, owner: str | None, now: dt.datetime,
                      state: OutboxState, error: str) -> bool:
        counted = ", attempts = attempts + 1" if state == "failed" else ""
        with self.transaction(), self._guard("giving up a message"):
            connection = self._connection()
            if owner is None:
                cursor = connection.execute(
                    f"UPDATE outbox SET state = ?, finished_at = ?, last_error = ?{counted} "
                    "WHERE id = ? AND state = 'pending'",
                    (state, stamp(now), _short(error), message_id))
                done = cursor.rowcount == 1
            else:
                done = self._update_held(
                    f"state = :state, finished_at = :now, last_error = :error{counted}, "
                    "lease_owner = NULL, lease_until = NULL", message_id, owner, "claimed",
                    "sending", state=state, now=stamp(now), error=_short(error))
            if done:
                connection.execute("DELETE FROM mailed_papers WHERE outbox_id = ?",
                                   (message_id,))
                connection.execute("DELETE FROM mailed_events WHERE outbox_id = ?",
                                   (message_id,))
        return done

    def record_refusal(self, subscriber_id: int, error: str, limit: int, now: dt.datetime
                       ) -> bool:
        with self.transaction(), self._guard("recording a refused message"):
            connection = self._connection()
            connection.execute(
                "UPDATE subscribers SET bounce_count = bounce_count + 1, last_error = ? "
                "WHERE id = ?", (_short(error), subscriber_id))
            row = connection.execute(
                "SELECT bounce_count, status FROM subscribers WHERE id = ?", (subscriber_id,)
            ).fetchone()
            if row is None:
                return False
            if row[1] == "suspended":
                return True
            if int(row[0]) < limit:
                return False
            connection.execute(
                "UPDATE subscribers SET status = 'suspended', suspended_at = ? WHERE id = ?",
                (stamp(now), subscriber_id))
            self._cancel_waiting(subscriber_id, now,
                                 f"mail to this address stopped after {row[0]} refusals")
        return True

    def _cancel_waiting(self, subscriber_id: int, now: dt.datetime, reason: str) -> None:
        """Drop the subscriber's pending messages (claimed ones are cancelled by their worker)."""
        connection = self._connection()
        ids = [row[0] for row in connection.execute(
            "SELECT id FROM outbox WHERE subscriber_id = ? AND state = 'pending'",
            (subscriber_id,))]
        for message_id in ids:
            self.finish_failed(message_id, None, now, "cancelled", reason)

    # -- the outbox: reading ------------------------------------------------------------

    def outbox_counts(self) -> OutboxCounts:
        with self._guard("counting messages"):
            connection = self._connection()
            rows = connection.execute(
                "SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
            unconfirmed = connection.execute(
                "SELECT count(*) FROM outbox WHERE state = 'sent' AND confirmed = 0"
            ).fetchone()[0]
        return OutboxCounts({row[0]: int(row[1]) for row in rows}, int(unconfirmed))

    def outbox_records(self, states: Sequence[OutboxState], limit: int,
                       unconfirmed_only: bool = False) -> list[OutboxRecord]:
        extra = " AND confirmed = 0" if unconfirmed_only else ""
        with self._guard("listing messages"):
            rows = self._connection().execute(
                f"SELECT {_RECORD_COLUMNS} FROM outbox WHERE state IN ({placeholders(states)})"
                f"{extra} ORDER BY id DESC LIMIT ?", (*states, limit)
            ).fetchall()
        return [_record(row) for row in rows]

    def purge_message_bodies(self, finished_before: dt.datetime) -> int:
        with self.transaction(), self._guard("dropping old message texts"):
            cursor = self._connection().execute(
                "UPDATE outbox SET body = NULL WHERE body IS NOT NULL "
                "AND state IN ('sent', 'failed', 'cancelled') AND finished_at < ?",
                (stamp(finished_before),))
        return int(cursor.rowcount)

    # -- helpers ------------------------------------------------------------------------

    def _update_held(self, assignments: str, message_id: int, owner: str, *states: str,
                     **values: Any) -> bool:
        """Apply ``assignments`` if ``owner`` still holds the row in one of ``states``."""
        names = {f"state{i}": state for i, state in enumerate(states)}
        allowed = ", ".join(f":{name}" for name in names)
        with self.transaction(), self._guard("updating a message"):
            cursor = self._connection().execute(
                f"UPDATE outbox SET {assignments} WHERE id = :id AND lease_owner = :owner "
                f"AND state IN ({allowed})",
                {**values, **names, "id": message_id, "owner": owner},
            )
        return cursor.rowcount == 1

    def flush_outbox(self) -> None:
        """Make every committed outbox change durable (engines that commit lazily override)."""

    @contextmanager
    def _durable(self, durable: bool = True) -> Iterator[None]:
        """Commit the body's transaction with a full fsync where the engine does not always."""
        yield
