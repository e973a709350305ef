"""One embedding model per test session (exported once, loaded once), and apps that use it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from papertide.app import Papertide, open_app
from papertide.embed.onnx import OnnxEmbedder
from tests.helpers import FIXED_NOW, fixed_clock, make_settings
from tests.semantic.corpus import corpus_records


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by the xdist workers of one run: the export is locked and happens once."""
    return tmp_path_factory.getbasetemp().parent / "papertide-models"


@pytest.fixture(scope="session")
def embedder(models_dir: Path) -> OnnxEmbedder:
    return OnnxEmbedder("all-MiniLM-L6-v2", "int8", models_dir)


@pytest.fixture
def open_semantic_app(
    tmp_path: Path, embedder: OnnxEmbedder
) -> Iterator[Callable[..., Papertide]]:
    """Open (and later close) services on one data dir sharing the session's model."""
    opened: list[Papertide] = []

    def open_one(data_dir: Path | None = None, embedder_override: object = None,
                 **environ: str) -> Papertide:
        settings = make_settings(data_dir or tmp_path / "data", **environ)
        app = open_app(settings, clock=fixed_clock(),
                       embedder=embedder_override or embedder)  # type: ignore[arg-type]
        opened.append(app)
        return app

    yield open_one
    for app in opened:
        app.close()


def _corpus_app(data_dir: Path, embedder: OnnxEmbedder) -> Papertide:
    app = open_app(make_settings(data_dir), clock=fixed_clock(), embedder=embedder)
    app.store.upsert_papers(corpus_records(), FIXED_NOW)
    app.sync_search_index()
    app.embed_pending()
    return app


@pytest.fixture(scope="module")
def corpus_app(
    tmp_path_factory: pytest.TempPathFactory, embedder: OnnxEmbedder
) -> Iterator[Papertide]:
    """A service holding the hand-written corpus, fully embedded; tests must not change it."""
    app = _corpus_app(tmp_path_factory.mktemp("corpus"), embedder)
    yield app
    app.close()


@pytest.fixture
def fresh_corpus_app(tmp_path: Path, embedder: OnnxEmbedder) -> Iterator[Papertide]:
    """The same, for a test that adds or changes papers."""
    app = _corpus_app(tmp_path / "corpus", embedder)
    yield app
    app.close()
