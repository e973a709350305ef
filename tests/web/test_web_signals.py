"""Outside signals on the sample's papers: front-page sightings in the JSON and on pages,
and arXiv's authors and categories searchable (``author:``, ``cat:``, author links)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.importing import import_front_page_snapshots
from papertide.web import create_web_app
from tests.helpers import DATA_DIR, FIXED_NOW, open_test_app
from tests.web.html_dom import card_titles, fetch_page

PAPERS = DATA_DIR / "hf_trending_joined.jsonl"
SNAPSHOTS = DATA_DIR / "hf_front_page_snapshots3.jsonl"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Papertide]:
    service = open_test_app(tmp_path_factory.mktemp("signals"))
    assert not service.import_files([PAPERS]).errors
    assert import_front_page_snapshots(service.store, SNAPSHOTS, FIXED_NOW, "three") == 22
    yield service
    service.close()


@pytest.fixture(scope="module")
def client(service: Papertide) -> Iterator[TestClient]:
    with TestClient(create_web_app(service)) as client:
        yield client


def test_importing_the_same_snapshots_again_adds_nothing(service: Papertide) -> None:
    assert import_front_page_snapshots(service.store, SNAPSHOTS, FIXED_NOW, "three") == 0
    sightings = [o for o in service.observations("2504.20438") if o.signal == "hfFrontPage"]
    assert [o.value_number for o in sightings] == [1, 1, 1]


def test_sightings_of_papers_not_stored_are_left_out(tmp_path: Path) -> None:
    service = open_test_app(tmp_path / "empty")
    try:
        assert import_front_page_snapshots(service.store, SNAPSHOTS, FIXED_NOW, "three") == 0
    finally:
        service.close()


def test_the_paper_json_says_how_often_and_how_high_it_was_on_the_front_page(
        client: TestClient) -> None:
    signals = client.get("/api/papers/2504.21117").json()["signals"]

    assert signals["front_page"]["snapshots"] == 2
    assert signals["front_page"]["best_position"] == 3
    assert signals["front_page"]["label"] == "on the HF front page in 2 snapshots, best #3"
    assert signals["front_page"]["first_seen"].startswith("2025-05-05T13:32:53")
    assert signals["hf_upvotes"] is None and signals["github_stars"] is None
    assert signals["summary"] == "on the HF front page in 2 snapshots, best #3"


def test_lists_carry_signals_and_trending_follows_the_sightings(client: TestClient) -> None:
    trending = client.get("/api/trending", params={"window": "day"}).json()
    papers = trending["papers"]

    assert papers[0]["arxiv_id"] == "2504.20438"  # #1 on all three snapshots
    assert papers[0]["signals"]["front_page"]["label"] == (
        "on the HF front page in 3 snapshots, best #1")
    assert all(paper["signals"]["front_page"] for paper in papers)
    listing = client.get("/api/daily", params={"month": "2025-05"}).json()
    assert {paper["signals"]["front_page"] is not None for paper in listing["papers"]} == {True}


def test_cards_and_the_paper_page_show_front_page_sightings(client: TestClient) -> None:
    trending = fetch_page(client, "/trending?window=day")
    signals = [signal.text().strip() for signal in trending.find_all(class_="signal")]
    assert "HF front page in 3 snapshots, best #1" in signals

    page = fetch_page(client, "/papers/2504.20438")
    facts = page.find(class_="signal-facts").text()
    assert "Hugging Face front page" in facts and "3 snapshots, best #1" in facts


@pytest.mark.parametrize(("query", "expected"), [
    ('author:"Daneul Kim"', {"2505.01079"}),
    ("cat:eess.IV", {"2505.01079"}),
    ("cat:cs.IR", {"2504.20859"}),
])
def test_author_and_category_searches_find_the_joined_papers(
        client: TestClient, query: str, expected: set[str]) -> None:
    found = client.get("/api/search", params={"q": query, "mode": "keyword"}).json()
    assert {hit["arxiv_id"] for hit in found["results"]} == expected


def test_an_author_link_on_a_card_leads_to_that_authors_papers(client: TestClient) -> None:
    page = fetch_page(client, "/papers/2505.01079")
    link = next(a for a in page.find(id="authors").find_all("a") if a.text() == "Daneul Kim")
    titles = card_titles(fetch_page(client, link.get("href")))
    assert len(titles) == 1 and titles[0].startswith("Improving Editability in Image Generation")
