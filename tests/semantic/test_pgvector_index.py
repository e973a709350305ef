"""The PostgreSQL vector index on its own: HNSW, filters that stay exact, state, rebuilds."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from papertide.search import pgvector_index
from papertide.search.pgvector_index import PgVectorIndex
from papertide.search.vectors import VectorFilter, VectorIndexState
from papertide.store.postgres.store import PostgresStore
from papertide.store.vectors import StoredVector
from tests.postgres import test_databases

DIMENSION = 384
CATEGORIES = (("cs.LG",), ("cs.CL", "cs.AI"), ("hep-th",), ("astro-ph.GA", "gr-qc"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[PostgresStore]:
    opened = PostgresStore(test_databases().fresh_url(str(tmp_path)))
    yield opened
    opened.close()


def structured(count: int, seed: int = 7) -> np.ndarray:
    """Clustered unit vectors, like real embeddings (uniform noise would make ANN trivial)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, DIMENSION))
    vectors = centres[rng.integers(0, 12, count)] + 0.4 * rng.normal(size=(count, DIMENSION))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def items(vectors: np.ndarray, first_label: int = 1, seq: int = 1) -> list[StoredVector]:
    return [StoredVector(first_label + i, f"p{first_label + i}", vector, seq + i,
                         dt.date(2025, 1, 1) + dt.timedelta(days=i % 300), CATEGORIES[i % 4])
            for i, vector in enumerate(vectors)]


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return [int(i) + 1 for i in np.argsort(-(vectors @ query))[:k]]


def test_search_finds_the_nearest_vectors_with_cosine_scores(store: PostgresStore) -> None:
    vectors = structured(600)
    index = PgVectorIndex(store, ef_search=64)
    index.upsert(items(vectors))
    query = structured(1, seed=99)[0]

    hits = index.search(query, 10)

    assert len({hit.label for hit in hits} & set(exact_top(vectors, query, 10))) >= 9
    expected = float(vectors[hits[0].label - 1] @ query)
    assert hits[0].score == pytest.approx(expected, abs=1e-4)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert index.similarities(query, [3, 5, 9999]).keys() == {3, 5}
    stored = index.vector(3)
    assert stored is not None and np.allclose(stored, vectors[2], atol=1e-6)


def test_filters_are_exact_about_what_they_allow(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    vectors = structured(800)
    index = PgVectorIndex(store, ef_search=40)
    index.upsert(items(vectors))
    query = structured(1, seed=3)[0]
    # Make every filter take the graph path first (as it would at a million papers).
    monkeypatch.setattr(pgvector_index, "EXACT_SUBSET_MAX", 0)
    rules = [
        (VectorFilter(categories=("cs",)), lambda i: i % 4 in (0, 1)),
        (VectorFilter(categories=("HEP-TH",)), lambda i: i % 4 == 2),
        (VectorFilter(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31)),
         lambda i: 59 <= i % 300 <= 89),
        (VectorFilter(labels=frozenset({5, 6, 7, 700})), lambda i: i + 1 in {5, 6, 7, 700}),
        (VectorFilter(exclude=frozenset(range(1, 400))), lambda i: i + 1 >= 400),
    ]
    for where, allowed in rules:
        hits = index.search(query, 20, where)
        wanted = [i for i in range(len(vectors)) if allowed(i)]
        assert index.count_matching(where) == len(wanted)
        assert len(hits) == min(20, len(wanted)), where  # a full page despite the filter
        assert all(allowed(hit.label - 1) for hit in hits), where


def test_a_replaced_vector_leaves_no_trace_and_an_older_one_never_wins(
    store: PostgresStore,
) -> None:
    vectors = structured(50)
    index = PgVectorIndex(store)
    index.upsert(items(vectors, seq=10))
    moved = items(vectors[:1] * -1, seq=100)
    index.upsert(moved)
    index.upsert(items(vectors[:1], seq=5))  # a slower process replays the old one

    assert index.count() == 50
    assert index.search(-vectors[0], 1)[0].label == 1
    assert index.search(vectors[0], 50)[-1].label == 1


def test_state_clear_and_rebuild_of_the_graph(store: PostgresStore) -> None:
    vectors = structured(300)
    index = PgVectorIndex(store)
    assert index.state() is None
    index.upsert(items(vectors))
    index.commit(VectorIndexState("db", "model", 300))
    assert index.state() == VectorIndexState("db", "model", 300)

    index.clear()
    assert (index.state(), index.count()) == (None, 0)
    assert index.search(vectors[0], 5) == []
    index.upsert(items(vectors[:100]))
    index.commit(VectorIndexState("db", "model", 100))  # builds the graph again

    other_store = PostgresStore(store.url)  # another process sees the same index
    try:
        other = PgVectorIndex(other_store)
        assert other.state() == VectorIndexState("db", "model", 100)
        assert other.search(vectors[7], 1)[0].label == 8
        graph = other_store._statements.execute(
            "SELECT to_regclass('vector_index_hnsw')").fetchone()
        assert graph is not None and graph[0] is not None
    finally:
        other_store.close()


def test_a_graph_built_while_another_process_waited_is_not_built_twice(
    store: PostgresStore,
) -> None:
    """Three embed processes rebuild at once: each drops the graph, and the first to
    commit builds it while the others wait for the lock; a waiter must see it, not
    fail with "relation already exists" (it once did, from a stale name lookup)."""
    vectors = structured(50)
    waiter_store = PostgresStore(store.url, pool_size=1)  # one session, so one name cache
    try:
        waiter = PgVectorIndex(waiter_store)
        waiter.clear()
        waiter.clear()  # looks the dropped graph up again, as a second process would
        waiter.upsert(items(vectors))
        errors: list[BaseException] = []

        def commit_while_waiting() -> None:
            try:
                waiter.commit(VectorIndexState("db", "model", 50))
            except BaseException as error:  # reported by the assertion below
                errors.append(error)

        with store.borrow() as builder, builder.raw.transaction():
            builder.raw.execute("SELECT pg_advisory_xact_lock(%s)",
                                (pgvector_index.INDEX_LOCK,))
            builder.raw.execute(f"CREATE INDEX {pgvector_index.GRAPH_INDEX} ON vector_index "
                                "USING hnsw (embedding vector_cosine_ops)")
            thread = threading.Thread(target=commit_while_waiting)
            thread.start()
            while not builder.raw.execute(
                    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone():
                assert thread.is_alive(), errors
        thread.join()
        assert errors == []
        assert waiter.state() == VectorIndexState("db", "model", 50)
        assert waiter.search(vectors[4], 1)[0].label == 5
    finally:
        waiter_store.close()
