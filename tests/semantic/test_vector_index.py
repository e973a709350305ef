"""The SQLite deployment's vector index on its own: exact and HNSW, filters, dead slots, files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from papertide.search.faiss_index import FaissVectorIndex
from papertide.search.vectors import VectorFilter, VectorIndexState
from papertide.store.vectors import StoredVector

DIMENSION = 32
CATEGORIES = (("cs.LG",), ("cs.CL", "cs.AI"), ("hep-th",), ("astro-ph.GA", "gr-qc"))


def structured(count: int, seed: int = 7) -> np.ndarray:
    """Clustered unit vectors, like real embeddings (uniform noise would make ANN trivial)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, DIMENSION))
    vectors = centres[rng.integers(0, 12, count)] + 0.4 * rng.normal(size=(count, DIMENSION))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def items(vectors: np.ndarray, first_label: int = 1) -> list[StoredVector]:
    return [StoredVector(first_label + i, f"p{first_label + i}", vector, first_label + i,
                         dt.date(2025, 1, 1) + dt.timedelta(days=i % 300), CATEGORIES[i % 4])
            for i, vector in enumerate(vectors)]


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int, first_label: int = 1) -> set[int]:
    return {int(i) + first_label for i in np.argsort(-(vectors @ query))[:k]}


@pytest.fixture(params=["exact", "hnsw"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> FaissVectorIndex:
    exact_max = 10_000 if request.param == "exact" else 100
    return FaissVectorIndex(tmp_path / "vectors", exact_max=exact_max, ef_search=64)


def test_search_finds_the_nearest_vectors(index: FaissVectorIndex) -> None:
    vectors = structured(2_000)
    index.upsert(items(vectors))
    index.commit(VectorIndexState("db", "model", 2_000))
    recall = np.mean([len({hit.label for hit in index.search(q, 10)} & exact_top(vectors, q, 10))
                      / 10 for q in structured(50, seed=99)])
    assert recall >= 0.95
    hits = index.search(vectors[5], 3)
    assert hits[0].label == 6 and hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_filters_are_exact_about_what_they_allow(index: FaissVectorIndex) -> None:
    vectors = structured(1_000)
    index.upsert(items(vectors))
    index.commit(VectorIndexState("db", "model", 1_000))
    query = structured(1, seed=3)[0]
    archive = index.search(query, 50, VectorFilter(categories=("ASTRO-PH",)))
    assert len(archive) == 50 and all((hit.label - 1) % 4 == 3 for hit in archive)
    allowed = [label for label in range(1, 1_001) if (label - 1) % 4 == 3]
    assert {hit.label for hit in archive} == set(sorted(
        allowed, key=lambda label: -float(vectors[label - 1] @ query))[:50])
    dated = index.search(query, 1_000, VectorFilter(date_from=dt.date(2025, 2, 1),
                                                    date_to=dt.date(2025, 2, 28)))
    assert len(dated) == index.count_matching(VectorFilter(date_from=dt.date(2025, 2, 1),
                                                           date_to=dt.date(2025, 2, 28)))
    assert all(31 <= (hit.label - 1) % 300 <= 58 for hit in dated)
    chosen = index.search(query, 10, VectorFilter(labels=frozenset({3, 7, 11})))
    assert {hit.label for hit in chosen} == {3, 7, 11}
    assert index.search(query, 10, VectorFilter(categories=("math.CO",))) == []
    assert 6 not in {hit.label for hit in index.search(vectors[5], 5,
                                                       VectorFilter(exclude=frozenset({6})))}


def test_a_replaced_vector_leaves_no_trace(index: FaissVectorIndex) -> None:
    vectors = structured(500)
    index.upsert(items(vectors))
    moved = -vectors[0]
    index.upsert([StoredVector(1, "p1", moved, 501, None, ("cs.CL",))])
    index.commit(VectorIndexState("db", "model", 501))
    assert index.count() == 500
    assert index.search(vectors[0], 1)[0].label != 1
    assert index.search(moved, 1)[0].label == 1
    assert index.similarities(moved, [1, 9999]) == {1: pytest.approx(1.0, abs=1e-4)}


def test_saving_and_loading_keep_everything(tmp_path: Path) -> None:
    folder = tmp_path / "vectors"
    first = FaissVectorIndex(folder, exact_max=100)
    vectors = structured(400)
    first.upsert(items(vectors))
    first.upsert([StoredVector(2, "p2", vectors[2], 401, None, ("cs.CL",))])
    first.commit(VectorIndexState("db", "model", 401))
    first.close()
    loaded = FaissVectorIndex(folder, exact_max=100)
    assert loaded.state() == VectorIndexState("db", "model", 401)
    assert loaded.count() == 400
    assert [hit.label for hit in loaded.search(vectors[9], 1)] == [10]
    # label 2 was re-filed from cs.CL + cs.AI under cs.CL alone
    assert loaded.count_matching(VectorFilter(categories=("cs.ai",))) == 99
    leftovers = [entry.name for entry in folder.iterdir()
                 if entry.name not in ("state.json", ".save.lock")]
    assert len(leftovers) == 2   # one generation: the graph (or matrix) and the slots


def test_growing_past_the_exact_limit_switches_to_a_graph(tmp_path: Path) -> None:
    index = FaissVectorIndex(tmp_path / "vectors", exact_max=300)
    vectors = structured(600)
    index.upsert(items(vectors[:250]))
    index.commit(VectorIndexState("db", "model", 250))
    index.upsert(items(vectors[250:], first_label=251))
    index.commit(VectorIndexState("db", "model", 600))
    assert index.count() == 600
    assert index.search(vectors[450], 1)[0].label == 451
    index.flush()
    assert list((tmp_path / "vectors").glob("graph-*.faiss"))


def test_raising_the_exact_limit_turns_a_saved_graph_back_into_a_matrix(tmp_path: Path) -> None:
    folder = tmp_path / "vectors"
    graph = FaissVectorIndex(folder, exact_max=100)
    vectors = structured(300)
    graph.upsert(items(vectors))
    graph.commit(VectorIndexState("db", "model", 300))
    graph.close()
    exact = FaissVectorIndex(folder, exact_max=10_000)
    exact.commit(VectorIndexState("db", "model", 300))
    assert [hit.label for hit in exact.search(vectors[42], 1)] == [43]
    exact.flush()
    assert not list(folder.glob("graph-*")) and list(folder.glob("vectors-*.npy"))
