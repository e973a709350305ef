"""The keyword index interface (tantivy for SQLite; tsvector on PostgreSQL later).

The database is the source of truth: an index only holds what can be rebuilt
from it, and remembers how far it got (``IndexState``) so that a crash or a
kill between a database write and an index commit is caught up on next sync.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from papertide.models import Paper
from papertide.search.query import ParsedQuery

SortOrder = Literal["relevance", "date"]


@dataclass(frozen=True, slots=True)
class SearchHit:
    arxiv_id: str
    score: float


@dataclass(frozen=True, slots=True)
class SearchHits:
    """One page of hits and how many matched (``total_exact``: counted, not estimated)."""

    hits: tuple[SearchHit, ...]
    total: int
    total_exact: bool = True
    # What the reader should know about how the engine read the query (a bounded prefix).
    notices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexState:
    """Which database the index mirrors and the last change it holds."""

    instance_id: str
    change_seq: int


class KeywordIndex(Protocol):
    def search(
        self, query: ParsedQuery, limit: int, offset: int = 0, sort: SortOrder = "relevance"
    ) -> SearchHits: ...

    def word_counts(self, words: Sequence[str], at_most: int) -> dict[str, int]:
        """How many papers hold each word as typed (lower-cased), for typo corrections;
        an engine may stop counting at ``at_most``."""
        ...

    def near_words(self, word: str, distance: int) -> list[tuple[str, int]]:
        """Words within ``distance`` edits of ``word`` with their paper counts (may be
        empty: an engine that cannot list its words corrects at distance 1 only)."""
        ...

    def state(self) -> IndexState | None:
        """What the index holds, or ``None`` if it is new or unreadable."""
        ...

    def replace_papers(self, papers: Sequence[Paper]) -> None:
        """Stage papers (added, or replacing their earlier documents)."""
        ...

    def commit(self, state: IndexState) -> None:
        """Make staged papers searchable and record ``state`` durably."""
        ...

    def clear(self) -> None:
        """Drop every document (before a full rebuild)."""
        ...

    def close(self) -> None: ...
