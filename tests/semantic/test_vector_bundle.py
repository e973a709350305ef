"""Vectors computed ahead of time (the bundled sample's): written, checked, loaded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from papertide.app import Papertide
from papertide.embed.base import paper_text
from papertide.embed.bundle import VectorBundle, load_bundle, read_bundle, write_bundle
from papertide.embed.onnx import OnnxEmbedder
from papertide.exceptions import EmbeddingError
from tests.helpers import FIXED_NOW
from tests.semantic.corpus import corpus_records


def corpus_bundle(app: Papertide, embedder: OnnxEmbedder) -> VectorBundle:
    """The corpus embedded by the real model, from another database (as the build does)."""
    papers = list(app.store.iter_all_papers())
    texts = [paper_text(paper) for paper in papers]
    return VectorBundle.from_texts(embedder.model_name, [paper.arxiv_id for paper in papers],
                                   texts, embedder.embed_documents(texts))


@pytest.fixture
def bundle_file(tmp_path: Path, open_semantic_app: Callable[..., Papertide],
                embedder: OnnxEmbedder) -> Path:
    source = open_semantic_app(tmp_path / "source")
    source.store.upsert_papers(corpus_records(), FIXED_NOW)
    path = tmp_path / "vectors.npz"
    write_bundle(path, corpus_bundle(source, embedder))
    return path


def fresh_corpus(open_semantic_app: Callable[..., Papertide], folder: Path) -> Papertide:
    app = open_semantic_app(folder)
    app.store.upsert_papers(corpus_records(), FIXED_NOW)
    app.sync_search_index()
    return app


def test_loaded_vectors_answer_by_meaning_without_embedding_anything(
        tmp_path: Path, bundle_file: Path, open_semantic_app: Callable[..., Papertide]) -> None:
    app = fresh_corpus(open_semantic_app, tmp_path / "fresh")
    assert not app.embedding_status().ready

    loaded = load_bundle(app.store, app.semantic.model_name, read_bundle(bundle_file))
    app.sync_vector_index()

    assert (loaded.loaded, loaded.left_to_embed, loaded.skipped) == (
        len(corpus_records()), 0, None)
    assert app.embedding_status().ready
    results = app.search("how do proteins fold", mode="semantic")
    assert results.mode == "semantic" and results.fallback is None
    assert results.page.papers[0].arxiv_id in {"2501.00001", "2501.00002"}
    assert app.embed_pending().embedded == 0  # nothing left for the model to do


def test_a_paper_whose_text_changed_is_left_to_the_embedder(
        tmp_path: Path, bundle_file: Path, open_semantic_app: Callable[..., Papertide]) -> None:
    app = open_semantic_app(tmp_path / "changed")
    records = corpus_records()
    edited = replace(records[2], abstract="A wholly different abstract.")
    app.store.upsert_papers([*records[:2], edited, *records[3:]], FIXED_NOW)
    app.sync_search_index()

    loaded = load_bundle(app.store, app.semantic.model_name, read_bundle(bundle_file))

    assert (loaded.loaded, loaded.left_to_embed) == (len(records) - 1, 1)
    report = app.embed_pending()
    assert report.embedded == 1 and report.remaining == 0


def test_loading_twice_adds_nothing_new(
        tmp_path: Path, bundle_file: Path, open_semantic_app: Callable[..., Papertide]) -> None:
    app = fresh_corpus(open_semantic_app, tmp_path / "twice")
    bundle = read_bundle(bundle_file)
    load_bundle(app.store, app.semantic.model_name, bundle)
    assert load_bundle(app.store, app.semantic.model_name, bundle).loaded == 0


def test_vectors_of_another_model_are_not_loaded(
        tmp_path: Path, bundle_file: Path, open_semantic_app: Callable[..., Papertide]) -> None:
    app = fresh_corpus(open_semantic_app, tmp_path / "other")

    loaded = load_bundle(app.store, "some-other-model/fp32", read_bundle(bundle_file))

    assert loaded.loaded == 0 and loaded.skipped is not None
    assert "some-other-model/fp32" in loaded.skipped
    assert app.store.count_vectors("some-other-model/fp32") == 0


def test_a_damaged_file_is_refused_with_a_clear_message(bundle_file: Path) -> None:
    data = bytearray(bundle_file.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the vectors, the largest part
    bundle_file.write_bytes(bytes(data))
    with pytest.raises(EmbeddingError, match="damaged"):
        read_bundle(bundle_file)
    bundle_file.write_bytes(b"not a vector file")
    with pytest.raises(EmbeddingError, match="unreadable"):
        read_bundle(bundle_file)


def test_vectors_that_do_not_match_their_checksum_are_refused(bundle_file: Path) -> None:
    with np.load(bundle_file, allow_pickle=False) as archive:
        parts = {name: archive[name] for name in archive.files}
    parts["vectors"] = parts["vectors"].copy()
    parts["vectors"][0, 0] = 0.5  # a well-formed file, but not the vectors it was made with
    with bundle_file.open("wb") as stream:
        np.savez(stream, **parts)
    with pytest.raises(EmbeddingError, match="checksum"):
        read_bundle(bundle_file)
