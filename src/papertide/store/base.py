"""The storage interface every engine implements (SQLite now, PostgreSQL later).

The contract suite in ``tests/store`` runs against each implementation; keep
engine-specific SQL inside the engine's package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Literal, Protocol

from papertide.models import Observation, Paper, PaperPage, PaperRecord, UpsertCounts
from papertide.store.accounts import AccountStore
from papertide.store.digest import OutboxStore, SubscriptionStore
from papertide.store.discussions import DiscussionStore
from papertide.store.embedding_claims import EmbeddingClaimStore
from papertide.store.follows import FollowStore
from papertide.store.jobs import JobStore
from papertide.store.library import LibraryStore, VoteStore
from papertide.store.recommend import RecommendStore
from papertide.store.signals import SignalStore
from papertide.store.topics import TopicStore
from papertide.store.vectors import VectorStore

ListingOrder = Literal["date", "title"]


class Store(AccountStore, VoteStore, LibraryStore, SignalStore, TopicStore, VectorStore,
            SubscriptionStore, OutboxStore, RecommendStore, JobStore, FollowStore,
            DiscussionStore, EmbeddingClaimStore, Protocol):
    """Durable home of papers and their outside signals."""

    @property
    def schema_version(self) -> int:
        """The migration number the database is at."""
        ...

    @property
    def instance_id(self) -> str:
        """A random id made when the database was created (derived indexes check it)."""
        ...

    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[None]:
        """Group writes: all of them land, or none (nested calls join the outer one)."""
        ...

    def upsert_papers(self, records: Sequence[PaperRecord], now: dt.datetime) -> UpsertCounts:
        """Merge records into the store (see ``store.merge``) atomically."""
        ...

    def get_paper(self, arxiv_id: str) -> Paper | None: ...

    def get_papers(self, arxiv_ids: Sequence[str]) -> dict[str, Paper]: ...

    def count_papers(self) -> int: ...

    def list_announced(
        self,
        start: dt.date,
        end: dt.date,
        limit: int,
        offset: int = 0,
        order: ListingOrder = "date",
    ) -> PaperPage:
        """Papers announced in ``[start, end)``, newest day first."""
        ...

    def latest_announced_date(self) -> dt.date | None: ...

    def adjacent_announced_date(self, day: dt.date, later: bool) -> dt.date | None:
        """The nearest day before (or after) ``day`` that has papers."""
        ...

    def papers_changed_since(self, change_seq: int, limit: int) -> list[Paper]:
        """Papers whose ``change_seq`` is above the given one, in change order."""
        ...

    def max_change_seq(self) -> int: ...

    def iter_all_papers(self, batch_size: int = 2_000) -> Iterator[Paper]: ...

    def add_observations(self, observations: Iterable[Observation]) -> int: ...

    def observations_for(self, arxiv_id: str) -> list[Observation]: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...
