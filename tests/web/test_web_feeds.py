"""Atom feeds: valid XML in the Atom namespace, with the right entries."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import BASE_URL, Corpus, squash

ATOM = "{http://www.w3.org/2005/Atom}"


def fetch_feed(client: TestClient, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entry_ids(feed: ET.Element) -> set[str]:
    return {entry.findtext(f"{ATOM}id", "") for entry in feed.iter(f"{ATOM}entry")}


def abs_urls(ids: set[str]) -> set[str]:
    return {f"https://arxiv.org/abs/{arxiv_id}" for arxiv_id in ids}


def parse_rfc3339(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.tzinfo is not None, text
    return moment


@pytest.mark.parametrize(("url", "days"), [
    ("/feed.atom", ("2026-03-11",)),
    ("/papers/date/2026-03-09/feed.atom", ("2026-03-09",)),
    ("/papers/week/2026-W10/feed.atom", ("2026-03-05", "2026-03-06")),
    ("/papers/month/2026-02/feed.atom", ("2026-02-27",)),
    ("/papers/month/2026-03/feed.atom", ("2026-03-05", "2026-03-06", "2026-03-09", "2026-03-11")),
])
def test_listing_feeds_hold_the_papers_of_their_period(
    client: TestClient, corpus: Corpus, url: str, days: tuple[str, ...]
) -> None:
    feed = fetch_feed(client, url)
    assert entry_ids(feed) == abs_urls(corpus.ids_on(*days))


def test_feed_metadata_is_complete_and_absolute(client: TestClient) -> None:
    feed = fetch_feed(client, "/papers/date/2026-03-09/feed.atom")
    assert feed.findtext(f"{ATOM}id") == f"{BASE_URL}/papers/date/2026-03-09/feed.atom"
    assert "Mar 9, 2026" in feed.findtext(f"{ATOM}title", "")
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": f"{BASE_URL}/papers/date/2026-03-09/feed.atom",
                     "alternate": f"{BASE_URL}/papers/date/2026-03-09"}
    assert feed.findtext(f"{ATOM}author/{ATOM}name")  # entries without authors inherit it
    updated = parse_rfc3339(feed.findtext(f"{ATOM}updated", ""))
    entries = list(feed.iter(f"{ATOM}entry"))
    assert updated == max(parse_rfc3339(e.findtext(f"{ATOM}updated", "")) for e in entries)


def test_entries_carry_title_links_summary_and_timestamps(
    client: TestClient, corpus: Corpus
) -> None:
    feed = fetch_feed(client, "/papers/date/2026-03-09/feed.atom")
    for entry in feed.iter(f"{ATOM}entry"):
        arxiv_id = entry.findtext(f"{ATOM}id", "").removeprefix("https://arxiv.org/abs/")
        row = corpus.row(arxiv_id)
        assert entry.findtext(f"{ATOM}title") == squash(row["title"])
        summary = entry.findtext(f"{ATOM}summary", "")
        # The authors' abstract: the scraped text minus HF's heading and AI summary.
        assert summary
        assert squash(row["abstract"]).endswith(summary)
        assert "AI-generated summary" not in summary
        assert entry.find(f"{ATOM}summary").get("type") == "text"  # type: ignore[union-attr]
        parse_rfc3339(entry.findtext(f"{ATOM}updated", ""))
        links = {(link.get("rel"), link.get("type")): link.get("href")
                 for link in entry.findall(f"{ATOM}link")}
        assert links[("alternate", "text/html")] == f"{BASE_URL}/papers/{arxiv_id}"
        assert links[("related", "application/pdf")] == f"https://arxiv.org/pdf/{arxiv_id}"


def test_entries_name_every_author_and_category(client: TestClient) -> None:
    feed = fetch_feed(client, "/papers/date/1999-01-26/feed.atom")
    (entry,) = list(feed.iter(f"{ATOM}entry"))
    names = [author.findtext(f"{ATOM}name") for author in entry.findall(f"{ATOM}author")]
    assert len(names) == 9 and names[0] == "Barry M. Leiner" and names[-1] == "Stephen Wolf"
    assert [category.get("term") for category in entry.findall(f"{ATOM}category")] == ["cs.NI"]
    assert entry.findtext(f"{ATOM}published", "").startswith("1999-01-23T00:37:11")


def test_entry_ids_are_stable_across_feeds(client: TestClient) -> None:
    day = fetch_feed(client, "/papers/date/2026-03-09/feed.atom")
    week = fetch_feed(client, "/papers/week/2026-W11/feed.atom")
    assert entry_ids(day) <= entry_ids(week)


def test_search_feed_lists_matching_papers_newest_first(
    client: TestClient, corpus: Corpus
) -> None:
    feed = fetch_feed(client, "/search/feed.atom?q=model&from=2026-03-06")
    ids = [entry.findtext(f"{ATOM}id", "").removeprefix("https://arxiv.org/abs/")
           for entry in feed.iter(f"{ATOM}entry")]
    day_of = {row["paper_id"]: day for day, rows in corpus.hf_by_day.items() for row in rows}
    assert ids and all(day_of[arxiv_id] >= "2026-03-06" for arxiv_id in ids)
    days = [day_of[arxiv_id] for arxiv_id in ids]
    assert days == sorted(days, reverse=True)
    assert "model" in feed.findtext(f"{ATOM}title", "")
    by_category = fetch_feed(client, "/search/feed.atom?q=cat:cs.IT")
    assert entry_ids(by_category) == abs_urls(corpus.with_category("cs.IT"))


@pytest.mark.parametrize("query", ["\x00abc", '"unbalanced', "🙂", "<b>&amp;", "\x1b[0m"])
def test_search_feeds_stay_valid_xml_whatever_the_query(client: TestClient, query: str) -> None:
    response = client.get("/search/feed.atom", params={"q": query})
    if response.status_code == 200:
        ET.fromstring(response.content)
    else:
        assert response.status_code == 400


def test_empty_periods_and_databases_give_empty_valid_feeds(
    client: TestClient, empty_client: TestClient
) -> None:
    assert entry_ids(fetch_feed(client, "/papers/date/2020-01-01/feed.atom")) == set()
    feed = fetch_feed(empty_client, "/feed.atom")
    assert entry_ids(feed) == set() and feed.findtext(f"{ATOM}updated")


@pytest.mark.parametrize("url", ["/papers/date/2026-02-30/feed.atom",
                                 "/papers/week/W11/feed.atom", "/search/feed.atom?q="])
def test_bad_feed_requests_are_400(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 400
