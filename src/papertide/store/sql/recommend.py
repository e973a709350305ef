"""Storage of "not interested" marks, interest filters and import lookups."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence

from papertide.exceptions import NotFoundError
from papertide.recommend.models import InterestFilters
from papertide.store.sql.mixin import IntegrityViolation, SqlMixin, placeholders
from papertide.store.sql.rows import stamp
from papertide.store.sql.vectors import decode_vector
from papertide.store.vectors import Vector

ID_CHUNK = 500


class RecommendMixin(SqlMixin):
    def mark_not_interested(self, user_id: int, arxiv_id: str, now: dt.datetime) -> bool:
        try:
            with self.transaction(), self._guard("saving a not-interested mark"):
                cursor = self._connection().execute(
                    "INSERT INTO not_interested (user_id, arxiv_id, marked_at) "
                    "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (user_id, arxiv_id, stamp(now)))
        except IntegrityViolation:
            raise NotFoundError(f"paper {arxiv_id} is not in this papertide") from None
        return cursor.rowcount == 1

    def unmark_not_interested(self, user_id: int, arxiv_id: str) -> bool:
        with self.transaction(), self._guard("removing a not-interested mark"):
            cursor = self._connection().execute(
                "DELETE FROM not_interested WHERE user_id = ? AND arxiv_id = ?",
                (user_id, arxiv_id))
        return cursor.rowcount == 1

    def _ids(self, sql: str, user_id: int) -> list[str]:
        with self._guard("reading a profile"):
            return [row[0] for row in self._connection().execute(sql, (user_id,))]

    def not_interested_ids(self, user_id: int) -> list[str]:
        return self._ids("SELECT arxiv_id FROM not_interested WHERE user_id = ? "
                         "ORDER BY marked_at DESC", user_id)

    def voted_ids(self, user_id: int) -> list[str]:
        return self._ids("SELECT arxiv_id FROM votes WHERE user_id = ? ORDER BY voted_at DESC",
                         user_id)

    def saved_ids(self, user_id: int) -> list[str]:
        return self._ids("SELECT arxiv_id FROM library WHERE user_id = ? "
                         "ORDER BY saved_at DESC", user_id)

    def interest_filters(self, user_id: int) -> InterestFilters:
        with self._guard("reading interest filters"):
            row = self._connection().execute(
                "SELECT categories, include_words, exclude_words FROM interest_filters "
                "WHERE user_id = ?", (user_id,)).fetchone()
        if row is None:
            return InterestFilters()
        return InterestFilters(*(tuple(json.loads(value)) for value in row))

    def set_interest_filters(self, user_id: int, filters: InterestFilters,
                             now: dt.datetime) -> None:
        with self.transaction(), self._guard("saving interest filters"):
            self._connection().execute(
                "INSERT INTO interest_filters (user_id, categories, include_words, "
                "exclude_words, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO "
                "UPDATE SET categories = excluded.categories, include_words = "
                "excluded.include_words, exclude_words = excluded.exclude_words, "
                "updated_at = excluded.updated_at",
                (user_id, json.dumps(filters.categories), json.dumps(filters.include_words),
                 json.dumps(filters.exclude_words), stamp(now)))

    def profile_stamp(self, user_id: int) -> str:
        digest = hashlib.blake2b(digest_size=16)
        with self._guard("reading a profile"):
            connection = self._connection()
            for sql in (
                "SELECT arxiv_id FROM library WHERE user_id = ? ORDER BY arxiv_id",
                "SELECT arxiv_id FROM votes WHERE user_id = ? ORDER BY arxiv_id",
                "SELECT '-' || arxiv_id FROM not_interested WHERE user_id = ? ORDER BY arxiv_id",
                "SELECT categories || include_words || exclude_words FROM interest_filters "
                "WHERE user_id = ?",
                "SELECT s.categories || s.personal_picks FROM subscribers s JOIN users u "
                "ON u.email = s.email WHERE u.id = ?",
            ):
                for (value,) in connection.execute(sql, (user_id,)):
                    digest.update(f"{value}\n".encode())
                digest.update(b"|")
        return digest.hexdigest()

    def papers_by_doi(self, dois: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        wanted = [doi.lower() for doi in dois]
        for start in range(0, len(wanted), ID_CHUNK):
            chunk = wanted[start:start + ID_CHUNK]
            with self._guard("looking up DOIs"):
                found.update(self._connection().execute(
                    f"SELECT lower(doi), arxiv_id FROM papers WHERE lower(doi) IN "
                    f"({placeholders(chunk)})", chunk).fetchall())
        return found

    def vectors_for(self, arxiv_ids: Sequence[str], model: str) -> dict[str, Vector]:
        found: dict[str, Vector] = {}
        for start in range(0, len(arxiv_ids), ID_CHUNK):
            chunk = list(arxiv_ids[start:start + ID_CHUNK])
            with self._guard("reading vectors"):
                for arxiv_id, blob in self._connection().execute(
                    f"SELECT arxiv_id, vector FROM paper_vectors WHERE model = ? "
                    f"AND arxiv_id IN ({placeholders(chunk)})", [model, *chunk]):
                    found[arxiv_id] = decode_vector(blob)
        return found
