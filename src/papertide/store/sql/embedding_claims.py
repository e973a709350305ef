"""Claimed embedding ranges (see ``store.embedding_claims``), in SQL both engines run.

Every step is one write transaction, and both engines run write transactions
one at a time (SQLite's single writer, PostgreSQL's advisory write lock), so a
read-then-write here (cut the next range above the highest one, check a fence
then store) cannot interleave with another worker's.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from papertide.store.embedding_claims import EmbeddingClaim
from papertide.store.sql.mixin import SqlConnection, SqlMixin
from papertide.store.sql.vectors import WATERMARK_KEY, set_watermark, write_vectors
from papertide.store.vectors import NewVector

# The range is still held under the claim that is storing or renewing it.
_HELD = "id = :id AND fence = :fence AND state = 'claimed'"


def _watermark(connection: SqlConnection, model: str) -> int:
    row = connection.execute("SELECT value FROM meta WHERE key = ?",
                             (WATERMARK_KEY + model,)).fetchone()
    return int(row[0]) if row else 0


class EmbeddingClaimsMixin(SqlMixin):
    if TYPE_CHECKING:
        def max_vector_seq(self) -> int: ...  # VectorsMixin's, beside this one in every store

    def claim_embedding_range(
        self, model: str, owner: str, now: float, lease_until: float, max_papers: int
    ) -> EmbeddingClaim | None:
        with self.transaction(), self._guard("claiming papers to embed"):
            connection = self._connection()
            expired = connection.execute(
                "SELECT id, after_seq, through_seq, papers, fence, owner FROM embedding_ranges "
                "WHERE model = ? AND state = 'claimed' AND lease_until < ? "
                "ORDER BY after_seq LIMIT 1", (model, now)).fetchone()
            if expired is not None:
                fence = int(expired[4]) + 1
                connection.execute(
                    "UPDATE embedding_ranges SET owner = ?, lease_until = ?, fence = ? "
                    "WHERE id = ?", (owner, lease_until, fence, expired[0]))
                return EmbeddingClaim(int(expired[0]), model, int(expired[1]), int(expired[2]),
                                      int(expired[3]), fence, expired[5] or None,
                                      self._unclaimed_above(connection, model, 0))
            highest = connection.execute(
                "SELECT max(through_seq) FROM embedding_ranges WHERE model = ?",
                (model,)).fetchone()[0]
            after = max(_watermark(connection, model), int(highest or 0))
            cut = connection.execute(
                "SELECT count(*), max(change_seq) FROM (SELECT change_seq FROM papers "
                "WHERE change_seq > ? ORDER BY change_seq LIMIT ?) AS chosen",
                (after, max_papers)).fetchone()
            if not cut[0]:
                return None
            papers, through = int(cut[0]), int(cut[1])
            row = connection.execute(
                "INSERT INTO embedding_ranges (model, after_seq, through_seq, papers, state, "
                "owner, lease_until, fence) VALUES (?, ?, ?, ?, 'claimed', ?, ?, 1) RETURNING id",
                (model, after, through, papers, owner, lease_until)).fetchone()
            return EmbeddingClaim(int(row[0]), model, after, through, papers, 1, None,
                                  self._unclaimed_above(connection, model, through))

    def renew_embedding_claim(self, claim: EmbeddingClaim, lease_until: float) -> bool:
        # Where rows lock (PostgreSQL) one conditional update needs no write lock.
        with (nullcontext() if self.dialect.lock_rows else self.transaction()), \
                self._guard("renewing a claim on papers to embed"):
            cursor = self._connection().execute(
                f"UPDATE embedding_ranges SET lease_until = :until WHERE {_HELD}",
                {"until": lease_until, **self._held(claim)})
        return cursor.rowcount == 1

    def release_embedding_claim(self, claim: EmbeddingClaim) -> bool:
        with self.transaction(), self._guard("giving back papers to embed"):
            cursor = self._connection().execute(
                f"UPDATE embedding_ranges SET owner = NULL, lease_until = 0 WHERE {_HELD}",
                self._held(claim))
        return cursor.rowcount == 1

    def finish_embedding_range(
        self, claim: EmbeddingClaim, vectors: Sequence[NewVector], unchanged: Sequence[str]
    ) -> bool:
        with self.transaction(), self._guard("storing embedded papers"):
            connection = self._connection()
            done = connection.execute(
                f"UPDATE embedding_ranges SET state = 'done', owner = NULL, lease_until = NULL "
                f"WHERE {_HELD}", self._held(claim))
            if done.rowcount != 1:
                return False
            write_vectors(connection, claim.model, vectors, unchanged, self.max_vector_seq() + 1)
            self._advance_watermark(connection, claim.model)
        return True

    def restart_embedding(self, model: str) -> None:
        with self.transaction(), self._guard("restarting embedding"):
            connection = self._connection()
            connection.execute("DELETE FROM embedding_ranges WHERE model = ?", (model,))
            set_watermark(connection, model, 0)

    def embedding_ranges(self, model: str) -> list[tuple[int, int, str]]:
        with self._guard("reading the ranges being embedded"):
            rows = self._connection().execute(
                "SELECT after_seq, through_seq, state FROM embedding_ranges WHERE model = ? "
                "ORDER BY after_seq", (model,)).fetchall()
        return [(int(row[0]), int(row[1]), str(row[2])) for row in rows]

    # -- inside a claim's transaction -------------------------------------------------------

    @staticmethod
    def _held(claim: EmbeddingClaim) -> dict[str, Any]:
        return {"id": claim.id, "fence": claim.fence}

    @staticmethod
    def _unclaimed_above(connection: SqlConnection, model: str, through: int) -> bool:
        """Whether papers wait that no range covers (above ``through`` and every range)."""
        highest = connection.execute(
            "SELECT max(through_seq) FROM embedding_ranges WHERE model = ?",
            (model,)).fetchone()[0]
        above = max(through, int(highest or 0), _watermark(connection, model))
        return connection.execute("SELECT 1 FROM papers WHERE change_seq > ? LIMIT 1",
                                  (above,)).fetchone() is not None

    @staticmethod
    def _advance_watermark(connection: SqlConnection, model: str) -> None:
        """Move the watermark over the done ranges that follow it without a gap, and forget
        the ranges it has passed (the table holds only what is in flight)."""
        watermark = start = _watermark(connection, model)
        for after, through, state in connection.execute(
                "SELECT after_seq, through_seq, state FROM embedding_ranges WHERE model = ? "
                "ORDER BY after_seq", (model,)).fetchall():
            if int(through) <= watermark:
                continue
            if state != "done" or int(after) > watermark:
                break
            watermark = int(through)
        if watermark != start:
            set_watermark(connection, model, watermark)
        connection.execute("DELETE FROM embedding_ranges WHERE model = ? AND through_seq <= ? "
                           "AND state = 'done'", (model, watermark))
