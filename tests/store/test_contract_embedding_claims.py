"""Store contract: claimed embedding ranges share the papers out, leases run out, fences hold."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from papertide.models import Paper
from papertide.store.base import Store
from papertide.store.embedding_claims import EmbeddingClaim
from papertide.store.vectors import NewVector
from tests.helpers import FIXED_NOW, make_record

MODEL = "test-model/int8"
T0 = 1_800_000_000.0  # unix seconds: the claims' clock, moved by hand
LEASE = 60.0


def _store_papers(store: Store, count: int) -> None:
    store.upsert_papers([make_record(f"2501.{n:05d}") for n in range(1, count + 1)], FIXED_NOW)


def _papers(store: Store, claim: EmbeddingClaim) -> list[Paper]:
    return [paper for paper in store.papers_changed_since(claim.after_seq, claim.papers)
            if paper.change_seq <= claim.through_seq]


def _vectors(papers: list[Paper], value: float = 1.0) -> list[NewVector]:
    return [NewVector(paper.arxiv_id, "fp", np.full(4, value, dtype=np.float32))
            for paper in papers]


def _claim(store: Store, owner: str, now: float = T0, size: int = 4) -> EmbeddingClaim | None:
    return store.claim_embedding_range(MODEL, owner, now, now + LEASE, size)


def _finish(store: Store, claim: EmbeddingClaim, value: float = 1.0) -> bool:
    return store.finish_embedding_range(claim, _vectors(_papers(store, claim), value), [])


def test_claims_cut_the_pending_papers_into_disjoint_ranges(
    store: Store, open_more_stores: Callable[[], Store]
) -> None:
    _store_papers(store, 10)
    other = open_more_stores()  # a second process
    first, second, third = _claim(store, "a"), _claim(other, "b"), _claim(store, "a")
    assert first is not None and second is not None and third is not None
    assert _claim(other, "b") is None  # every paper is claimed

    shares = [[paper.arxiv_id for paper in _papers(store, claim)]
              for claim in (first, second, third)]
    assert [len(share) for share in shares] == [4, 4, 2]
    assert sorted(arxiv_id for share in shares for arxiv_id in share) == [
        f"2501.{n:05d}" for n in range(1, 11)]
    assert first.more_waiting and second.more_waiting and not third.more_waiting


def test_the_watermark_moves_only_over_ranges_done_without_a_gap(store: Store) -> None:
    _store_papers(store, 8)
    first, second = _claim(store, "a"), _claim(store, "b")
    assert first is not None and second is not None

    assert _finish(store, second)
    assert store.embedding_watermark(MODEL) == 0  # the first range is still being embedded
    assert store.count_vectors(MODEL) == 4
    assert _finish(store, first)
    assert store.embedding_watermark(MODEL) == store.max_change_seq()
    assert store.count_vectors(MODEL) == 8
    assert store.embedding_ranges(MODEL) == []  # nothing in flight is left behind


def test_a_range_whose_lease_ran_out_is_taken_over_and_its_late_holder_stores_nothing(
    store: Store,
) -> None:
    _store_papers(store, 4)
    stalled = _claim(store, "stalled")
    assert stalled is not None
    assert _claim(store, "helper", now=T0 + LEASE / 2) is None  # still held

    taken = _claim(store, "helper", now=T0 + LEASE + 1)
    assert taken is not None and taken.taken_over_from == "stalled"
    assert (taken.after_seq, taken.through_seq) == (stalled.after_seq, stalled.through_seq)

    assert not store.renew_embedding_claim(stalled, T0 + 3 * LEASE)
    assert not _finish(store, stalled, value=9.0)  # the stale fence: nothing stored
    assert store.count_vectors(MODEL) == 0 and store.embedding_watermark(MODEL) == 0
    assert _finish(store, taken)
    vector = store.get_vector("2501.00001", MODEL)
    assert vector is not None and float(vector[0]) == 1.0
    assert store.embedding_watermark(MODEL) == store.max_change_seq()


def test_a_renewed_claim_is_not_taken_over(store: Store) -> None:
    _store_papers(store, 4)
    held = _claim(store, "a")
    assert held is not None
    assert store.renew_embedding_claim(held, T0 + 2 * LEASE)
    assert _claim(store, "b", now=T0 + LEASE + 1) is None
    assert _finish(store, held)


def test_a_released_range_is_taken_at_once(store: Store) -> None:
    _store_papers(store, 4)
    given_back = _claim(store, "a")
    assert given_back is not None and store.release_embedding_claim(given_back)
    taken = _claim(store, "b")
    assert taken is not None and taken.through_seq == given_back.through_seq
    assert not _finish(store, given_back)
    assert _finish(store, taken)


def test_papers_changed_after_a_claim_fall_in_a_later_range(store: Store) -> None:
    _store_papers(store, 4)
    claim = _claim(store, "a")
    assert claim is not None
    store.upsert_papers([make_record("2501.00002", title="A new title", source="other")],
                        FIXED_NOW)

    assert [paper.arxiv_id for paper in _papers(store, claim)] == [
        "2501.00001", "2501.00003", "2501.00004"]
    assert _finish(store, claim)
    later = _claim(store, "a")
    assert later is not None
    assert [paper.arxiv_id for paper in _papers(store, later)] == ["2501.00002"]
    assert _finish(store, later)
    assert store.embedding_watermark(MODEL) == store.max_change_seq()
    assert store.count_vectors(MODEL) == 4


def test_restarting_forgets_the_ranges_and_fences_out_their_holders(store: Store) -> None:
    _store_papers(store, 6)
    done, held = _claim(store, "a"), _claim(store, "b")
    assert done is not None and held is not None and _finish(store, done)

    store.restart_embedding(MODEL)

    assert store.embedding_watermark(MODEL) == 0 and store.embedding_ranges(MODEL) == []
    assert not _finish(store, held)
    again = _claim(store, "c", size=10)
    assert again is not None and len(_papers(store, again)) == 6
