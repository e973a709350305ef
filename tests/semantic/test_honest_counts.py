"""Counts that say what they count: semantic mode's cap, similar papers while embedding."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.search import semantic
from papertide.web.app import create_web_app
from tests.helpers import FIXED_NOW, make_record


def test_semantic_mode_calls_its_capped_total_a_top_list(
    fresh_corpus_app: Papertide, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic, "SEMANTIC_RESULT_CAP", 10)  # 16 papers: more than the cap
    results = fresh_corpus_app.search("protein folding", mode="semantic")
    assert (results.mode, results.page.total, results.total_capped) == ("semantic", 10, True)
    with TestClient(create_web_app(fresh_corpus_app)) as client:
        page = client.get("/search", params={"q": "protein folding", "mode": "semantic"}).text
        body = client.get("/api/search", params={"q": "protein folding", "mode": "semantic"})
    assert "top <strong>10</strong> by meaning" in page
    assert "10</strong> papers" not in page
    assert body.json()["total_capped"] is True


def test_keyword_and_hybrid_totals_are_counts_not_caps(fresh_corpus_app: Papertide) -> None:
    for mode in ("keyword", "hybrid"):
        assert not fresh_corpus_app.search("protein folding", mode=mode).total_capped


def test_similar_papers_say_how_much_of_the_collection_was_compared(
    fresh_corpus_app: Papertide
) -> None:
    app = fresh_corpus_app
    assert app.similar("2501.00001").coverage is None  # all 16 embedded
    app.store.upsert_papers([make_record(f"2502.{n:05d}", f"Unembedded paper {n}")
                             for n in range(1, 785)], FIXED_NOW)
    app.sync_search_index()
    found = app.similar("2501.00001")
    assert found.papers
    assert found.coverage == "Based on 2% of papers embedded so far."  # 16 of 800
    with TestClient(create_web_app(app)) as client:
        page = client.get("/papers/2501.00001").text
        body = client.get("/api/papers/2501.00001/similar").json()
    assert "Based on 2% of papers embedded so far." in page
    assert body["coverage"] == "Based on 2% of papers embedded so far."
