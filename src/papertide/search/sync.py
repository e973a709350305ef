"""Keep a keyword index in step with the store, crash-safely.

The index records the store's instance id and the last ``change_seq`` it
holds, and only after its commit is durable. Replaying papers is
idempotent (a paper's document is replaced), so the worst a crash can do is
make the next sync redo a batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from papertide.exceptions import PapertideError
from papertide.search.base import IndexState, KeywordIndex
from papertide.store.base import Store

SYNC_BATCH = 5_000
# How often a follower looks for newly committed papers during an import.
FOLLOW_PAUSE_SECONDS = 0.2
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class SyncReport:
    indexed: int
    rebuilt: bool
    change_seq: int


def sync_keyword_index(
    store: Store,
    index: KeywordIndex,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
) -> SyncReport:
    """Index every paper changed since the index's last commit."""
    instance_id = store.instance_id
    state = index.state()
    must_rebuild = rebuild or state is None or state.instance_id != instance_id
    if must_rebuild:
        index.clear()
        state = IndexState(instance_id, 0)
        index.commit(state)
    assert state is not None
    target = store.max_change_seq()
    pending = max(target - state.change_seq, 0)
    done = 0
    seq = state.change_seq
    while True:
        batch = store.papers_changed_since(seq, SYNC_BATCH)
        if not batch:
            break
        index.replace_papers(batch)
        seq = batch[-1].change_seq
        index.commit(IndexState(instance_id, seq))
        done += len(batch)
        if progress:
            progress(done, max(pending, done))
    return SyncReport(indexed=done, rebuilt=must_rebuild, change_seq=seq)


@dataclass(frozen=True, slots=True)
class IndexLag:
    """How far the keyword index is behind the database (0: it holds every change).

    Read from the index's recorded state, so any process can tell, not only the
    one catching up (``papertide serve`` opens its port first and catches up after).
    ``from_database``: a web host's local copy is still being built, and the
    database's own (slower) indexes answer meanwhile (``search/replicas.py``).
    """

    behind: int
    from_database: bool = False

    @property
    def catching_up(self) -> bool:
        return self.behind > 0 or self.from_database

    def describe(self) -> str:
        if self.from_database:
            to_go = f" ({self.behind:,} changes to go)" if self.behind else ""
            return (f"This server is still copying the search index from the database{to_go}: "
                    "until it has, the database answers searches, more slowly.")
        return (f"The search index is catching up ({self.behind:,} changes to go): "
                "some papers cannot be found yet.")


def keyword_index_lag(store: Store, index: KeywordIndex) -> IndexLag:
    return lag_behind(store, index.state())


def lag_behind(store: Store, state: IndexState | None) -> IndexLag:
    """How far an index that holds ``state`` (read by the caller) is behind ``store``."""
    held = state.change_seq if state and state.instance_id == store.instance_id else 0
    return IndexLag(max(store.max_change_seq() - held, 0))


@contextmanager
def indexing_alongside(
    store: Store, index: KeywordIndex, pause_seconds: float = FOLLOW_PAUSE_SECONDS
) -> Iterator[None]:
    """Index committed batches while the caller goes on writing more.

    Parsing and storing are Python work on one core; tantivy indexes in its own
    threads, so following the writes keeps the second core busy. The caller
    runs a final ``sync_keyword_index`` after the block to catch the last batch
    (and to report any error, such as another process holding the index).
    """
    finished = threading.Event()

    def follow() -> None:
        while not finished.is_set():
            try:
                sync_keyword_index(store, index)
            except PapertideError:
                return  # the final sync after the block reports it
            finished.wait(pause_seconds)

    follower = threading.Thread(target=follow, name="papertide-index-follower", daemon=True)
    follower.start()
    try:
        yield
    finally:
        finished.set()
        follower.join()
