"""Storage of upvotes and libraries.

Vote times are unix seconds (an INTEGER), not ISO text like other stamps:
trending sums decayed weights over millions of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from papertide.exceptions import NotFoundError
from papertide.library.models import LibraryOrder, SavedPaper, TagCount
from papertide.store.sql.mixin import IntegrityViolation, SqlMixin, placeholders
from papertide.store.sql.rows import stamp, unstamp

ID_CHUNK = 500
_LIBRARY_ORDERS: dict[LibraryOrder, str] = {
    "saved": "l.saved_at DESC, l.arxiv_id",
    "announced": "p.announced_date DESC NULLS LAST, l.arxiv_id DESC",
    "title": "lower(p.title), l.arxiv_id",
}


def _escape_like(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern (escape character ``!``)."""
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield list(ids[start:start + ID_CHUNK])


class LibraryMixin(SqlMixin):
    # -- votes --------------------------------------------------------------------------

    def add_vote(self, user_id: int, arxiv_id: str, now: dt.datetime) -> bool:
        try:
            with self.transaction(), self._guard("saving a vote"):
                cursor = self._connection().execute(
                    "INSERT INTO votes (user_id, arxiv_id, voted_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (user_id, arxiv_id, int(now.timestamp())),
                )
        except IntegrityViolation:  # foreign key: no such paper or user
            raise NotFoundError(f"paper {arxiv_id} is not in this papertide") from None
        return cursor.rowcount == 1

    def remove_vote(self, user_id: int, arxiv_id: str) -> bool:
        with self.transaction(), self._guard("removing a vote"):
            cursor = self._connection().execute(
                "DELETE FROM votes WHERE user_id = ? AND arxiv_id = ?", (user_id, arxiv_id)
            )
        return cursor.rowcount == 1

    def vote_counts(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in _chunks(arxiv_ids):
            with self._guard("counting votes"):
                counts.update(self._connection().execute(
                    f"SELECT arxiv_id, count(*) FROM votes WHERE arxiv_id IN "
                    f"({placeholders(chunk)}) GROUP BY arxiv_id", chunk,
                ).fetchall())
        return counts

    def voted_by(self, user_id: int, arxiv_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(arxiv_ids):
            with self._guard("reading votes"):
                found.update(row[0] for row in self._connection().execute(
                    f"SELECT arxiv_id FROM votes WHERE user_id = ? AND arxiv_id IN "
                    f"({placeholders(chunk)})", [user_id, *chunk],
                ))
        return found

    def vote_times_since(self, since: dt.datetime) -> Iterator[tuple[str, int]]:
        with self._guard("reading votes"):
            cursor = self._connection().execute(
                "SELECT arxiv_id, voted_at FROM votes WHERE voted_at > ?",
                (int(since.timestamp()),),
            )
            while rows := cursor.fetchmany(10_000):
                yield from rows

    def vote_times_for(self, arxiv_ids: Sequence[str]) -> dict[str, list[int]]:
        times: dict[str, list[int]] = {}
        for chunk in _chunks(arxiv_ids):
            with self._guard("reading votes"):
                for arxiv_id, voted_at in self._connection().execute(
                    f"SELECT arxiv_id, voted_at FROM votes WHERE arxiv_id IN "
                    f"({placeholders(chunk)})", chunk,
                ):
                    times.setdefault(arxiv_id, []).append(int(voted_at))
        return times

    # -- library ------------------------------------------------------------------------

    def save_paper(self, user_id: int, arxiv_id: str, tags: Sequence[str],
                   now: dt.datetime) -> SavedPaper:
        try:
            with self.transaction(), self._guard("saving to the library"):
                connection = self._connection()
                connection.execute(
                    "INSERT INTO library (user_id, arxiv_id, saved_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (user_id, arxiv_id, stamp(now)),
                )
                connection.execute(
                    "DELETE FROM library_tags WHERE user_id = ? AND arxiv_id = ?",
                    (user_id, arxiv_id),
                )
                connection.executemany(
                    "INSERT INTO library_tags (user_id, arxiv_id, tag) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    [(user_id, arxiv_id, tag) for tag in tags],
                )
        except IntegrityViolation:
            raise NotFoundError(f"paper {arxiv_id} is not in this papertide") from None
        saved = self.saved_by(user_id, [arxiv_id])
        return saved[arxiv_id]

    def unsave_paper(self, user_id: int, arxiv_id: str) -> bool:
        with self.transaction(), self._guard("removing from the library"):
            cursor = self._connection().execute(
                "DELETE FROM library WHERE user_id = ? AND arxiv_id = ?", (user_id, arxiv_id)
            )
        return cursor.rowcount == 1

    def saved_papers(self, user_id: int, tag: str | None, limit: int, offset: int,
                     text: str | None = None,
                     order: LibraryOrder = "saved") -> tuple[list[SavedPaper], int]:
        where = "WHERE l.user_id = ?"
        values: list[object] = [user_id]
        if tag is not None:
            where += (" AND EXISTS (SELECT 1 FROM library_tags t WHERE t.user_id = l.user_id "
                      "AND t.arxiv_id = l.arxiv_id AND t.tag = ?)")
            values.append(tag)
        if text:
            pattern = "%" + _escape_like(text.lower()) + "%"
            where += (" AND (lower(p.title) LIKE ? ESCAPE '!' OR lower(p.authors) LIKE ? "
                      "ESCAPE '!' OR lower(l.arxiv_id) LIKE ? ESCAPE '!')")
            values += [pattern, pattern, pattern]
        joined = f"FROM library l JOIN papers p ON p.arxiv_id = l.arxiv_id {where}"
        with self._guard("reading the library"):
            connection = self._connection()
            total = connection.execute(f"SELECT count(*) {joined}", values).fetchone()[0]
            ids = [row[0] for row in connection.execute(
                f"SELECT l.arxiv_id {joined} ORDER BY {_LIBRARY_ORDERS[order]} "
                "LIMIT ? OFFSET ?",
                [*values, limit, offset],
            )]
        saved = self.saved_by(user_id, ids)
        return [saved[arxiv_id] for arxiv_id in ids if arxiv_id in saved], int(total)

    def saved_by(self, user_id: int, arxiv_ids: Sequence[str]) -> dict[str, SavedPaper]:
        found: dict[str, SavedPaper] = {}
        for chunk in _chunks(arxiv_ids):
            with self._guard("reading the library"):
                connection = self._connection()
                tags: dict[str, list[str]] = {}
                for arxiv_id, tag in connection.execute(
                    f"SELECT arxiv_id, tag FROM library_tags WHERE user_id = ? AND arxiv_id IN "
                    f"({placeholders(chunk)}) ORDER BY tag", [user_id, *chunk],
                ):
                    tags.setdefault(arxiv_id, []).append(tag)
                for arxiv_id, saved_at in connection.execute(
                    f"SELECT arxiv_id, saved_at FROM library WHERE user_id = ? AND arxiv_id IN "
                    f"({placeholders(chunk)})", [user_id, *chunk],
                ):
                    moment = unstamp(saved_at)
                    assert moment is not None
                    found[arxiv_id] = SavedPaper(arxiv_id, moment, tuple(tags.get(arxiv_id, ())))
        return found

    def library_tags(self, user_id: int) -> list[TagCount]:
        with self._guard("reading library tags"):
            rows = self._connection().execute(
                "SELECT tag, count(*) FROM library_tags WHERE user_id = ? "
                "GROUP BY tag ORDER BY count(*) DESC, tag", (user_id,),
            ).fetchall()
        return [TagCount(tag, int(count)) for tag, count in rows]
