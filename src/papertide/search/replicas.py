"""A web host's local copies of the search indexes, on a PostgreSQL deployment.

PostgreSQL stays the one source of truth, and its in-database indexes (tsvector,
pgvector) stay what importers and workers keep up to date. Searching them is
slow, though (100k papers: keyword OR p95 478 ms against 6 ms for tantivy,
bench/README.md), so each web host keeps the SQLite deployment's tantivy and
faiss indexes in its own data folder, following the database the same way: by
the papers' ``change_seq`` and the vectors' ``vector_seq``. Both sequences are
``max + 1`` inside transactions serialised by one advisory lock
(``store/postgres/store.py``), so they commit in order and a follower reading
``seq > watermark`` never skips a row that commits later with a smaller number.

A replica that is empty or far behind (a new host, a long outage) is built in
the background; until it holds what the database held when the host started,
searches go to the in-database index and say so. After that the replica answers
and stays within seconds of the database (``web/background.py`` syncs it when
PostgreSQL notifies a commit, and now and then anyway).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from papertide.models import Paper
from papertide.search.base import IndexState, KeywordIndex, SearchHits, SortOrder
from papertide.search.label_map import LabelMap
from papertide.search.query import ParsedQuery
from papertide.search.sync import ProgressCallback, SyncReport, sync_keyword_index
from papertide.search.vectors import VectorFilter, VectorHit, VectorIndex, VectorIndexState
from papertide.store.base import Store
from papertide.store.vectors import StoredVector, Vector

# Which copy answers a host's searches (part of the result cache's key).
REPLICA = "replica"
DATABASE = "database"
# How long a host trusts the database's last change it read, for the "behind" count a
# search page shows (each page would otherwise ask PostgreSQL; a sync asks afresh).
HEAD_SECONDS = 1.0


class ReplicatedKeywordIndex:
    """The database's keyword index until the local ``replica`` has caught up, then the replica.

    Writes and ``state`` are the replica's (the index this host keeps, as on SQLite);
    the database's index is ``database``, kept by the processes that store papers.
    ``head`` is what the database held when the host opened the replica: holding
    that much is being caught up (later changes arrive within seconds).
    """

    def __init__(self, database: KeywordIndex, replica: KeywordIndex, head: IndexState) -> None:
        self.database = database
        self.replica = replica
        self.head = head
        self._on_replica = False
        self._sync_lock = threading.Lock()
        self._latest: tuple[float, int] | None = None
        self.refresh()

    @property
    def answering(self) -> str:
        return REPLICA if self._on_replica else DATABASE

    def refresh(self) -> bool:
        """Switch to the replica if it now holds ``head``; True once it answers."""
        if not self._on_replica:
            state = self.replica.state()
            if (state is not None and state.instance_id == self.head.instance_id
                    and state.change_seq >= self.head.change_seq):
                self._on_replica = True
        return self._on_replica

    def sync_replica(self, store: Store, rebuild: bool = False,
                     progress: ProgressCallback | None = None) -> SyncReport:
        """Bring the replica up to the database (one thread at a time) and use it once
        it has caught up."""
        with self._sync_lock:
            state = self.replica.state()
            if rebuild or state is None or state.instance_id != self.head.instance_id:
                self._on_replica = False  # rebuilt from nothing: the database answers meanwhile
            report = sync_keyword_index(store, self.replica, rebuild=rebuild, progress=progress)
            self._latest = None
            self.refresh()
            return report

    def behind(self, store: Store) -> int:
        """How many changes the replica lacks (the database's last change read at most
        once every ``HEAD_SECONDS``, and afresh after a sync)."""
        now = time.monotonic()
        latest = self._latest
        if latest is None or now - latest[0] > HEAD_SECONDS:
            latest = (now, store.max_change_seq())
            self._latest = latest
        state = self.replica.state()
        held = (state.change_seq if state is not None
                and state.instance_id == self.head.instance_id else 0)
        return max(latest[1] - held, 0)

    def generation(self) -> tuple[object, ...]:
        """What results depend on: the replica's last change, and while the database
        answers, the database index's too."""
        if self._on_replica:
            return (REPLICA, self.replica.state())
        return (DATABASE, self.database.state(), self.replica.state())

    # -- reading: whichever answers -------------------------------------------------------

    def _searched(self) -> KeywordIndex:
        return self.replica if self._on_replica else self.database

    def search(
        self, query: ParsedQuery, limit: int, offset: int = 0, sort: SortOrder = "relevance"
    ) -> SearchHits:
        return self._searched().search(query, limit, offset, sort)

    def word_counts(self, words: Sequence[str], at_most: int) -> dict[str, int]:
        return self._searched().word_counts(words, at_most)

    def near_words(self, word: str, distance: int) -> list[tuple[str, int]]:
        return self._searched().near_words(word, distance)

    # -- writing: the replica ------------------------------------------------------------

    def state(self) -> IndexState | None:
        return self.replica.state()

    def replace_papers(self, papers: Sequence[Paper]) -> None:
        self.replica.replace_papers(papers)

    def commit(self, state: IndexState) -> None:
        self.replica.commit(state)
        self.refresh()

    def clear(self) -> None:
        self._on_replica = False
        self.replica.clear()

    def close(self) -> None:
        self.replica.close()
        self.database.close()


class ReplicatedVectorIndex:
    """The database's vector index until the local ``replica`` has caught up once.

    Writes and ``state`` are the replica's; ``caught_up`` is called after a sync of
    the replica found nothing more to take in. ``labels`` holds which paper each of
    the replica's labels is (read locally instead of from the database, once the
    replica answers); a replica kept before there was such a file is rebuilt.
    """

    def __init__(self, database: VectorIndex, replica: VectorIndex, labels: LabelMap) -> None:
        self.database = database
        self.replica = replica
        self.labels = labels
        self._on_replica = False
        if labels.created and replica.state() is not None:
            replica.clear()  # its labels were never recorded: the follower rebuilds it

    @property
    def local_labels(self) -> LabelMap | None:
        """The labels to read instead of the database's, while the replica answers."""
        return self.labels if self._on_replica else None

    @property
    def answering(self) -> str:
        return REPLICA if self._on_replica else DATABASE

    def caught_up(self) -> None:
        self._on_replica = True

    def generation(self) -> tuple[object, ...]:
        if self._on_replica:
            return (REPLICA, self.replica.state())
        return (DATABASE, self.database.state(), self.replica.state())

    # -- reading: whichever answers -------------------------------------------------------

    def _searched(self) -> VectorIndex:
        return self.replica if self._on_replica else self.database

    def count(self) -> int:
        return self._searched().count()

    def count_matching(self, where: VectorFilter) -> int:
        return self._searched().count_matching(where)

    def search(
        self, query: Vector, limit: int, where: VectorFilter | None = None
    ) -> list[VectorHit]:
        return self._searched().search(query, limit, where)

    def similarities(self, query: Vector, labels: Sequence[int]) -> dict[int, float]:
        return self._searched().similarities(query, labels)

    def vector(self, label: int) -> Vector | None:
        return self._searched().vector(label)

    # -- writing: the replica ------------------------------------------------------------

    def state(self) -> VectorIndexState | None:
        return self.replica.state()

    def upsert(self, vectors: Sequence[StoredVector]) -> None:
        self.labels.put((item.label, item.arxiv_id) for item in vectors)
        self.replica.upsert(vectors)

    def commit(self, state: VectorIndexState) -> None:
        self.replica.commit(state)

    def flush(self) -> None:
        self.replica.flush()

    def clear(self) -> None:
        self._on_replica = False
        self.labels.clear()
        self.replica.clear()

    def close(self) -> None:
        self.replica.close()
        self.database.close()
        self.labels.close()


def index_generation(index: KeywordIndex | VectorIndex) -> object:
    """What a search through ``index`` depends on (a result cache keys on it)."""
    if isinstance(index, ReplicatedKeywordIndex | ReplicatedVectorIndex):
        return index.generation()
    return index.state()


def shared_keyword_index(index: KeywordIndex) -> KeywordIndex:
    """The index every process shares: the database's behind a replica, else ``index``."""
    return index.database if isinstance(index, ReplicatedKeywordIndex) else index
