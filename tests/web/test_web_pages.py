"""The HTML pages: daily/weekly/monthly listings, paper pages, errors, assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papertide.models import Observation
from papertide.web import create_web_app
from tests.helpers import FIXED_NOW
from tests.web.conftest import Corpus, open_loaded_service, squash
from tests.web.html_dom import Element, card_ids, card_titles, fetch_page, parse_html


def link(page: Element, rel: str) -> str | None:
    found = [a.get("href") for a in page.find_all("a") if a.get("rel") == rel]
    return found[0] if found else None


def all_titles(client: TestClient, url: str) -> list[str]:
    """Card titles over every page of a listing, following its "next page" links."""
    titles: list[str] = []
    while url:
        page = fetch_page(client, url)
        titles += card_titles(page)
        pagination = page.find_all("nav", class_="pagination")
        url = (link(pagination[0], "next") or "") if pagination else ""
    return titles


# -- listings --------------------------------------------------------------------------


LATEST_DAY = "/papers/date/2026-03-11"  # "/" shows trending now (tests/web_accounts)


def test_the_latest_day_shows_all_its_papers(client: TestClient, corpus: Corpus) -> None:
    page = fetch_page(client, LATEST_DAY)
    assert page.find("h1").text() == "Mar 11"
    assert "Wednesday, March 11, 2026" in page.find(class_="period-sub").text()
    assert set(card_titles(page)) == corpus.titles_on("2026-03-11")
    assert len(card_titles(page)) == 12


def test_a_day_links_to_its_week_and_month(client: TestClient) -> None:
    tabs = {a.text(): a.get("href") for a in fetch_page(client, LATEST_DAY).find(
        "nav", class_="tabs").find_all("a")}
    assert tabs == {"Daily": "/papers/date/2026-03-11", "Weekly": "/papers/week/2026-W11",
                    "Monthly": "/papers/month/2026-03"}


def test_previous_and_next_skip_days_without_papers(client: TestClient, corpus: Corpus) -> None:
    home = fetch_page(client, LATEST_DAY)
    assert link(home, "next") is None  # nothing after the latest day
    previous = link(home, "prev")
    assert previous == "/papers/date/2026-03-09"  # 2026-03-10 has no papers

    day = fetch_page(client, previous)
    assert day.find("h1").text() == "Mar 9"
    assert set(card_titles(day)) == corpus.titles_on("2026-03-09")
    assert link(day, "next") == "/papers/date/2026-03-11"
    assert link(day, "prev") == "/papers/date/2026-03-06"  # over the weekend


def test_a_day_without_papers_points_to_the_nearest_days(client: TestClient) -> None:
    page = fetch_page(client, "/papers/date/2026-03-10")
    assert card_titles(page) == []
    empty = page.find(class_="empty-state")
    assert "No papers on this day" in empty.text()
    hrefs = {a.get("href") for a in empty.find_all("a")}
    assert hrefs == {"/papers/date/2026-03-09", "/papers/date/2026-03-11"}


@pytest.mark.parametrize(("url", "days"), [
    ("/papers/week/2026-W11", ("2026-03-09", "2026-03-11")),
    ("/papers/week/2026-W10", ("2026-03-05", "2026-03-06")),
    ("/papers/month/2026-02", ("2026-02-27",)),
    ("/papers/month/2026-03", ("2026-03-05", "2026-03-06", "2026-03-09", "2026-03-11")),
])
def test_week_and_month_views_list_exactly_their_papers(
    client: TestClient, corpus: Corpus, url: str, days: tuple[str, ...]
) -> None:
    titles = all_titles(client, url)
    assert sorted(titles) == sorted(corpus.titles_on(*days))


def test_week_view_groups_papers_by_day_newest_first(client: TestClient, corpus: Corpus) -> None:
    page = fetch_page(client, "/papers/week/2026-W11")
    assert page.find("h1").text() == "Week 11, 2026"
    groups = page.find_all("section", class_="day-group")
    assert [group.find(class_="day-heading").text() for group in groups] == [
        "Wed, Mar 11", "Mon, Mar 9"]
    assert set(card_titles(groups[1])) == corpus.titles_on("2026-03-09")
    assert link(page, "prev") == "/papers/week/2026-W10"


def test_latest_period_shortcuts_redirect_to_the_latest_day(client: TestClient) -> None:
    for kind, target in [("date", "/papers/date/2026-03-11"), ("week", "/papers/week/2026-W11"),
                         ("month", "/papers/month/2026-03")]:
        response = client.get(f"/papers/{kind}", follow_redirects=False)
        assert response.status_code == 307 and response.headers["location"] == target


def test_listing_pages_walk_through_pages(paged_client: TestClient, corpus: Corpus) -> None:
    first = fetch_page(paged_client, LATEST_DAY)
    assert len(card_titles(first)) == 5
    pagination = first.find("nav", class_="pagination")
    assert [a.text() for a in pagination.find("ul").find_all("a")] == ["1", "2", "3"]
    assert link(pagination, "next") == f"{LATEST_DAY}?page=2"
    last = fetch_page(paged_client, f"{LATEST_DAY}?page=3")
    assert len(card_titles(last)) == 2
    assert sorted(all_titles(paged_client, LATEST_DAY)) == sorted(corpus.titles_on("2026-03-11"))


def test_a_page_past_the_end_says_so(paged_client: TestClient) -> None:
    page = fetch_page(paged_client, "/papers/date/2026-03-11?page=9")
    assert card_titles(page) == []
    assert "first page" in page.find(class_="empty-state").text()


# -- paper cards -----------------------------------------------------------------------


def test_card_shows_authors_categories_date_abstract_and_links(
    client: TestClient, corpus: Corpus
) -> None:
    page = fetch_page(client, "/papers/date/1999-01-26")
    card = page.find("article", class_="paper-card")
    row = corpus.row("cs/9901011")
    assert card.find(class_="paper-title").text() == squash(row["title"])
    authors = card.find(class_="authors")
    assert [a.text() for a in authors.find_all("a")][:4] == [
        "Barry M. Leiner", "Vinton G. Cerf", "David D. Clark", "Robert E. Kahn"]
    assert [a.get("href") for a in authors.find_all("a")][:2] == [
        "/authors/Barry%20M.%20Leiner", "/authors/Vinton%20G.%20Cerf"]
    assert authors.find(class_="more-authors").text() == "+5"  # nine authors
    # the primary category (arXiv lists it first)
    assert [chip.text() for chip in card.find_all(class_="chip")] == row["categories"].split()[:1]
    time = card.find("time")
    assert time.get("datetime") == "1999-01-26" and "Jan 26, 1999" in time.text()
    details = card.find("details", class_="abstract")
    assert details.find("summary").text()  # a preview to click on
    assert details.find(class_="abstract-full").text() == squash(row["abstract"])
    hrefs = {a.get("href") for a in card.find(class_="card-actions").find_all("a")}
    assert {"https://arxiv.org/abs/cs/9901011", "https://arxiv.org/pdf/cs/9901011"} <= hrefs


def test_cards_without_authors_or_categories_leave_them_out(client: TestClient) -> None:
    card = fetch_page(client, "/").find("article", class_="paper-card")
    assert not card.find_all(class_="authors")
    assert not card.find_all(class_="chip")


# -- paper pages -----------------------------------------------------------------------


def test_paper_page_shows_everything_stored(client: TestClient, corpus: Corpus) -> None:
    row = corpus.row("0704.0027")
    page = fetch_page(client, "/papers/0704.0027")
    article = page.find("article", class_="paper-detail")
    assert article.find("h1").text() == squash(row["title"])
    assert [a.text() for a in article.find(id="authors").find_all("a")] == [
        "M. O. Goerbig", "J.-N. Fuchs", "K. Kechedzhi", "Vladimir I. Fal'ko"]
    assert [chip.text() for chip in article.find_all(class_="chip")] == row["categories"].split()
    assert article.find(class_="abstract-text").text() == squash(row["abstract"])
    facts = article.find("dl", class_="facts").text()
    assert squash(row["journal-ref"]) in facts and row["doi"] in facts
    assert "estimated" in facts
    assert "arxiv-kaggle" in article.find("details", class_="record").text()
    versions = article.find("section", **{"aria-labelledby": "versions-heading"})
    assert [a.text() for a in versions.find_all("a")] == ["v4", "v3", "v2", "v1"]
    assert "2007-04-02" in versions.text()  # v1: Mon, 2 Apr 2007
    hrefs = {a.get("href") for a in article.find_all("a")}
    assert {"https://arxiv.org/pdf/0704.0027", "https://arxiv.org/abs/0704.0027",
            f"https://doi.org/{row['doi']}"} <= hrefs


def test_paper_page_links_to_its_day_week_and_month(client: TestClient) -> None:
    crumbs = fetch_page(client, "/papers/cs/9901011").find("nav", class_="breadcrumbs")
    assert [a.get("href") for a in crumbs.find_all("a")] == [
        "/papers/month/1999-01", "/papers/week/1999-W04", "/papers/date/1999-01-26"]


def test_old_style_ids_have_pages(client: TestClient, corpus: Corpus) -> None:
    page = fetch_page(client, "/papers/hep-th/9901001")
    assert page.find("h1").text() == squash(corpus.row("hep-th/9901001")["title"])


@pytest.mark.parametrize(("asked", "canonical"), [
    ("/papers/0704.0027v2", "/papers/0704.0027"),
    ("/papers/arXiv:0704.0027", "/papers/0704.0027"),
    ("/papers/hep-th/9901001v3", "/papers/hep-th/9901001"),
    ("/papers/0704.0027/", "/papers/0704.0027"),
])
def test_other_spellings_of_an_id_redirect_permanently(
    client: TestClient, asked: str, canonical: str
) -> None:
    response = client.get(asked, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == canonical


def test_paper_page_shows_observations(tmp_path: Path) -> None:
    service = open_loaded_service(tmp_path / "data")
    try:
        service.store.add_observations([Observation(
            "2603.09652", "hf-trending", "upvotes", FIXED_NOW, value_number=1234.0)])
        with TestClient(create_web_app(service)) as client:
            page = fetch_page(client, "/papers/2603.09652")
            side = page.find("section", **{"aria-labelledby": "signals-heading"})
            assert "Upvotes on Hugging Face 1,234" in side.text()
            record = page.find("details", class_="record")
            assert "upvotes" in record.text() and "1,234" in record.text()
            other = fetch_page(client, "/papers/0704.0027")
            assert not other.find("details", class_="record").find_all("table")
            assert "Hugging Face" not in other.find(
                "section", **{"aria-labelledby": "signals-heading"}).text()
    finally:
        service.close()


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/papers/date/2026-02-30",
    "/papers/date/yesterday",
    "/papers/date/26-03-11",
    "/papers/week/2026-W60",
    "/papers/week/2026-03",
    "/papers/month/2026-13",
    "/papers/month/March",
    "/papers/date/0001-01-01",
])
def test_bad_period_slugs_give_a_400_page_that_says_why(client: TestClient, url: str) -> None:
    page = fetch_page(client, url, status=400)
    message = page.find(class_="error-message").text()
    assert url.rsplit("/", 1)[1] in message
    assert "Traceback" not in page.text()


def test_malformed_paper_id_gives_a_400_page(client: TestClient) -> None:
    page = fetch_page(client, "/papers/not-a-paper", status=400)
    assert "not an arXiv identifier" in page.find(class_="error-message").text()


def test_unknown_paper_gives_a_404_page(client: TestClient) -> None:
    page = fetch_page(client, "/papers/2401.99999", status=404)
    assert page.find(class_="error-status").text() == "404"
    assert "2401.99999" in page.find(class_="error-message").text()


@pytest.mark.parametrize("url", ["/?page=0", "/?page=abc", "/papers/date/2026-03-11?page=-1"])
def test_bad_page_numbers_give_a_400_page_naming_the_parameter(
    client: TestClient, url: str
) -> None:
    assert "page" in fetch_page(client, url, status=400).find(class_="error-message").text()


def test_unknown_pages_and_wrong_methods_get_styled_error_pages(client: TestClient) -> None:
    missing = fetch_page(client, "/no/such/page", status=404)
    assert missing.find("header", class_="site-header")  # the site around the error
    response = client.post("/")
    assert response.status_code == 405 and response.headers["content-type"].startswith("text/html")
    assert "GET" in response.headers["allow"]
    assert "POST is not allowed" in parse_html(response.text).find(class_="error-message").text()


def test_empty_database_explains_how_to_load_papers(empty_client: TestClient) -> None:
    page = fetch_page(empty_client, "/")
    assert "No papers yet" in page.find("h1").text()
    assert "papertide import --sample" in page.text()
    response = empty_client.get("/papers/week", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/"


# -- every page ------------------------------------------------------------------------

PAGES = ["/", "/papers/week/2026-W11", "/papers/month/2026-02", "/papers/0704.0027",
         "/papers/hep-th/9901001", "/search?q=model", "/search", "/about", "/papers/date/bad"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_load_css_js_and_images_only_from_this_site(client: TestClient, url: str) -> None:
    response = client.get(url)
    page = parse_html(response.text)
    assets = [element.get("href") for element in page.find_all("link")
              if element.get("rel") in ("stylesheet", "icon", "preload")]
    assets += [element.get("src") for element in page.find_all("script")]
    assets += [element.get("src") for element in page.find_all("img")]
    assert assets, "the page loads no assets at all?"
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        assert client.get(asset).status_code == 200, asset
    assert "@import" not in response.text and "fonts.googleapis" not in response.text
    inline_scripts = [script for script in page.find_all("script") if not script.get("src")]
    assert not page.find_all("style") and not inline_scripts


def test_stylesheet_is_local_responsive_and_has_a_dark_mode(client: TestClient) -> None:
    response = client.get("/static/style.css")
    css = response.text
    assert response.headers["content-type"].startswith("text/css")
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert "@font-face" not in css and "@import" not in css
    assert "prefers-color-scheme: dark" in css and ":focus-visible" in css
    assert "max-age" in response.headers["cache-control"]


@pytest.mark.parametrize("url", ["/", "/papers/0704.0027", "/search?q=model", "/about"])
def test_pages_have_landmarks_a_labelled_search_box_and_a_feed(
    client: TestClient, url: str
) -> None:
    page = fetch_page(client, url)
    for landmark in ("header", "nav", "main", "footer"):
        assert page.find_all(landmark), landmark
    box_id = "search-q" if url.startswith("/search") else "header-q"
    search_box = page.find("input", id=box_id)
    assert page.find("label", **{"for": box_id}).text()
    assert search_box.get("name") == "q"
    assert page.find("html").get("lang") == "en"


@pytest.mark.parametrize(("url", "feed"), [
    ("/", "/feed.atom"),
    ("/papers/date/2026-03-09", "/papers/date/2026-03-09/feed.atom"),
    ("/papers/week/2026-W10", "/papers/week/2026-W10/feed.atom"),
    ("/papers/month/2026-03", "/papers/month/2026-03/feed.atom"),
])
def test_listing_pages_link_their_atom_feed(client: TestClient, url: str, feed: str) -> None:
    page = fetch_page(client, url)
    alternates = [element.get("href") for element in page.find_all("link", rel="alternate")
                  if element.get("type") == "application/atom+xml"]
    assert alternates == [feed]
    assert client.get(feed).status_code == 200


def test_about_page_documents_search_syntax_and_sources(client: TestClient) -> None:
    page = fetch_page(client, "/about")
    syntax = page.find("section", id="search-syntax").text()
    for example in ('"graph neural network"', "author:", "cat:cs.LG", "from:2025-03", "-survey",
                    "transform*", "NEAR"):
        assert example in syntax, example
    sources = page.find("section", id="sources")
    assert "MIT" in sources.text()
    assert "https://github.com/MichaelMarkert/rss" in {a.get("href") for a in sources.find_all("a")}


def test_paper_links_in_listings_lead_to_paper_pages(client: TestClient) -> None:
    for arxiv_id in card_ids(fetch_page(client, "/papers/month/2026-02")):
        assert client.get(f"/papers/{arxiv_id}").status_code == 200


@pytest.mark.parametrize("url", ["/", "/feed.atom", "/api/health", "/static/style.css"])
def test_head_requests_answer_like_get_without_a_body(client: TestClient, url: str) -> None:
    head = client.head(url)
    get = client.get(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_pages_are_compressed_for_clients_that_accept_it(client: TestClient) -> None:
    response = client.get("/papers/month/2026-03", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(response.content) / 2
    assert card_titles(parse_html(response.text))  # httpx decoded it: still the page


@pytest.mark.parametrize(("asked", "canonical"), [
    ("/papers/week/2026-W9", "/papers/week/2026-W09"),
    ("/papers/month/2026-3?page=2", "/papers/month/2026-03?page=2"),
    ("/papers/date/%202026-03-09", "/papers/date/2026-03-09"),
])
def test_loose_period_slugs_redirect_to_the_canonical_address(
    client: TestClient, asked: str, canonical: str
) -> None:
    response = client.get(asked, follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == canonical


def test_a_day_lists_trending_first_and_newest_is_one_click_away(client: TestClient) -> None:
    day = fetch_page(client, LATEST_DAY)
    tabs = {a.text(): a for a in day.find("nav", class_="sort-tabs").find_all("a")}
    assert tabs["Trending"].get("aria-current") == "page"
    assert tabs["Trending"].get("href") == LATEST_DAY
    assert tabs["Newest"].get("href") == LATEST_DAY + "?sort=date"
    assert day.find_all(class_="rank")  # ranked: the trending order
    newest = fetch_page(client, LATEST_DAY + "?sort=date")
    assert not newest.find_all(class_="rank")
    assert sorted(card_ids(newest)) == sorted(card_ids(day))
    week = fetch_page(client, "/papers/week/2026-W11")  # weeks stay grouped by day
    assert week.find_all(class_="day-heading")


@pytest.mark.parametrize(("kind", "date", "target"), [
    ("date", "2026-03-09", "/papers/date/2026-03-09"),
    ("week", "2026-03-12", "/papers/week/2026-W11"),
    ("month", "2026-02-28", "/papers/month/2026-02"),
])
def test_the_date_picker_goes_to_the_period_holding_the_date(
    client: TestClient, kind: str, date: str, target: str
) -> None:
    listing = fetch_page(client, LATEST_DAY if kind == "date" else target)
    form = listing.find("form", class_="date-picker")
    assert form.get("method") == "get"
    assert form.find("input", type="date").get("name") == "date"
    response = client.get(form.get("action"), params={"kind": kind, "date": date},
                          follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == target


@pytest.mark.parametrize("params", [{"kind": "date", "date": "2026-02-30"},
                                    {"kind": "date", "date": "yesterday"},
                                    {"kind": "year", "date": "2026-03-01"},
                                    {"kind": "date"}])
def test_the_date_picker_refuses_bad_dates_with_a_400(
    client: TestClient, params: dict[str, str]
) -> None:
    response = client.get("/papers/jump", params=params, follow_redirects=False)
    assert response.status_code == 400
