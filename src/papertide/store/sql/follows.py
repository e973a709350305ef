"""Storage of author follows, watches, paper events and private feed tokens."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from papertide.follows.models import AuthorFollow, EventKind, NewPaperEvent, PaperEvent
from papertide.store.sql.mixin import SqlConnection, SqlMixin, placeholders
from papertide.store.sql.rows import stamp, unstamp

_EVENT_COLUMNS = "e.id, e.arxiv_id, e.kind, e.event_key, e.detail, e.created_at"
_KINDS: dict[str, EventKind] = {"version": "version", "journal_ref": "journal_ref",
                                "doi": "doi", "code": "code"}


class FollowsMixin(SqlMixin):
    # -- author follows -----------------------------------------------------------------

    def follow_author(self, user_id: int, follow: AuthorFollow) -> None:
        with self.transaction(), self._guard("following an author"):
            self._connection().execute(
                "INSERT INTO author_follows (user_id, author_key, display_name, coauthors, "
                "ambiguous, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (user_id, author_key) DO UPDATE SET "
                "display_name = excluded.display_name, coauthors = excluded.coauthors, "
                "ambiguous = excluded.ambiguous",
                (user_id, follow.author_key, follow.display_name,
                 json.dumps(list(follow.coauthors), ensure_ascii=False),
                 int(follow.ambiguous), stamp(follow.created_at)),
            )

    def unfollow_author(self, user_id: int, author_key: str) -> bool:
        with self.transaction(), self._guard("unfollowing an author"):
            cursor = self._connection().execute(
                "DELETE FROM author_follows WHERE user_id = ? AND author_key = ?",
                (user_id, author_key))
        return cursor.rowcount == 1

    def author_follows(self, user_ids: Sequence[int]) -> dict[int, list[AuthorFollow]]:
        found: dict[int, list[AuthorFollow]] = {}
        for start in range(0, len(user_ids), 500):
            chunk = list(user_ids[start:start + 500])
            with self._guard("reading follows"):
                rows = self._connection().execute(
                    "SELECT user_id, author_key, display_name, coauthors, ambiguous, created_at "
                    f"FROM author_follows WHERE user_id IN ({placeholders(chunk)}) "
                    "ORDER BY user_id, created_at, author_key", chunk).fetchall()
            for row in rows:
                created = unstamp(row[5])
                assert created is not None
                found.setdefault(int(row[0]), []).append(AuthorFollow(
                    row[1], row[2], tuple(json.loads(row[3])), bool(row[4]), created))
        return found

    def most_followed_authors(self, limit: int) -> list[tuple[str, str, int]]:
        with self._guard("counting follows"):
            rows = self._connection().execute(
                "SELECT author_key, min(display_name), count(*) FROM author_follows "
                "GROUP BY author_key ORDER BY count(*) DESC, author_key LIMIT ?",
                (limit,)).fetchall()
        return [(row[0], row[1], int(row[2])) for row in rows]

    # -- watches ------------------------------------------------------------------------

    def set_watching(self, user_id: int, arxiv_id: str, watching: bool) -> None:
        with self.transaction(), self._guard("changing a watch"):
            if watching:
                self._connection().execute(
                    "DELETE FROM unwatched_papers WHERE user_id = ? AND arxiv_id = ?",
                    (user_id, arxiv_id))
            else:
                self._connection().execute(
                    "INSERT INTO unwatched_papers (user_id, arxiv_id) VALUES (?, ?) "
                    "ON CONFLICT DO NOTHING", (user_id, arxiv_id))

    def unwatched_among(self, user_id: int, arxiv_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(arxiv_ids), 500):
            chunk = list(arxiv_ids[start:start + 500])
            with self._guard("reading watches"):
                found.update(row[0] for row in self._connection().execute(
                    "SELECT arxiv_id FROM unwatched_papers WHERE user_id = ? AND arxiv_id IN "
                    f"({placeholders(chunk)})", [user_id, *chunk]))
        return found

    # -- paper events -------------------------------------------------------------------

    def add_paper_events(self, events: Sequence[NewPaperEvent], now: dt.datetime) -> int:
        if not events:
            return 0
        with self.transaction(), self._guard("saving paper events"):
            return write_paper_events(self._connection(), [(event, now) for event in events])

    def paper_events_for(self, arxiv_id: str) -> list[PaperEvent]:
        with self._guard("reading paper events"):
            rows = self._connection().execute(
                f"SELECT {_EVENT_COLUMNS} FROM paper_events e WHERE e.arxiv_id = ? "
                "ORDER BY e.id", (arxiv_id,)).fetchall()
        return [_event(row) for row in rows]

    def watched_events(self, user_id: int, limit: int) -> list[PaperEvent]:
        with self._guard("reading updates"):
            rows = self._connection().execute(
                f"SELECT {_EVENT_COLUMNS} FROM paper_events e "
                "JOIN library l ON l.arxiv_id = e.arxiv_id AND l.user_id = ? "
                "WHERE e.created_at >= l.saved_at AND NOT EXISTS (SELECT 1 FROM "
                "unwatched_papers u WHERE u.user_id = l.user_id AND u.arxiv_id = e.arxiv_id) "
                "ORDER BY e.id DESC LIMIT ?", (user_id, limit)).fetchall()
        return [_event(row) for row in rows]

    def mailed_events(self, subscriber_id: int, event_ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for start in range(0, len(event_ids), 500):
            chunk = list(event_ids[start:start + 500])
            with self._guard("reading mailed updates"):
                found.update(int(row[0]) for row in self._connection().execute(
                    "SELECT event_id FROM mailed_events WHERE subscriber_id = ? AND event_id IN "
                    f"({placeholders(chunk)})", [subscriber_id, *chunk]))
        return found

    # -- private feeds ------------------------------------------------------------------

    def set_feed_token(self, user_id: int, token_hash: str | None, now: dt.datetime) -> None:
        with self.transaction(), self._guard("changing a feed link"):
            connection = self._connection()
            connection.execute("DELETE FROM feed_tokens WHERE user_id = ?", (user_id,))
            if token_hash is not None:
                connection.execute(
                    "INSERT INTO feed_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)",
                    (user_id, token_hash, stamp(now)))

    def user_by_feed_token(self, token_hash: str) -> int | None:
        with self._guard("reading a feed link"):
            row = self._connection().execute(
                "SELECT user_id FROM feed_tokens WHERE token_hash = ?", (token_hash,)).fetchone()
        return int(row[0]) if row else None

    def has_feed_token(self, user_id: int) -> bool:
        with self._guard("reading a feed link"):
            row = self._connection().execute(
                "SELECT 1 FROM feed_tokens WHERE user_id = ?", (user_id,)).fetchone()
        return row is not None


def write_paper_events(connection: SqlConnection,
                       events: Sequence[tuple[NewPaperEvent, dt.datetime]]) -> int:
    """Insert events not stored before (same paper and key: skipped), inside the caller's
    transaction; shared by the paper and observation writers, which notice events."""
    if not events:
        return 0
    cursor = connection.executemany(
        "INSERT INTO paper_events (arxiv_id, event_key, kind, detail, created_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (arxiv_id, event_key) DO NOTHING",
        [(event.arxiv_id, event.key, event.kind,
          json.dumps(event.detail, ensure_ascii=False, sort_keys=True), stamp(when))
         for event, when in events])
    return max(cursor.rowcount, 0)


def _event(row: Any) -> PaperEvent:
    created = unstamp(row[5])
    assert created is not None
    return PaperEvent(int(row[0]), row[1], _KINDS.get(row[2], "version"), row[3],
                      json.loads(row[4]), created)
