"""What a Hugging Face Papers user looks for: rich cards, a paper page with citations a
reference manager reads, and author pages.

The outside signals come from the recorded Hugging Face daily-papers answer in
``tests/data/fixtures``; what the tests expect is read from that file and from the
web corpus directly, never from papertide's parsers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import bibtexparser
import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.recommend.library_files import read_library
from papertide.sources.hf_daily import parse_daily_papers
from papertide.web import create_web_app
from tests.helpers import DATA_DIR, FIXED_NOW, kaggle_row, write_jsonl
from tests.web.conftest import BASE_URL, Corpus, open_loaded_service, squash
from tests.web.html_dom import Element, fetch_page

HF_DAILY = DATA_DIR / "fixtures" / "hf-daily-papers" / "sotawhat_daily_papers_2026-06-12.json"
ACCENTED = "Balázs Kégl"
PROLIFIC = 32


def hf_items() -> dict[str, dict[str, Any]]:
    return {item["paper"]["id"]: item for item in json.loads(HF_DAILY.read_text("utf-8"))}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Papertide]:
    """The web corpus, the recorded HF daily papers with their signals, and three papers
    whose author is spelled with and without accents."""
    service = open_loaded_service(tmp_path_factory.mktemp("rich-pages"))
    page = parse_daily_papers(HF_DAILY.read_bytes(), FIXED_NOW)
    service.store.upsert_papers([paper.record for paper in page.papers], FIXED_NOW)
    service.store.add_observations(o for paper in page.papers for o in paper.observations)
    extra = write_jsonl(tmp_path_factory.mktemp("authors") / "authors.jsonl", [
        kaggle_row("2501.00101", "Boosted trees at scale", authors=f"{ACCENTED} and Ada Lovelace"),
        kaggle_row("2501.00102", "Anomaly detection in the trigger",
                   authors="Balazs Kegl and Alan Turing",
                   versions=("Tue, 7 Jan 2025 10:00:00 GMT",)),
        kaggle_row("2501.00103", "Another Kégl", authors="Balázs Kégl-Smith"),
        *(kaggle_row(f"2502.{number:05d}", f"Prolific paper {number}", authors="Pat Prolific")
          for number in range(1, PROLIFIC + 1)),
    ])
    assert not service.import_files([extra]).errors
    yield service
    service.close()


@pytest.fixture(scope="module")
def client(service: Papertide) -> Iterator[TestClient]:
    with TestClient(create_web_app(service), base_url=BASE_URL) as client:
        yield client


def sign_in(client: TestClient, service: Papertide, email: str) -> int:
    accounts = service.community.accounts
    user, _ = accounts.add_user(email, admin=False)
    link = accounts.sign_in_link(email)
    signed = accounts.complete_sign_in(parse_qs(urlsplit(link).query)["token"][0])
    client.cookies.set("papertide_session", signed.cookie)
    return user.id


def meta_tags(page: Element, attribute: str = "name") -> list[tuple[str, str]]:
    return [(tag.get(attribute), tag.get("content")) for tag in page.find_all("meta")
            if tag.get(attribute)]


def card_of(page: Element, arxiv_id: str) -> Element:
    return next(card for card in page.find_all("article", class_="paper-card")
                if card.find(class_="paper-title").find("a").get("href") == f"/papers/{arxiv_id}")


# -- cards ---------------------------------------------------------------------------------


def test_cards_show_hugging_face_upvotes_comments_code_stars_and_keywords(
    client: TestClient,
) -> None:
    items = hf_items()
    day = items["2606.12730"]["paper"]["submittedOnDailyAt"][:10]
    page = fetch_page(client, f"/papers/date/{day}")
    with_code = items["2606.12730"]
    card = card_of(page, "2606.12730")
    text = card.text()
    assert f"HF {with_code['paper']['upvotes']} upvotes" in text
    assert f"{with_code['numComments']} comments" in text
    code = card.find("a", class_="signal-link")
    assert code.get("href") == with_code["paper"]["githubRepo"]
    assert code.text().startswith("psychology-of-AI/Rethinking-Pyschometric-Eval-LLMs")
    assert f"stars: {with_code['paper']['githubStars']}" in code.text()
    keywords = [chip.text() for chip in card.find_all(class_="chip-keyword")]
    assert keywords == with_code["paper"]["ai_keywords"][:len(keywords)] and len(keywords) >= 3
    without_code = card_of(page, "2606.00467")
    assert not without_code.find_all("a", class_="signal-link")


def test_card_authors_are_cut_with_a_count_and_link_to_their_pages(client: TestClient) -> None:
    names = [author["name"] for author in hf_items()["2606.13594"]["paper"]["authors"]]
    day = hf_items()["2606.13594"]["paper"]["submittedOnDailyAt"][:10]
    card = card_of(fetch_page(client, f"/papers/date/{day}"), "2606.13594")
    links = card.find(class_="authors").find_all("a")
    assert [a.text() for a in links[:-1]] == names[:4]
    assert [a.get("href") for a in links[:-1]] == [f"/authors/{quote(name, safe='')}"
                                                  for name in names[:4]]
    assert links[-1].text() == f"+{len(names) - 4}"


def test_a_signed_in_readers_card_holds_save_and_not_interested(
    client: TestClient, service: Papertide
) -> None:
    sign_in(client, service, "cards@example.org")
    try:
        card = card_of(fetch_page(client, "/papers/date/1999-01-26"), "cs/9901011")
        actions = {form.get("action") for form in card.find_all("form")}
        assert actions == {"/votes/cs/9901011", "/library/cs/9901011",
                           "/for-you/not-interested/cs/9901011"}
    finally:
        client.cookies.clear()


# -- the paper page -------------------------------------------------------------------------


def test_the_paper_page_carries_the_summary_keywords_and_links_of_hugging_face(
    client: TestClient,
) -> None:
    item = hf_items()["2606.13594"]["paper"]
    page = fetch_page(client, "/papers/2606.13594")
    summary = page.find("section", **{"aria-labelledby": "summary-heading"})
    assert squash(item["ai_summary"]) in summary.text()
    assert "Hugging Face" in summary.text() and item["ai_summary_model"] in summary.text()
    keywords = page.find("section", **{"aria-labelledby": "keywords-heading"})
    assert [chip.text() for chip in keywords.find_all(class_="chip")] == item["ai_keywords"]
    links = {a.text(): a.get("href") for a in page.find("aside").find_all("a")}
    assert links["Project page"] == item["projectPage"]
    assert links["HTML version"] == "https://arxiv.org/html/2606.13594"
    assert links["arXiv page"] == "https://arxiv.org/abs/2606.13594"
    assert links["PDF"] == "https://arxiv.org/pdf/2606.13594"


def test_citation_tags_and_bibtex_parse_and_round_trip_through_the_library_importer(
    client: TestClient, service: Papertide, corpus: Corpus
) -> None:
    row = corpus.row("0704.0027")
    authors = ["M. O. Goerbig", "J.-N. Fuchs", "K. Kechedzhi", "Vladimir I. Fal'ko"]
    page = fetch_page(client, "/papers/0704.0027")
    tags = meta_tags(page)
    assert ("citation_title", squash(row["title"])) in tags
    assert [content for name, content in tags if name == "citation_author"] == authors
    assert ("citation_arxiv_id", "0704.0027") in tags
    assert ("citation_pdf_url", "https://arxiv.org/pdf/0704.0027") in tags
    assert ("citation_date", "2007/04/02") in tags  # v1: Mon, 2 Apr 2007
    assert ("citation_doi", row["doi"]) in tags

    shown = page.find(id="cite-bibtex").text()
    download = client.get("/papers/0704.0027/cite.bib")
    assert download.status_code == 200 and "attachment" in download.headers[
        "content-disposition"]
    assert squash(download.text) == shown
    library = bibtexparser.parse_string(download.text)
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.fields_dict["title"].value == squash(row["title"])
    assert entry.fields_dict["author"].value.split(" and ") == authors
    assert entry.fields_dict["eprint"].value == "0704.0027"
    assert entry.fields_dict["year"].value == "2007"
    assert entry.fields_dict["doi"].value == row["doi"]

    reader = service.community.accounts.add_user("cites@example.org", admin=False)[0].id
    for extension in ("bib", "ris", "json"):
        data = client.get(f"/papers/0704.0027/cite.{extension}").content
        (parsed,) = read_library(data, f"cite.{extension}").entries
        assert (parsed.arxiv_id, parsed.title) == ("0704.0027", squash(row["title"]))
        report = service.recommendations.import_library(reader, data, f"cite.{extension}")
        assert report.matched == 1 and not report.unmatched
    saved = service.community.library.page(reader, None, 10, 0).papers
    assert [paper.arxiv_id for paper, _ in saved] == ["0704.0027"]


def test_shared_links_preview_with_opengraph_and_twitter_tags(
    client: TestClient, corpus: Corpus
) -> None:
    page = fetch_page(client, "/papers/cs/9901011")
    tags = dict(meta_tags(page, "property"))
    assert tags["og:title"] == squash(corpus.row("cs/9901011")["title"])
    assert tags["og:url"] == f"{BASE_URL}/papers/cs/9901011"
    assert tags["og:description"]
    assert dict(meta_tags(page))["twitter:card"] == "summary"


@pytest.mark.parametrize("extension", ["txt", "bibx", "bib.exe"])
def test_unknown_citation_formats_are_a_404_that_names_the_right_ones(
    client: TestClient, extension: str
) -> None:
    response = client.get(f"/papers/0704.0027/cite.{extension}")
    assert response.status_code == 404
    assert "cite.bib" in response.text


def test_citations_of_a_paper_not_stored_are_a_404(client: TestClient) -> None:
    assert client.get("/papers/2401.99999/cite.bib").status_code == 404
    assert client.get("/papers/not-an-id/cite.bib").status_code == 400


# -- authors --------------------------------------------------------------------------------


def test_author_pages_match_names_without_accents_or_case(
    client: TestClient, service: Papertide
) -> None:
    response = client.get("/authors/BALAZS%20KEGL", follow_redirects=False)
    assert response.status_code == 301
    # one address per person, under the name as written with its accents
    assert response.headers["location"] == f"/authors/{quote(ACCENTED, safe='')}"
    page = fetch_page(client, response.headers["location"])
    titles = [card.find(class_="paper-title").text()
              for card in page.find_all("article", class_="paper-card")]
    # newest first; the hyphenated surname is another person
    assert titles == ["Anomaly detection in the trigger", "Boosted trees at scale"]
    co_authors = [a.text() for a in page.find("aside").find_all("a")]
    assert sorted(co_authors) == ["Ada Lovelace", "Alan Turing"]


def test_author_pages_count_upvotes_and_list_the_most_upvoted(
    client: TestClient, service: Papertide
) -> None:
    for number in range(3):
        voter = service.community.accounts.add_user(f"voter{number}@example.org",
                                                    admin=False)[0].id
        service.community.library.upvote(voter, "2501.00101")
    page = fetch_page(client, f"/authors/{quote(ACCENTED, safe='')}")
    assert "3 upvotes in all" in squash(page.find(class_="period-sub").text())
    top = page.find("ol", class_="top-list").find_all("li")
    assert [item.find("a").text() for item in top] == ["Boosted trees at scale"]


def test_one_name_of_one_author_leads_to_their_page(client: TestClient) -> None:
    response = client.get("/authors/lovelace", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/authors/Ada%20Lovelace"


def test_a_prolific_author_page_shows_the_newest_and_counts_them_all(
    client: TestClient,
) -> None:
    page = fetch_page(client, "/authors/Pat%20Prolific")
    assert f"{PROLIFIC} papers here" in squash(page.find(class_="period-sub").text())
    assert len(page.find_all("article", class_="paper-card")) == 30
    more = page.find(class_="more-papers").find("a").get("href")
    assert more == "/search?author=Pat+Prolific&sort=date"


def test_unknown_authors_are_a_404_that_offers_a_search(client: TestClient) -> None:
    response = client.get("/authors/Nobody%20Here")
    assert response.status_code == 404
    assert "/search?author=Nobody+Here" in response.text
    assert client.get("/authors/" + "x" * 300).status_code == 400


def test_author_search_results_link_to_author_pages(client: TestClient) -> None:
    page = fetch_page(client, "/search?q=author:kegl")
    hrefs = {a.get("href") for a in page.find_all("a")}
    assert {f"/authors/{quote(ACCENTED, safe='')}", "/authors/Balazs%20Kegl"} <= hrefs
    # the author filter itself leads to the page (which finds every spelling)
    assert page.find("a", class_="author-page-link").get("href") == "/authors/kegl"
    # "kegl" alone: the names containing that word, the hyphenated one among them
    like = fetch_page(client, "/authors/kegl")
    assert [a.text() for a in like.find("main").find_all("a")][1:] == [
        ACCENTED, "Balázs Kégl-Smith"]


def test_daily_papers_give_the_summary_with_its_model_and_the_project_page() -> None:
    item = hf_items()["2606.13594"]
    page = parse_daily_papers(HF_DAILY.read_bytes(), FIXED_NOW + dt.timedelta(hours=1))
    signals = {o.signal: o for paper in page.papers if paper.record.arxiv_id == "2606.13594"
               for o in paper.observations}
    assert signals["ai_summary"].value_text == item["paper"]["ai_summary"]
    assert signals["ai_summary"].extra["model"] == item["paper"]["ai_summary_model"]
    assert signals["projectPage"].value_text == item["paper"]["projectPage"]
