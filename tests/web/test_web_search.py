"""The search page: what people type finds the right papers, and nothing breaks it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import Corpus, squash
from tests.web.html_dom import Element, card_ids, fetch_page, parse_html


def search(client: TestClient, status: int = 200, **params: str) -> Element:
    response = client.get("/search", params=params)
    assert response.status_code == status, (params, response.text[:300])
    return parse_html(response.text)


def total(page: Element) -> int:
    text = page.find(class_="results-count").text()
    return 0 if text.startswith("No papers") else int(text.split()[0].replace(",", ""))


def all_result_ids(client: TestClient, **params: str) -> list[str]:
    ids: list[str] = []
    page = search(client, **params)
    while True:
        ids += card_ids(page)
        pagination = page.find_all("nav", class_="pagination")
        following = [a.get("href") for a in pagination[0].find_all("a")
                     if a.get("rel") == "next"] if pagination else []
        if not following:
            return ids
        page = fetch_page(client, following[0])


def test_a_bare_search_page_explains_the_syntax(client: TestClient) -> None:
    page = fetch_page(client, "/search")
    assert "How to search" in page.find(class_="help-card").text()
    assert not page.find_all(class_="paper-card")


def test_a_title_word_finds_its_paper_first(client: TestClient) -> None:
    page = search(client, q="magnetophonon")
    assert card_ids(page)[0] == "0704.0027"
    assert total(page) == 1
    assert page.find("input", id="search-q").get("value") == "magnetophonon"
    assert not page.find_all("input", id="header-q")  # one search box on the search page


def test_a_phrase_finds_exactly_the_papers_containing_it(
    client: TestClient, corpus: Corpus
) -> None:
    expected = {arxiv_id for arxiv_id, row in corpus.arxiv.items()
                if "string junction" in squash(f"{row['title']} {row['abstract']}").lower()}
    expected |= {row["paper_id"] for rows in corpus.hf_by_day.values() for row in rows
                 if "string junction" in squash(f"{row['title']} {row['abstract']}").lower()}
    assert expected == {"hep-th/9901001"}
    assert set(all_result_ids(client, q='"string junctions"')) == expected


@pytest.mark.parametrize(("params", "category"), [
    ({"q": "cat:cs.IT"}, "cs.IT"),
    ({"cat": "cs.IT"}, "cs.IT"),
    ({"q": "cat:hep-th"}, "hep-th"),
    ({"cat": "cs"}, "cs"),
])
def test_category_filters_find_the_papers_of_a_category_or_archive(
    client: TestClient, corpus: Corpus, params: dict[str, str], category: str
) -> None:
    expected = corpus.with_category(category)
    assert expected  # the fixture has papers in it
    assert set(all_result_ids(client, **params)) == expected


@pytest.mark.parametrize("params", [
    {"q": "author:Cerf"},
    {"q": 'author:"Vinton G. Cerf"'},
    {"author": "Vinton G. Cerf"},
    {"q": "internet", "author": "kleinrock"},
])
def test_author_filters_find_papers_by_that_author(
    client: TestClient, params: dict[str, str]
) -> None:
    assert card_ids(search(client, **params)) == ["cs/9901011"]


def test_an_author_who_wrote_nothing_here_finds_nothing(client: TestClient) -> None:
    page = search(client, author="Nobody Atall")
    assert total(page) == 0
    assert "Nothing found" in page.find(class_="empty-state").text()


def test_a_date_range_alone_lists_the_papers_of_those_days(
    client: TestClient, corpus: Corpus
) -> None:
    ids = all_result_ids(client, **{"from": "2026-03-06", "to": "2026-03-09"})
    assert set(ids) == corpus.ids_on("2026-03-06", "2026-03-09")
    in_query = all_result_ids(client, q="from:2026-03-06 to:2026-03-09")
    assert set(in_query) == set(ids)


def test_a_year_or_month_works_as_a_bound(client: TestClient, corpus: Corpus) -> None:
    ids = all_result_ids(client, **{"from": "2026-02", "to": "2026-02"})
    assert set(ids) == corpus.ids_on("2026-02-27")
    old = all_result_ids(client, **{"to": "1999"})
    assert old and all("/" in arxiv_id for arxiv_id in old)  # only old-style ids before 2000


def test_sort_by_date_puts_the_newest_first(client: TestClient) -> None:
    page = search(client, q="model", sort="date")
    days = [time.get("datetime") for time in page.find_all("time")]
    assert len(days) > 5 and days == sorted(days, reverse=True)
    toggle = {a.text(): a for a in page.find("nav", class_="sort-tabs").find_all("a")}
    assert toggle["Newest"].get("aria-current") == "page"
    assert "sort" not in parse_qs(urlsplit(toggle["Best match"].get("href")).query)


def test_the_sort_toggle_keeps_the_query_and_filters(client: TestClient) -> None:
    page = search(client, q="model", **{"from": "2026-03"})
    newest = next(a for a in page.find("nav", class_="sort-tabs").find_all("a")
                  if a.text() == "Newest")
    query = parse_qs(urlsplit(newest.get("href")).query)
    assert query == {"q": ["model"], "from": ["2026-03"], "sort": ["date"]}


def test_pagination_keeps_every_parameter(paged_client: TestClient) -> None:
    params = {"q": "model", "from": "2026-03", "sort": "date"}
    first = search(paged_client, **params)
    assert total(first) > 5
    following = next(a.get("href") for a in first.find("nav", class_="pagination").find_all("a")
                     if a.get("rel") == "next")
    query = parse_qs(urlsplit(following).query)
    assert query == {"q": ["model"], "from": ["2026-03"], "sort": ["date"], "page": ["2"]}
    second = fetch_page(paged_client, following)
    assert not set(card_ids(first)) & set(card_ids(second))
    everything = all_result_ids(paged_client, **params)
    assert len(everything) == len(set(everything)) == total(first)


def test_unusable_parts_of_a_query_are_reported(client: TestClient) -> None:
    page = search(client, q='"string junctions')
    notices = [notice.text() for notice in page.find_all(class_="notice")]
    assert any("unmatched quote" in notice for notice in notices)
    assert "hep-th/9901001" in card_ids(page)


@pytest.mark.parametrize(("params", "fragment"), [
    ({"q": ""}, "type some words"),
    ({"q": "   "}, "type some words"),
    ({"q": "x" * 5000}, "at most 1,000"),
    ({"q": "model", "from": "yesterday"}, "'from' must be a year, a month or a day"),
    ({"q": "model", "to": "2026-13"}, "'to' must be"),
    ({"q": "model", "page": "1000"}, "beyond result"),
])
def test_searches_that_cannot_run_get_a_400_with_the_form_and_a_reason(
    client: TestClient, params: dict[str, str], fragment: str
) -> None:
    page = search(client, status=400, **params)
    assert fragment in page.find(class_="alert").text()
    assert page.find("form", class_="search-panel")


WEIRD_QUERIES = [
    '"unbalanced', 'two "unbalanced " quotes"', "AND", "OR OR", "NEAR", "a AND b OR c NEAR d",
    "*", "**", "a*", "ab*", "trans*", "🙂", "🙂🚀 model", "\x00", "model\x00\x01\x1b[31m",
    "\u202e\u200b", "cat:", "author:", "from:garbage", "to:2025-13", "from:2026 to:2025",
    ":::", "-", "+", "--", '""', "()", "[]", "{}", "\\", "'; DROP TABLE papers; --",
    "<script>alert(1)</script>", "NOT", "NOT NOT", "-model", "title:foo", "x:y:z",
    "a" * 999, " ".join(["word"] * 60), "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Ünïcödé naïve café", "中文 论文",
    "%00", "%", "&q=", "+-+-", "author:\"", "cat:\"cs.LG",
]


@pytest.mark.parametrize("text", WEIRD_QUERIES)
def test_anything_a_person_types_gives_a_page_not_a_server_error(
    client: TestClient, text: str
) -> None:
    response = client.get("/search", params={"q": text})
    assert response.status_code in (200, 400), response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    page = parse_html(response.text)
    if response.status_code == 400:
        assert page.find(class_="alert").text()
    else:
        assert page.find(class_="results-count").text()
    assert "<script>alert(1)</script>" not in response.text
    assert "\x00" not in response.text


def test_weird_queries_in_the_raw_url_are_handled_too(client: TestClient) -> None:
    for raw in ("/search?q=%00", "/search?q=%ff%fe", "/search?q=%", "/search?q=a&q=b",
                "/search?sort=sideways&q=a", "/search?cat=&author=&from=&to=&q=model"):
        response = client.get(raw)
        assert response.status_code in (200, 400), raw
        assert response.headers["content-type"].startswith("text/html")
