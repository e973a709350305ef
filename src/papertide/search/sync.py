"""Keep a keyword index in step with the store, crash-safely.

The index records the store's instance id and the last ``change_seq`` it
holds, and only after its commit is durable. Replaying papers is
idempotent (a paper's document is replaced), so the worst a crash can do is
make the next sync redo a batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from papertide.search.base import IndexState, KeywordIndex
from papertide.store.base import Store

SYNC_BATCH = 5_000
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
