"""The trending pages and API: / is trending now, with links to the daily pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from papertide.app import Papertide
from tests.mailcatcher import MailCatcher
from tests.web.conftest import Corpus, read_corpus
from tests.web_accounts.conftest import page_of, sign_in

CORPUS: Corpus = read_corpus()


def _titles(client: TestClient, url: str) -> list[str]:
    page = page_of(client, url)
    return [card.find(class_="paper-title").text()
            for card in page.find_all("article", class_="paper-card")]


def test_home_is_trending_now_with_links_to_the_daily_pages(client: TestClient) -> None:
    page = page_of(client, "/")
    assert page.find("h1").text() == "Trending this week"
    hrefs = {a.get("href") for a in page.find(class_="day-links").find_all("a")}
    assert hrefs == {"/papers/date/2026-03-11", "/papers/week/2026-W11",
                     "/papers/month/2026-03"}
    nav = {a.text(): a.get("href") for a in page.find("nav", class_="site-nav").find_all("a")}
    assert nav["Daily"] == "/papers/date" and nav["Trending"] == "/trending"
    # the sample stopped collecting in March: the list is as of its last day, and says so
    assert "Mar 11" in page.find(class_="period-sub").text() or \
        "March 11" in page.find(class_="period-sub").text()


def test_the_windows_list_the_papers_of_their_span(client: TestClient) -> None:
    day = set(_titles(client, "/trending?window=day"))
    assert day == CORPUS.titles_on("2026-03-11")
    week = set(_titles(client, "/trending?window=week"))
    assert day < week
    assert page_of(client, "/trending?window=year", status=400)


def test_votes_reorder_trending_and_the_api_says_why(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int]
) -> None:
    quiet = sorted(CORPUS.ids_on("2026-03-09"))[0]  # an older paper, low in the week
    before = client.get("/api/trending", params={"window": "week", "limit": 200}).json()
    assert before["papers"][0]["arxiv_id"] != quiet
    sign_in(client, smtp[0], "trend1@example.org")
    token = page_of(client, "/").find("form", class_="vote-form").find("input").get("value")
    client.post(f"/votes/{quiet}", data={"csrf_token": token})
    other = TestClient(client.app, base_url="https://papers.example.org")
    sign_in(other, smtp[0], "trend2@example.org")
    token2 = page_of(other, "/").find("form", class_="vote-form").find("input").get("value")
    other.post(f"/votes/{quiet}", data={"csrf_token": token2})
    after = client.get("/api/trending", params={"window": "week"}).json()
    top = after["papers"][0]
    assert top["arxiv_id"] == quiet and top["votes"] == 2 and top["rank"] == 1
    assert top["score"] > after["papers"][1]["score"]
    assert after["window"] == "week" and after["live"] is False and after["total"] >= 20
    first = page_of(client, "/trending").find("article", class_="paper-card")
    assert first.find(class_="paper-title").find("a").get("href") == f"/papers/{quiet}"
    assert first.find(class_="rank").text() == "#1"
    assert first.find(class_="vote-count").text() == "2"


def test_periods_sort_by_trending_or_by_date(
    client: TestClient, smtp: tuple[MailCatcher, int]
) -> None:
    sign_in(client, smtp[0], "trend3@example.org")
    url = "/papers/week/2026-W10"  # Mar 5 and 6: no other test votes there
    by_date = _titles(client, url)
    last = page_of(client, url).find_all("article", class_="paper-card")[-1]
    form = last.find("form", class_="vote-form")
    fields = {field.get("name"): field.get("value") for field in form.find_all("input")}
    if fields["action"] == "up":
        client.post(form.get("action"), data=fields)
    by_trending = _titles(client, url + "?sort=trending")
    assert by_trending[0] == last.find(class_="paper-title").text()
    assert sorted(by_trending) == sorted(by_date)
    tabs = {a.text(): a.get("href") for a in page_of(client, url).find(
        "nav", class_="sort-tabs").find_all("a")}
    assert tabs == {"Trending": url + "?sort=trending", "Newest": url}
    assert client.get(url + "?sort=votes").status_code == 400


def test_the_api_rejects_bad_parameters_in_the_common_shape(client: TestClient) -> None:
    for params in ({"window": "year"}, {"limit": "0"}, {"page": "0"}):
        response = client.get("/api/trending", params=params)
        assert response.status_code == 400
        assert set(response.json()) == {"status", "message"}


def test_anonymous_visitors_get_a_cached_copy_and_signed_in_people_a_fresh_page(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int]
) -> None:
    url = "/trending?window=month&page=1"
    first = client.get(url, headers={"Accept-Encoding": "identity"})
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.text == first.text
    assert zipped.headers["content-security-policy"] == first.headers["content-security-policy"]
    target = page_of(client, url).find("article", class_="paper-card")
    target_id = target.find(class_="paper-title").find("a").get("href").rsplit("/", 1)[1]
    voter = TestClient(client.app, base_url="https://papers.example.org")
    sign_in(voter, smtp[0], "trend4@example.org")
    token = page_of(voter, url).find("form", class_="vote-form").find("input").get("value")
    voter.post(f"/votes/{target_id}", data={"csrf_token": token})
    mine = page_of(voter, url).find("article", class_="paper-card")
    assert mine.find("button", class_="vote-button").get("aria-pressed") == "true"
    assert client.get(url).text == first.text  # anonymous: the copy, for a few seconds
    service.community.board.invalidate()
    client.app.state.page_cache.clear()
    fresh = page_of(client, url).find("article", class_="paper-card")
    assert int(fresh.find(class_="vote-count").text()) == int(
        target.find(class_="vote-count").text()) + 1
