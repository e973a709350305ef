"""Durable paper vectors (every engine implements them).

The database is the source of truth for vectors; vector indexes are derived
from it. Each vector row has a stable integer ``label`` (what indexes store)
and a ``vector_seq`` that rises whenever the row changes, so an index can
catch up from the last sequence it holds. Vectors record the model that made
them: the embedding sync re-embeds every paper whose vector is of another model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class NewVector:
    """A freshly computed vector and the fingerprint of the text it embeds."""

    arxiv_id: str
    fingerprint: str
    vector: Vector


@dataclass(frozen=True, slots=True)
class StoredVector:
    """A stored vector with what indexes need to filter by (date, categories)."""

    label: int
    arxiv_id: str
    vector: Vector
    vector_seq: int
    announced_date: dt.date | None
    categories: tuple[str, ...]


class VectorStore(Protocol):
    def embedding_watermark(self, model: str) -> int:
        """The paper ``change_seq`` up to which every paper has a vector of ``model``."""
        ...

    def count_papers_changed_since(self, change_seq: int) -> int: ...

    def vector_fingerprints(self, arxiv_ids: Sequence[str], model: str) -> dict[str, str]:
        """Fingerprints of the stored ``model`` vectors of these papers (others are absent)."""
        ...

    def save_vectors(
        self, model: str, vectors: Sequence[NewVector], unchanged: Sequence[str], watermark: int
    ) -> None:
        """Store ``vectors``, mark the ``unchanged`` papers' vectors as seen again (their
        paper changed but not its text) and move the ``model`` watermark, atomically."""
        ...

    def vectors_changed_since(self, vector_seq: int, model: str, limit: int) -> list[StoredVector]:
        """``model`` vectors whose ``vector_seq`` is above the given one, in that order."""
        ...

    def max_vector_seq(self) -> int: ...

    def count_vectors(self, model: str) -> int: ...

    def vector_labels(self, arxiv_ids: Sequence[str]) -> dict[str, int]: ...

    def vector_arxiv_ids(self, labels: Sequence[int]) -> dict[int, str]: ...

    def get_vector(self, arxiv_id: str, model: str) -> Vector | None: ...
