"""The vector index interface (faiss/numpy for SQLite; pgvector on PostgreSQL later).

Like the keyword index, a vector index only holds what can be rebuilt from
the database: vectors keyed by their stable ``label`` plus the two facets
search filters on (announced day and categories), and the last
``vector_seq`` it holds, so that it catches up after a crash or a restart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from papertide.store.vectors import StoredVector, Vector


@dataclass(frozen=True, slots=True)
class VectorIndexState:
    """Which database and model the index mirrors, and the last vector it holds."""

    instance_id: str
    model: str
    vector_seq: int


@dataclass(frozen=True, slots=True)
class VectorFilter:
    """Which papers a vector search may return (the query's filters, in index terms).

    ``categories`` match like the keyword index's ``cat:`` (case-insensitive,
    an archive such as ``cs`` matches its categories); the dates bound the
    announced day; ``labels`` (when given) is the only set allowed, e.g. the
    papers of an author; ``exclude`` is never returned.
    """

    categories: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    labels: frozenset[int] | None = None
    exclude: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.categories or self.date_from or self.date_to
                    or self.labels is not None or self.exclude)


@dataclass(frozen=True, slots=True)
class VectorHit:
    label: int
    score: float


class VectorIndex(Protocol):
    def state(self) -> VectorIndexState | None:
        """What the index holds, or ``None`` if it is new or unreadable."""
        ...

    def count(self) -> int:
        """How many vectors are searchable."""
        ...

    def count_matching(self, where: VectorFilter) -> int:
        """How many vectors a search with ``where`` can return."""
        ...

    def upsert(self, vectors: Sequence[StoredVector]) -> None:
        """Add vectors, or replace those with the same label (vector and facets)."""
        ...

    def commit(self, state: VectorIndexState) -> None:
        """Record ``state``; saves to disk when enough changed since the last save."""
        ...

    def flush(self) -> None:
        """Save everything committed so far to disk."""
        ...

    def clear(self) -> None:
        """Drop every vector (before a rebuild, or when the model changed)."""
        ...

    def search(
        self, query: Vector, limit: int, where: VectorFilter | None = None
    ) -> list[VectorHit]:
        """The ``limit`` nearest vectors by cosine similarity, best first."""
        ...

    def similarities(self, query: Vector, labels: Sequence[int]) -> dict[int, float]:
        """Exact cosine similarity of ``query`` to each indexed label among ``labels``."""
        ...

    def vector(self, label: int) -> Vector | None: ...

    def close(self) -> None:
        """Release memory; saves unsaved changes first."""
        ...
