"""A papertide holding the recommendation corpus, embedded with the session's model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from papertide.app import Papertide, open_app
from papertide.embed.onnx import OnnxEmbedder
from tests.helpers import FIXED_NOW, fixed_clock, make_settings
from tests.recommend.corpus import corpus_records
from tests.semantic.conftest import embedder, models_dir  # noqa: F401 -- shared fixtures


def open_corpus_app(data_dir: Path, model: OnnxEmbedder, **environ: str) -> Papertide:
    app = open_app(make_settings(data_dir, topics_refresh_minutes="0", **environ),
                   clock=fixed_clock(), embedder=model)
    app.store.upsert_papers(corpus_records(), FIXED_NOW)
    app.sync_search_index()
    app.embed_pending()
    return app


@pytest.fixture
def service(tmp_path: Path, embedder: OnnxEmbedder) -> Iterator[Papertide]:  # noqa: F811
    app = open_corpus_app(tmp_path / "data", embedder)
    yield app
    app.close()


def add_user(service: Papertide, email: str = "reader@example.org") -> int:
    user, _ = service.community.accounts.add_user(email, admin=False)
    return user.id
