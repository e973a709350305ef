"""Filters that leave nothing say so: which one, how many match without it, and a way out."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from tests.web.conftest import Corpus
from tests.web.html_dom import card_ids, fetch_page, parse_html

MAGNETOPHONON = "0704.0027"  # the one paper holding the word


def hint_texts(client: TestClient, **params: str) -> list[str]:
    page = parse_html(client.get("/search", params=params).text)
    return [hint.text() for hint in page.find_all(class_="filter-hint")]


def test_a_category_that_empties_the_results_is_named_with_a_way_out(
    client: TestClient, corpus: Corpus
) -> None:
    assert not corpus.row(MAGNETOPHONON)["categories"].startswith("q-bio")
    response = client.get("/search", params={"q": "magnetophonon cat:q-bio", "mode": "keyword"})
    page = parse_html(response.text)
    (hint,) = page.find_all(class_="filter-hint")
    assert "cat:q-bio" in hint.text() and "1 paper matches" in hint.text()
    way_out = hint.find("a").get("href")
    assert parse_qs(urlsplit(way_out).query)["q"] == ["magnetophonon"]
    assert card_ids(fetch_page(client, way_out)) == [MAGNETOPHONON]


def test_an_author_field_and_a_date_range_are_each_explained(client: TestClient) -> None:
    (author_hint,) = hint_texts(client, q="magnetophonon", author="Nobody Atall", mode="keyword")
    assert 'author:"Nobody Atall"' in author_hint and "1 paper matches" in author_hint
    (date_hint,) = hint_texts(client, q="magnetophonon from:2031", mode="keyword")
    assert "from:2031-01-01" in date_hint and "1 paper matches" in date_hint


def test_the_api_names_the_filter_and_links_the_search_without_it(client: TestClient) -> None:
    body = client.get("/api/search", params={
        "q": "magnetophonon", "cat": "q-bio", "mode": "keyword"}).json()
    assert body["total"] == 0
    (hint,) = body["filter_hints"]
    assert (hint["filter"], hint["label"], hint["matching_without"]) == ("cat", "cat:q-bio", 1)
    without = urlsplit(hint["search_without"])
    assert without.path == "/api/search" and "cat" not in parse_qs(without.query)
    again = client.get(f"{without.path}?{without.query}").json()
    assert [paper["arxiv_id"] for paper in again["results"]] == [MAGNETOPHONON]


def test_searches_that_find_papers_carry_no_hints(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "magnetophonon", "mode": "keyword"}).json()
    assert body["total"] == 1 and body["filter_hints"] == []


def test_when_no_single_filter_is_to_blame_each_is_still_offered(client: TestClient) -> None:
    hints = hint_texts(client, q="zzzyxnotaword cat:q-bio from:2031", mode="keyword")
    assert len(hints) == 2 and all("nothing matches either" in hint for hint in hints)
