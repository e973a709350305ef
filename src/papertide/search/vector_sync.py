"""Keep a vector index in step with the stored vectors, crash-safely.

The same watermark idea as the keyword index's sync: the index records the
store's instance id, the model and the last ``vector_seq`` it holds, and
catches up from there; a different database or model means a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from papertide.search.vectors import VectorIndex, VectorIndexState
from papertide.store.base import Store

SYNC_BATCH = 5_000
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class VectorSyncReport:
    indexed: int
    rebuilt: bool
    vector_seq: int


def sync_vector_index(
    store: Store,
    index: VectorIndex,
    model: str,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
) -> VectorSyncReport:
    """Add every vector of ``model`` stored since the index's last commit."""
    instance_id = store.instance_id
    state = index.state()
    must_rebuild = (rebuild or state is None or state.instance_id != instance_id
                    or state.model != model)
    if must_rebuild or state is None:
        index.clear()
        state = VectorIndexState(instance_id, model, 0)
    pending = max(store.max_vector_seq() - state.vector_seq, 0)
    done = 0
    seq = state.vector_seq
    while True:
        batch = store.vectors_changed_since(seq, model, SYNC_BATCH)
        if not batch:
            break
        index.upsert(batch)
        seq = batch[-1].vector_seq
        if not must_rebuild:  # a rebuild commits once at the end: one graph build, one save
            index.commit(VectorIndexState(instance_id, model, seq))
        done += len(batch)
        if progress:
            progress(done, max(pending, done))
    if must_rebuild:
        index.commit(VectorIndexState(instance_id, model, seq))
        index.flush()
    return VectorSyncReport(indexed=done, rebuilt=must_rebuild, vector_seq=seq)
