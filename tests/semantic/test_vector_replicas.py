"""A web host's local copy of the vectors on PostgreSQL: pgvector answers (and the
page says so) until the host's faiss copy has caught up; a host that died without
saving its copy takes in what it lacks, each vector once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from papertide.app import Papertide, open_app
from papertide.embed.onnx import OnnxEmbedder
from papertide.search import label_map
from papertide.search.replicas import ReplicatedVectorIndex
from papertide.settings import Settings, load_settings
from tests.helpers import FIXED_NOW, fixed_clock, make_record
from tests.postgres import test_databases
from tests.semantic.corpus import corpus_records

QUERY = "three-dimensional shape of proteins"


def settings_for(url: str, data_dir: Path) -> Settings:
    return load_settings(environ={"PAPERTIDE_DATA_DIR": str(data_dir),
                                  "PAPERTIDE_DATABASE_URL": url})


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return test_databases().fresh_url(str(tmp_path / "shared"))


@pytest.fixture
def worker(database_url: str, tmp_path: Path, embedder: OnnxEmbedder) -> Iterator[Papertide]:
    """A process that stores and embeds papers, keeping the database's indexes."""
    service = open_app(settings_for(database_url, tmp_path / "worker"), clock=fixed_clock(),
                       embedder=embedder)
    service.store.upsert_papers(corpus_records(), FIXED_NOW)
    service.sync_search_index()
    service.embed_pending()
    yield service
    service.close()


def open_host(database_url: str, data_dir: Path, embedder: OnnxEmbedder) -> Papertide:
    return open_app(settings_for(database_url, data_dir), clock=fixed_clock(),
                    embedder=embedder, web_host=True)


def test_meaning_is_searched_in_the_database_until_the_hosts_copy_has_caught_up(
    worker: Papertide, database_url: str, tmp_path: Path, embedder: OnnxEmbedder
) -> None:
    host = open_host(database_url, tmp_path / "host", embedder)
    try:
        before = host.search(QUERY, mode="semantic")
        assert isinstance(host.semantic.index, ReplicatedVectorIndex)
        assert before.mode == "semantic"
        assert any("still copying the search index" in notice for notice in before.notices)

        host.follow_database()

        after = host.search(QUERY, mode="semantic")
        assert after.mode == "semantic"
        assert not any("still copying" in notice for notice in after.notices)
        # The same papers first, whichever copy answered.
        assert [paper.arxiv_id for paper in after.page.papers[:3]] == \
            [paper.arxiv_id for paper in before.page.papers[:3]]
        assert after.page.papers[0].arxiv_id == "2501.00001"
    finally:
        host.close()


def test_a_host_killed_before_saving_its_copy_catches_up_with_each_vector_once(
    worker: Papertide, database_url: str, tmp_path: Path, embedder: OnnxEmbedder
) -> None:
    data_dir = tmp_path / "host"
    killed = open_host(database_url, data_dir, embedder)
    killed.follow_database()
    # Killed: nothing closed, nothing saved since; only its connections go.
    killed.store.close()

    worker.store.upsert_papers([  # one paper changed (a new vector, same label), one new
        make_record("2501.00001", "Predicting protein structures from sequences and templates",
                    abstract="Protein folding predicted with templates and attention."),
        make_record("2501.00099", "Protein design with diffusion models",
                    abstract="We generate new protein backbones with a diffusion model."),
    ], FIXED_NOW)
    worker.sync_search_index()
    worker.embed_pending()
    model = worker.semantic.model_name

    restarted = open_host(database_url, data_dir, embedder)
    try:
        restarted.follow_database()
        index = restarted.semantic.index
        assert isinstance(index, ReplicatedVectorIndex)
        assert index.answering == "replica"
        assert index.replica.count() == worker.store.count_vectors(model) == \
            worker.store.count_papers()
        found = [paper.arxiv_id for paper in
                 restarted.search("protein backbone generation", mode="semantic",
                                  page_size=50).page.papers]
        assert "2501.00099" in found
        assert len(found) == len(set(found))
    finally:
        restarted.close()


def test_a_host_names_its_vectors_papers_itself_and_rebuilds_a_copy_kept_without_names(
    worker: Papertide, database_url: str, tmp_path: Path, embedder: OnnxEmbedder
) -> None:
    """Once its copy answers, a host turns vector hits into papers from its own record
    (the database is not asked); a copy saved by a host from before there was such a
    record is rebuilt, not left answering with hits it cannot name."""
    data_dir = tmp_path / "host"
    host = open_host(database_url, data_dir, embedder)
    try:
        host.follow_database()
        expected = [paper.arxiv_id for paper in host.search(QUERY, mode="semantic").page.papers]
        index = host.semantic.index
        assert isinstance(index, ReplicatedVectorIndex) and index.local_labels is not None
        labels = index.local_labels.labels_of(expected)
        assert labels == worker.store.vector_labels(expected)
        assert index.local_labels.arxiv_ids_of(list(labels.values())) == \
            {label: arxiv_id for arxiv_id, label in labels.items()}
    finally:
        host.close()
    (data_dir / "vector-labels" / label_map.FILE_NAME).unlink()

    reopened = open_host(database_url, data_dir, embedder)
    try:
        assert reopened.semantic.index.state() is None  # to be rebuilt, names and all
        reopened.follow_database()
        found = reopened.search(QUERY, mode="semantic")
        assert found.mode == "semantic"
        assert [paper.arxiv_id for paper in found.page.papers] == expected
    finally:
        reopened.close()
