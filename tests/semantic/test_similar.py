"""Similar papers: close in meaning, never the paper itself."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from papertide.app import Papertide
from papertide.exceptions import NotFoundError
from tests.helpers import FIXED_NOW, make_record
from tests.semantic.corpus import corpus_records


def similar_ids(app: Papertide, arxiv_id: str, limit: int = 3) -> list[str]:
    return [paper.arxiv_id for paper in app.similar(arxiv_id, limit).papers]


def test_similar_papers_share_the_topic(corpus_app: Papertide) -> None:
    assert "2501.00002" in similar_ids(corpus_app, "2501.00001", 2)    # protein folding
    assert "2501.00005" in similar_ids(corpus_app, "2501.00004", 2)    # black holes, gravity
    assert "2501.00007" in similar_ids(corpus_app, "2501.00006", 2)    # speech, translation


def test_a_paper_is_never_similar_to_itself(corpus_app: Papertide) -> None:
    for record in corpus_records():
        found = corpus_app.similar(record.arxiv_id, 20)
        assert record.arxiv_id not in [paper.arxiv_id for paper in found.papers]
        assert len(found.papers) == 15
        scores = [found.scores[paper.arxiv_id] for paper in found.papers]
        assert scores == sorted(scores, reverse=True)


def test_a_paper_not_yet_embedded_still_gets_similar_papers(
    fresh_corpus_app: Papertide
) -> None:
    corpus_app = fresh_corpus_app
    corpus_app.store.upsert_papers([make_record(
        "2502.00001", "Hawking radiation of evaporating black holes", abstract=None)], FIXED_NOW)
    assert similar_ids(corpus_app, "2502.00001", 1) == ["2501.00004"]


def test_an_unknown_paper_is_not_found(corpus_app: Papertide) -> None:
    with pytest.raises(NotFoundError):
        corpus_app.similar("2412.99999")


def test_similar_papers_wait_for_embeddings_and_say_so(
    open_semantic_app: Callable[..., Papertide]
) -> None:
    app = open_semantic_app()
    app.store.upsert_papers(corpus_records(), FIXED_NOW)
    found = app.similar("2501.00001")
    assert found.papers == () and found.notice and "embedded" in found.notice
