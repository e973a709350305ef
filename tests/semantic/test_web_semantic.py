"""Search modes and similar papers as the web pages and the API show them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide, open_app
from papertide.web.app import create_web_app
from tests.helpers import FIXED_NOW, fixed_clock, make_settings
from tests.semantic.corpus import corpus_records

PROTEIN = "2501.00001"
ENZYMES = "2501.00002"


@pytest.fixture(scope="module")
def client(corpus_app: Papertide) -> Iterator[TestClient]:
    with TestClient(create_web_app(corpus_app)) as test_client:
        yield test_client


@pytest.fixture
def unembedded_client(tmp_path: Path) -> Iterator[TestClient]:
    """The same corpus with keyword search only: nothing embedded yet."""
    app = open_app(make_settings(tmp_path / "plain"), clock=fixed_clock())
    app.store.upsert_papers(corpus_records(), FIXED_NOW)
    app.sync_search_index()
    with TestClient(create_web_app(app)) as test_client:
        yield test_client
    app.close()


def test_the_api_says_which_mode_answered(client: TestClient) -> None:
    for mode in ("keyword", "semantic", "hybrid"):
        body = client.get("/api/search", params={"q": "protein folding", "mode": mode}).json()
        assert body["mode"] == mode
        assert body["fallback"] is None
        assert body["results"], mode
    default = client.get("/api/search", params={"q": "protein folding"}).json()
    assert default["mode"] == "hybrid"


def test_meaning_finds_what_the_words_do_not(client: TestClient) -> None:
    query = {"q": "how do amino acid chains take their 3D shape"}
    semantic = client.get("/api/search", params={**query, "mode": "semantic"}).json()
    assert semantic["results"][0]["arxiv_id"] == PROTEIN


def test_an_unknown_mode_is_a_400_naming_the_parameter(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "protein", "mode": "psychic"})
    assert response.status_code == 400
    assert "mode" in response.json()["message"]


def test_hybrid_falls_back_to_keyword_and_says_so(unembedded_client: TestClient) -> None:
    body = unembedded_client.get("/api/search", params={"q": "protein structures"}).json()
    assert body["mode"] == "keyword"
    assert body["fallback"]
    assert body["fallback"] in body["notices"]
    page = unembedded_client.get("/search", params={"q": "protein structures"})
    assert page.status_code == 200
    assert "Answered by <strong>keyword</strong>" in page.text
    assert body["fallback"] in page.text


def test_the_search_page_offers_the_modes_and_keeps_the_choice(client: TestClient) -> None:
    page = client.get("/search", params={"q": "protein", "mode": "semantic"})
    assert page.status_code == 200
    assert "Answered by <strong>semantic</strong>" in page.text
    assert 'name="mode" value="semantic"' in page.text  # kept when the query is edited
    assert "mode=keyword" in page.text and "mode=hybrid" in page.text


def test_similar_papers_on_the_page_and_in_the_api(client: TestClient) -> None:
    body = client.get(f"/api/papers/{PROTEIN}/similar", params={"limit": 3}).json()
    ids = [hit["arxiv_id"] for hit in body["results"]]
    assert PROTEIN not in ids
    assert ENZYMES in ids[:2]  # the other protein-folding paper
    page = client.get(f"/papers/{PROTEIN}")
    assert "Similar papers" in page.text
    assert f"/papers/{ENZYMES}" in page.text


def test_similar_for_an_unknown_or_malformed_paper(client: TestClient) -> None:
    missing = client.get("/api/papers/2501.09999/similar")
    assert missing.status_code == 404
    assert set(missing.json()) == {"status", "message"}
    assert client.get("/api/papers/not-an-id/similar").status_code == 400
    assert client.get("/api/papers/2501.00001/similar", params={"limit": 0}).status_code == 400


def test_similar_waits_for_embeddings_and_says_why(unembedded_client: TestClient) -> None:
    body = unembedded_client.get(f"/api/papers/{PROTEIN}/similar").json()
    assert body["results"] == []
    assert body["notice"]
    page = unembedded_client.get(f"/papers/{PROTEIN}")
    assert page.status_code == 200
    assert body["notice"] in page.text
