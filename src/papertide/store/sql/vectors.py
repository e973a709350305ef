"""Paper vectors: float16 blobs beside their model and text fingerprint.

float16 halves the disk (768 bytes per paper for 384 dimensions); the rounding
changes cosine similarities by about 1e-4, far below what ranking notices.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from papertide.store.sql.mixin import SqlConnection, SqlMixin, placeholders
from papertide.store.sql.rows import day
from papertide.store.vectors import NewVector, StoredVector, Vector

ID_CHUNK = 500
_STORED = np.dtype("<f2")
WATERMARK_KEY = "vectors.embedded_through:"


def encode_vector(vector: Vector) -> bytes:
    return np.asarray(vector, dtype=_STORED).tobytes()


def decode_vector(blob: bytes) -> Vector:
    return np.frombuffer(blob, dtype=_STORED).astype(np.float32)


def write_vectors(connection: SqlConnection, model: str, vectors: Sequence[NewVector],
                  unchanged: Sequence[str], next_seq: int) -> None:
    """Upsert ``vectors`` and give the ``unchanged`` ones a new ``vector_seq`` (numbered
    from ``next_seq``), inside the caller's write transaction."""
    connection.executemany(
        "INSERT INTO paper_vectors (arxiv_id, model, text_hash, vector, vector_seq) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (arxiv_id) DO UPDATE SET "
        "model = excluded.model, text_hash = excluded.text_hash, "
        "vector = excluded.vector, vector_seq = excluded.vector_seq",
        [(item.arxiv_id, model, item.fingerprint, encode_vector(item.vector), next_seq + i)
         for i, item in enumerate(vectors)],
    )
    next_seq += len(vectors)
    connection.executemany(
        "UPDATE paper_vectors SET vector_seq = ? WHERE arxiv_id = ? AND model = ?",
        [(next_seq + i, arxiv_id, model) for i, arxiv_id in enumerate(unchanged)],
    )


def set_watermark(connection: SqlConnection, model: str, watermark: int) -> None:
    connection.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (WATERMARK_KEY + model, str(watermark)),
    )


class VectorsMixin(SqlMixin):
    def embedding_watermark(self, model: str) -> int:
        with self._guard("reading the embedding watermark"):
            row = self._connection().execute(
                "SELECT value FROM meta WHERE key = ?", (WATERMARK_KEY + model,)
            ).fetchone()
        return int(row[0]) if row else 0

    def count_papers_changed_since(self, change_seq: int) -> int:
        with self._guard("counting changed papers"):
            return int(self._connection().execute(
                "SELECT count(*) FROM papers WHERE change_seq > ?", (change_seq,)
            ).fetchone()[0])

    def vector_fingerprints(self, arxiv_ids: Sequence[str], model: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(arxiv_ids), ID_CHUNK):
            chunk = list(arxiv_ids[start:start + ID_CHUNK])
            with self._guard("reading vector fingerprints"):
                found.update(self._connection().execute(
                    f"SELECT arxiv_id, text_hash FROM paper_vectors WHERE model = ? "
                    f"AND arxiv_id IN ({placeholders(chunk)})", [model, *chunk],
                ).fetchall())
        return found

    def save_vectors(
        self, model: str, vectors: Sequence[NewVector], unchanged: Sequence[str], watermark: int
    ) -> None:
        with self.transaction(), self._guard("saving vectors"):
            connection = self._connection()
            write_vectors(connection, model, vectors, unchanged, self.max_vector_seq() + 1)
            set_watermark(connection, model, watermark)

    def vectors_changed_since(self, vector_seq: int, model: str, limit: int) -> list[StoredVector]:
        with self._guard("reading vectors"):
            rows = self._connection().execute(
                "SELECT v.id, v.arxiv_id, v.vector, v.vector_seq, p.announced_date, p.categories "
                "FROM paper_vectors v JOIN papers p ON p.arxiv_id = v.arxiv_id "
                "WHERE v.vector_seq > ? AND v.model = ? ORDER BY v.vector_seq LIMIT ?",
                (vector_seq, model, limit),
            ).fetchall()
        return [
            StoredVector(label, arxiv_id, decode_vector(blob), seq, day(announced),
                         tuple(json.loads(categories)))
            for label, arxiv_id, blob, seq, announced, categories in rows
        ]

    def max_vector_seq(self) -> int:
        with self._guard("reading the vector sequence"):
            value = self._connection().execute(
                "SELECT max(vector_seq) FROM paper_vectors").fetchone()[0]
        return int(value or 0)

    def count_vectors(self, model: str) -> int:
        with self._guard("counting vectors"):
            return int(self._connection().execute(
                "SELECT count(*) FROM paper_vectors WHERE model = ?", (model,)
            ).fetchone()[0])

    def vector_labels(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(arxiv_ids), ID_CHUNK):
            chunk = list(arxiv_ids[start:start + ID_CHUNK])
            with self._guard("reading vector labels"):
                found.update(self._connection().execute(
                    f"SELECT arxiv_id, id FROM paper_vectors "
                    f"WHERE arxiv_id IN ({placeholders(chunk)})", chunk,
                ).fetchall())
        return found

    def vector_arxiv_ids(self, labels: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for start in range(0, len(labels), ID_CHUNK):
            chunk = [int(label) for label in labels[start:start + ID_CHUNK]]
            with self._guard("reading vector labels"):
                found.update(self._connection().execute(
                    f"SELECT id, arxiv_id FROM paper_vectors "
                    f"WHERE id IN ({placeholders(chunk)})", chunk,
                ).fetchall())
        return found

    def get_vector(self, arxiv_id: str, model: str) -> Vector | None:
        with self._guard("reading a vector"):
            row = self._connection().execute(
                "SELECT vector FROM paper_vectors WHERE arxiv_id = ? AND model = ?",
                (arxiv_id, model),
            ).fetchone()
        return decode_vector(row[0]) if row else None
