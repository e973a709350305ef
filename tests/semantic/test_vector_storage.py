"""Vectors are durable, follow text changes and the model, and the index recovers from crashes."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from papertide.app import Papertide
from papertide.embed.base import Vectors
from papertide.embed.onnx import OnnxEmbedder
from papertide.models import PaperVersion
from tests.helpers import FIXED_NOW, make_record
from tests.semantic.corpus import corpus_records


class RenamedEmbedder:
    """The real model under another name: what upgrading the model setting looks like."""

    def __init__(self, inner: OnnxEmbedder, name: str) -> None:
        self.inner = inner
        self.name = name
        self.documents = 0

    @property
    def model_name(self) -> str:
        return self.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        self.documents += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> Vectors:
        return self.inner.embed_query(text)


def loaded(open_app: Callable[..., Papertide], **options: object) -> Papertide:
    app = open_app(**options)
    app.store.upsert_papers(corpus_records(), FIXED_NOW)
    app.sync_search_index()
    return app


def test_vectors_survive_reopening(
    open_semantic_app: Callable[..., Papertide], embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    counting = RenamedEmbedder(embedder, embedder.model_name)
    first = loaded(open_semantic_app, embedder_override=counting)
    assert first.embed_pending().embedded == 16
    first.close()
    again = open_semantic_app(embedder_override=counting)
    status = again.embedding_status()
    assert (status.embedded, status.indexed, status.ready) == (16, 16, True)
    assert again.embed_pending().embedded == 0
    assert counting.documents == 16
    assert again.search("will it rain tomorrow", mode="semantic").page.papers[0].arxiv_id \
        == "2501.00011"


def test_a_new_model_name_reembeds_every_paper(
    open_semantic_app: Callable[..., Papertide], embedder: OnnxEmbedder
) -> None:
    old = loaded(open_semantic_app)
    old.embed_pending()
    old.close()
    upgraded = RenamedEmbedder(embedder, "all-MiniLM-L6-v2/next")
    app = open_semantic_app(embedder_override=upgraded)
    status = app.embedding_status()
    assert (status.model, status.embedded, status.indexed) == ("all-MiniLM-L6-v2/next", 0, 0)
    assert app.search("protein folding").mode == "keyword"
    assert app.embed_pending().embedded == 16
    assert upgraded.documents == 16
    assert app.search("protein folding").mode == "hybrid"
    assert app.store.count_vectors("all-MiniLM-L6-v2/next") == 16


def test_only_papers_whose_text_changed_are_embedded_again(
    open_semantic_app: Callable[..., Papertide], embedder: OnnxEmbedder
) -> None:
    counting = RenamedEmbedder(embedder, embedder.model_name)
    app = loaded(open_semantic_app, embedder_override=counting)
    app.embed_pending()
    records = corpus_records()
    newer = (PaperVersion(2, FIXED_NOW),)   # a new version may change the text
    changed = replace(records[0], abstract="Now about rainfall forecasts and weather radar.",
                      versions=newer)
    recategorised = replace(records[1], categories=("cs.LG",), versions=newer)
    app.store.upsert_papers([changed, recategorised], FIXED_NOW)
    report = app.embed_pending()
    assert (report.embedded, report.unchanged) == (1, 1)
    assert counting.documents == 17
    # the new category reaches the vector index although the vector stayed
    found = app.search("how enzymes fold cat:cs.LG", mode="semantic")
    assert "2501.00002" in [paper.arxiv_id for paper in found.page.papers]
    assert "2501.00001" in [paper.arxiv_id for paper in
                            app.search("weather radar rain", mode="semantic").page.papers[:2]]


@pytest.mark.sqlite_only  # about the faiss index files in the data folder
def test_the_vector_index_catches_up_after_a_crash(
    open_semantic_app: Callable[..., Papertide], tmp_path: Path
) -> None:
    """Kill before the index is saved: the database has the vectors, the next start catches up."""
    app = loaded(open_semantic_app)
    app.embed_pending()
    saved = tmp_path / "saved-index"
    shutil.copytree(app.settings.vector_index_dir, saved)   # the index as saved on disk
    app.store.upsert_papers([make_record("2502.00001", "Hawking radiation of black holes",
                                         abstract="Black holes evaporate slowly.")], FIXED_NOW)
    app.embed_pending()
    app.close()
    shutil.rmtree(app.settings.vector_index_dir)             # lose what was saved since
    shutil.copytree(saved, app.settings.vector_index_dir)
    reopened = open_semantic_app()
    assert reopened.embedding_status().indexed == 17
    assert reopened.similar("2501.00004", 1).papers[0].arxiv_id == "2502.00001"


@pytest.mark.sqlite_only  # about the faiss index files in the data folder
def test_an_unreadable_vector_index_is_rebuilt_from_the_database(
    open_semantic_app: Callable[..., Papertide]
) -> None:
    app = loaded(open_semantic_app)
    app.embed_pending()
    app.close()
    folder = app.settings.vector_index_dir
    for entry in folder.iterdir():
        if entry.suffix in (".npy", ".npz", ".faiss"):
            entry.write_bytes(b"half a file")
    (folder / "state.json.tmp").write_text("{broken")
    reopened = open_semantic_app()
    assert reopened.embedding_status().indexed == 16
    hits = reopened.search("will it rain tomorrow", mode="semantic")
    assert hits.page.papers[0].arxiv_id == "2501.00011"


@pytest.mark.sqlite_only
def test_an_index_of_another_database_is_rebuilt(
    open_semantic_app: Callable[..., Papertide], tmp_path: Path
) -> None:
    app = loaded(open_semantic_app)
    app.embed_pending()
    app.close()
    other = tmp_path / "other"
    other.mkdir()
    shutil.copytree(app.settings.vector_index_dir, other / "vector-index")
    fresh = open_semantic_app(data_dir=other)
    assert fresh.embedding_status().indexed == 0
    assert fresh.search("protein").mode == "keyword"


def test_stored_vectors_are_compact_and_close_to_the_computed_ones(
    corpus_app: Papertide, embedder: OnnxEmbedder
) -> None:
    stored = corpus_app.store.get_vector("2501.00016", embedder.model_name)
    assert stored is not None and stored.dtype == np.float32
    record = corpus_records()[15]
    (computed,) = embedder.embed_documents([f"{record.title}. {record.abstract}"])
    assert float(stored @ computed) > 0.95


def test_a_paper_without_abstract_is_embedded_from_its_title(
    open_semantic_app: Callable[..., Papertide], embedder: OnnxEmbedder
) -> None:
    app = loaded(open_semantic_app)
    app.store.upsert_papers([make_record("2502.00002", "Hawking radiation of black holes",
                                         abstract=None)], FIXED_NOW)
    app.embed_pending()
    stored = app.store.get_vector("2502.00002", embedder.model_name)
    assert stored is not None
    (title,) = embedder.embed_documents(["Hawking radiation of black holes"])
    assert float(stored @ title) > 0.95
    found = app.search("radiation escaping black holes", mode="semantic", page_size=2)
    assert "2502.00002" in [paper.arxiv_id for paper in found.page.papers]
