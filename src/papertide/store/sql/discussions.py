"""Storage of comments, their upvotes and reports, and commenters.

A comment readers see is ``visible`` and by an author who is not suspended
(:data:`SHOWN`); every count and every trending or digest signal uses that
one condition, so a hidden or suspended comment stops counting at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from papertide.discussions.models import (
    Comment,
    Commenter,
    CommentReport,
    CommentState,
    NewComment,
)
from papertide.exceptions import NotFoundError
from papertide.store.sql.library import _chunks
from papertide.store.sql.mixin import IntegrityViolation, SqlMixin, placeholders
from papertide.store.sql.rows import stamp, unstamp

SHOWN = ("c.state = 'visible' AND NOT EXISTS (SELECT 1 FROM commenters m "
         "WHERE m.user_id = c.user_id AND m.suspended_at IS NOT NULL)")
_COMMENT = (
    "SELECT c.id, c.arxiv_id, c.parent_id, c.user_id, c.body, c.body_html, c.state, "
    "c.created_at, c.edited_at, "
    "(SELECT count(*) FROM comment_votes v WHERE v.comment_id = c.id), "
    "CASE WHEN m.suspended_at IS NULL THEN 0 ELSE 1 END "
    "FROM comments c LEFT JOIN commenters m ON m.user_id = c.user_id "
)


def _comment(row: Any) -> Comment:
    return Comment(int(row[0]), row[1], None if row[2] is None else int(row[2]),
                   None if row[3] is None else int(row[3]), row[4], row[5], row[6],
                   _moment(row[7]),
                   unstamp(row[8]), int(row[9]), bool(row[10]))


def _unix(text: str) -> float:
    return _moment(text).timestamp()


class DiscussionsMixin(SqlMixin):
    # -- comments -----------------------------------------------------------------------

    def add_comment(self, comment: NewComment, now: dt.datetime) -> tuple[Comment, bool]:
        try:
            with self.transaction(), self._guard("saving a comment"):
                row = self._connection().execute(
                    "INSERT INTO comments (arxiv_id, parent_id, user_id, body, body_html, "
                    "created_at, post_key) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING RETURNING id",
                    (comment.arxiv_id, comment.parent_id, comment.user_id, comment.body,
                     comment.body_html, stamp(now), comment.post_key),
                ).fetchone()
                created = row is not None
                if row is None:
                    row = self._connection().execute(
                        "SELECT id FROM comments WHERE user_id = ? AND post_key = ?",
                        (comment.user_id, comment.post_key),
                    ).fetchone()
        except IntegrityViolation:  # foreign key: no such paper, author or parent
            raise NotFoundError(f"paper {comment.arxiv_id} or the comment answered is not "
                                "in this papertide") from None
        stored = self.get_comment(int(row[0]))
        assert stored is not None
        return stored, created

    def get_comment(self, comment_id: int) -> Comment | None:
        with self._guard("reading a comment"):
            row = self._connection().execute(_COMMENT + "WHERE c.id = ?",
                                             (comment_id,)).fetchone()
        return None if row is None else _comment(row)

    def comment_by_post_key(self, user_id: int, post_key: str) -> Comment | None:
        with self._guard("reading a comment"):
            row = self._connection().execute(
                _COMMENT + "WHERE c.user_id = ? AND c.post_key = ?", (user_id, post_key)
            ).fetchone()
        return None if row is None else _comment(row)

    def comments_for(self, arxiv_id: str) -> list[Comment]:
        with self._guard("reading comments"):
            rows = self._connection().execute(
                _COMMENT + "WHERE c.arxiv_id = ? ORDER BY c.id", (arxiv_id,)).fetchall()
        return [_comment(row) for row in rows]

    def comment_counts(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in _chunks(arxiv_ids):
            with self._guard("counting comments"):
                counts.update((arxiv_id, int(count)) for arxiv_id, count in
                              self._connection().execute(
                    f"SELECT c.arxiv_id, count(*) FROM comments c WHERE c.arxiv_id IN "
                    f"({placeholders(chunk)}) AND {SHOWN} GROUP BY c.arxiv_id", chunk,
                ).fetchall())
        return counts

    def edit_comment(self, comment_id: int, body: str, body_html: str,
                     now: dt.datetime) -> bool:
        with self.transaction(), self._guard("editing a comment"):
            cursor = self._connection().execute(
                "UPDATE comments SET body = ?, body_html = ?, edited_at = ? "
                "WHERE id = ? AND state = 'visible'",
                (body, body_html, stamp(now), comment_id))
        return cursor.rowcount == 1

    def set_comment_state(self, comment_id: int, state: CommentState) -> bool:
        erase = ", body = '', body_html = ''" if state == "deleted" else ""
        with self.transaction(), self._guard("changing a comment"):
            cursor = self._connection().execute(
                f"UPDATE comments SET state = ?{erase} WHERE id = ? AND state <> 'deleted'",
                (state, comment_id))
        return cursor.rowcount == 1

    # -- upvotes and reports ------------------------------------------------------------

    def vote_comment(self, comment_id: int, user_id: int, now: dt.datetime) -> bool:
        try:
            with self.transaction(), self._guard("saving a comment upvote"):
                cursor = self._connection().execute(
                    "INSERT INTO comment_votes (comment_id, user_id, voted_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING", (comment_id, user_id, stamp(now)))
        except IntegrityViolation:
            raise NotFoundError(f"comment {comment_id} is not in this papertide") from None
        return cursor.rowcount == 1

    def unvote_comment(self, comment_id: int, user_id: int) -> bool:
        with self.transaction(), self._guard("removing a comment upvote"):
            cursor = self._connection().execute(
                "DELETE FROM comment_votes WHERE comment_id = ? AND user_id = ?",
                (comment_id, user_id))
        return cursor.rowcount == 1

    def comments_voted_by(self, user_id: int, comment_ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        ids = list(comment_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            with self._guard("reading comment upvotes"):
                found.update(int(row[0]) for row in self._connection().execute(
                    f"SELECT comment_id FROM comment_votes WHERE user_id = ? AND comment_id IN "
                    f"({placeholders(chunk)})", [user_id, *chunk]))
        return found

    def report_comment(self, comment_id: int, user_id: int, reason: str,
                       now: dt.datetime) -> bool:
        try:
            with self.transaction(), self._guard("saving a report"):
                cursor = self._connection().execute(
                    "INSERT INTO comment_reports (comment_id, user_id, reason, created_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (comment_id, user_id, reason, stamp(now)))
        except IntegrityViolation:
            raise NotFoundError(f"comment {comment_id} is not in this papertide") from None
        return cursor.rowcount == 1

    def resolve_reports(self, comment_id: int, now: dt.datetime) -> int:
        with self.transaction(), self._guard("closing reports"):
            cursor = self._connection().execute(
                "UPDATE comment_reports SET resolved_at = ? "
                "WHERE comment_id = ? AND resolved_at IS NULL", (stamp(now), comment_id))
        return cursor.rowcount

    def open_reports(self, limit: int) -> list[CommentReport]:
        with self._guard("reading reports"):
            rows = self._connection().execute(
                "SELECT comment_id, user_id, reason, created_at FROM comment_reports "
                "WHERE resolved_at IS NULL ORDER BY created_at DESC, comment_id LIMIT ?",
                (limit,)).fetchall()
        return [CommentReport(int(row[0]), int(row[1]), row[2], _moment(row[3]))
                for row in rows]

    def newest_comments(self, limit: int, offset: int = 0) -> list[Comment]:
        with self._guard("reading comments"):
            rows = self._connection().execute(
                _COMMENT + "ORDER BY c.id DESC LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return [_comment(row) for row in rows]

    # -- commenters ---------------------------------------------------------------------

    def commenter(self, user_id: int) -> Commenter:
        with self._guard("reading a commenter"):
            row = self._connection().execute(
                "SELECT suspended_at, discussion_mail FROM commenters WHERE user_id = ?",
                (user_id,)).fetchone()
        if row is None:
            return Commenter(user_id)
        return Commenter(user_id, unstamp(row[0]), bool(row[1]))

    def set_commenter_suspended(self, user_id: int, suspended_at: dt.datetime | None) -> None:
        self._upsert_commenter(user_id, "suspended_at", stamp(suspended_at))

    def set_discussion_mail(self, user_id: int, wanted: bool) -> None:
        self._upsert_commenter(user_id, "discussion_mail", int(wanted))

    def _upsert_commenter(self, user_id: int, column: str, value: object) -> None:
        try:
            with self.transaction(), self._guard("saving a commenter"):
                self._connection().execute(
                    f"INSERT INTO commenters (user_id, {column}) VALUES (?, ?) "
                    f"ON CONFLICT (user_id) DO UPDATE SET {column} = excluded.{column}",
                    (user_id, value))
        except IntegrityViolation:
            raise NotFoundError(f"user {user_id} is not in this papertide") from None

    def thread_authors(self, parent_id: int) -> list[int]:
        with self._guard("reading a thread"):
            rows = self._connection().execute(
                "SELECT user_id, min(id) FROM comments WHERE (id = ? OR parent_id = ?) "
                "AND user_id IS NOT NULL GROUP BY user_id ORDER BY min(id)",
                (parent_id, parent_id)).fetchall()
        return [int(row[0]) for row in rows]

    # -- signals ------------------------------------------------------------------------

    def comment_times_since(self, since: dt.datetime) -> Iterator[tuple[str, float]]:
        with self._guard("reading comment times"):
            rows = self._connection().execute(
                f"SELECT c.arxiv_id, c.created_at FROM comments c "
                f"WHERE c.created_at > ? AND {SHOWN}", (stamp(since),)).fetchall()
        for arxiv_id, created_at in rows:
            yield arxiv_id, _unix(created_at)

    def comment_times_for(self, arxiv_ids: Sequence[str]) -> dict[str, list[float]]:
        times: dict[str, list[float]] = {}
        for chunk in _chunks(arxiv_ids):
            with self._guard("reading comment times"):
                for arxiv_id, created_at in self._connection().execute(
                    f"SELECT c.arxiv_id, c.created_at FROM comments c WHERE c.arxiv_id IN "
                    f"({placeholders(chunk)}) AND {SHOWN}", chunk,
                ):
                    times.setdefault(arxiv_id, []).append(_unix(created_at))
        return times

    def most_discussed(self, since: dt.datetime, until: dt.datetime,
                       limit: int) -> list[tuple[str, int]]:
        with self._guard("reading the most discussed papers"):
            rows = self._connection().execute(
                f"SELECT c.arxiv_id, count(*) FROM comments c WHERE c.created_at > ? "
                f"AND c.created_at <= ? AND {SHOWN} GROUP BY c.arxiv_id "
                f"ORDER BY count(*) DESC, c.arxiv_id LIMIT ?",
                (stamp(since), stamp(until), limit)).fetchall()
        return [(arxiv_id, int(count)) for arxiv_id, count in rows]


def _moment(text: str) -> dt.datetime:
    moment = unstamp(text)
    assert moment is not None
    return moment
