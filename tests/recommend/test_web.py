"""The For-you page, its buttons and filters, library upload, and the JSON API."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.web import create_web_app
from tests.recommend.corpus import SPEECH_NEW, title_of
from tests.recommend.test_library_files import BIBTEX
from tests.web.html_dom import Element, parse_html

BASE_URL = "https://papers.example.org"


@pytest.fixture
def client(service: Papertide) -> Iterator[TestClient]:
    with TestClient(create_web_app(service), base_url=BASE_URL) as opened:
        yield opened


def sign_in(client: TestClient, service: Papertide, email: str = "reader@example.org") -> int:
    accounts = service.community.accounts
    user, _ = accounts.add_user(email, admin=False)
    link = accounts.sign_in_link(email)
    signed = accounts.complete_sign_in(parse_qs(urlsplit(link).query)["token"][0])
    client.cookies.set("papertide_session", signed.cookie)
    return user.id


def picks_on(page: Element) -> list[Element]:
    return page.find("ol", class_="paper-list").find_all("li", class_="pick")


def arxiv_id_of(item: Element) -> str:
    return item.find(class_="paper-title").find("a").get("href").removeprefix("/papers/")


def test_for_you_and_the_api_need_a_signed_in_person(client: TestClient) -> None:
    page = client.get("/for-you", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/signin?next=%2Ffor-you"
    api = client.get("/api/recommendations")
    assert api.status_code == 401
    assert api.json() == {"status": 401, "message": "sign in first: /signin"}
    upload = client.get("/library/import", follow_redirects=False)
    assert upload.status_code == 303


def test_the_page_shows_picks_with_linked_reasons_and_a_working_not_interested_button(
    client: TestClient, service: Papertide,
) -> None:
    reader = sign_in(client, service)
    for arxiv_id in ("2501.01001", "2501.01002"):
        service.community.library.save(reader, arxiv_id)
    page = parse_html(client.get("/for-you").text)
    items = picks_on(page)
    assert {arxiv_id_of(item) for item in items[:4]} == SPEECH_NEW
    why = items[0].find("p", class_="pick-why")
    links = {link.get("href"): link.text() for link in why.find_all("a")}
    assert set(links) <= {"/papers/2501.01001", "/papers/2501.01002"} and links
    for href, text in links.items():
        assert text == title_of(href.removeprefix("/papers/"))

    first = arxiv_id_of(items[0])
    form = items[0].find("form", class_="not-interested-form")
    fields = {field.get("name"): field.get("value") for field in form.find_all("input")}
    refused = client.post(form.get("action"), data={**fields, "csrf_token": "forged"},
                          follow_redirects=False)
    assert refused.status_code == 403
    done = client.post(form.get("action"), data=fields, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/for-you?hidden={first}"
    page = parse_html(client.get(done.headers["location"]).text)
    assert first not in {arxiv_id_of(item) for item in picks_on(page)}
    # The page confirms, names the paper and offers Undo, as a plain form.
    notice = page.find("div", class_="hidden-notice")
    assert title_of(first) in notice.text() and notice.find("button").text() == "Undo"
    undo = notice.find("form")
    undo_fields = {field.get("name"): field.get("value") for field in undo.find_all("input")}
    assert undo_fields["action"] == "undo"
    undone = client.post(undo.get("action"), data=undo_fields, follow_redirects=False)
    assert undone.status_code == 303 and undone.headers["location"] == "/for-you"
    page = parse_html(client.get("/for-you").text)
    assert first in {arxiv_id_of(item) for item in picks_on(page)}
    assert page.find_all("div", class_="hidden-notice") == []


def test_not_interested_answers_a_script_with_its_new_state(
    client: TestClient, service: Papertide,
) -> None:
    reader = sign_in(client, service)
    service.community.library.save(reader, "2501.01001")
    form = picks_on(parse_html(client.get("/for-you").text))[0].find(
        "form", class_="not-interested-form")
    fields = {field.get("name"): field.get("value") for field in form.find_all("input")}
    json_headers = {"Accept": "application/json"}
    marked = client.post(form.get("action"), data=fields, headers=json_headers)
    arxiv_id = form.get("action").rsplit("/", 1)[1]
    assert marked.json() == {"arxiv_id": arxiv_id, "not_interested": True}
    undone = client.post(form.get("action"), data={**fields, "action": "undo"},
                         headers=json_headers)
    assert undone.json() == {"arxiv_id": arxiv_id, "not_interested": False}


@pytest.mark.parametrize("hidden", ["<script>x</script>", "2503.99999", "2503.11001"])
def test_an_undo_notice_needs_a_paper_the_reader_really_hid(
    client: TestClient, service: Papertide, hidden: str,
) -> None:
    reader = sign_in(client, service)
    service.community.library.save(reader, "2501.01001")
    answer = client.get("/for-you", params={"hidden": hidden})
    assert answer.status_code == 200 and "<script>x" not in answer.text
    assert parse_html(answer.text).find_all("div", class_="hidden-notice") == []


def test_filters_posted_from_the_page_change_the_api_answer(
    client: TestClient, service: Papertide,
) -> None:
    reader = sign_in(client, service)
    service.community.library.save(reader, "2501.01001")
    page = parse_html(client.get("/for-you").text)
    token = page.find("form", action="/for-you/filters").find("input").get("value")
    saved = client.post("/for-you/filters", data={
        "csrf_token": token, "categories": "", "include": "", "exclude": "benchmark"},
        follow_redirects=False)
    assert saved.status_code == 303
    answer = client.get("/api/recommendations", params={"limit": 3}).json()
    assert len(answer["picks"]) == 3 and answer["window_days"] == 7
    assert answer["papers"] == answer["picks"] and answer["total"] == 3  # the common envelope
    assert all("benchmark" not in pick["title"].lower() for pick in answer["picks"])
    reasons = answer["picks"][0]["reasons"]
    assert reasons[0]["kind"] == "library"
    assert reasons[0]["papers"] == [{"arxiv_id": "2501.01001",
                                     "title": title_of("2501.01001")}]
    bad = client.post("/for-you/filters", data={"csrf_token": token, "categories": "not a cat!"})
    assert bad.status_code == 400 and "not an arXiv category" in bad.text


def test_uploading_a_bibtex_file_lists_what_was_not_found(
    client: TestClient, service: Papertide,
) -> None:
    reader = sign_in(client, service)
    form = parse_html(client.get("/library/import").text).find(
        "form", action="/library/import")
    token = form.find("input").get("value")
    done = client.post("/library/import", data={"csrf_token": token},
                       files={"file": ("refs.bib", BIBTEX.encode(), "application/x-bibtex")})
    assert done.status_code == 200
    report = parse_html(done.text).find("section", class_="import-report")
    assert "3 added to your library" in report.text()
    assert [item.text() for item in report.find("ul", class_="unmatched").find_all("li")] == [
        "The \\TeXbook"]
    assert len(service.store.saved_ids(reader)) == 3

    forged = client.post("/library/import", data={"csrf_token": "nope"},
                         files={"file": ("refs.bib", BIBTEX.encode(), "text/plain")})
    assert forged.status_code == 403
    binary = client.post("/library/import", data={"csrf_token": token},
                         files={"file": ("refs.bib", b"\x00\x01\x02", "text/plain")})
    assert binary.status_code == 400 and "binary file" in binary.text
    assert len(service.store.saved_ids(reader)) == 3


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(
    client: TestClient, service: Papertide,
) -> None:
    reader = sign_in(client, service)
    token = parse_html(client.get("/library/import").text).find(
        "form", action="/library/import").find("input").get("value")
    huge = b"@misc{x, title = {padding}}\n" * 400_000  # 11 MB
    refused = client.post("/library/import", data={"csrf_token": token},
                          files={"file": ("huge.bib", huge, "text/plain")})
    assert refused.status_code == 413 and "up to 10 MB" in refused.text
    assert service.store.saved_ids(reader) == []


def test_deeply_nested_json_is_refused_with_a_clear_400(
    client: TestClient, service: Papertide,
) -> None:
    reader = sign_in(client, service)
    token = parse_html(client.get("/library/import").text).find(
        "form", action="/library/import").find("input").get("value")
    nested = b"[" * 200_000 + b"]" * 200_000
    refused = client.post("/library/import", data={"csrf_token": token},
                          files={"file": ("zotero.json", nested, "application/json")})
    assert refused.status_code == 400
    assert "nested too deeply" in refused.text
    assert service.store.saved_ids(reader) == []


def test_a_reader_with_nothing_saved_is_told_how_picks_start_not_counted_zero(
    client: TestClient, service: Papertide,
) -> None:
    sign_in(client, service, "newcomer@example.org")
    page = client.get("/for-you")
    assert page.status_code == 200
    text = parse_html(page.text).find("p", class_="period-sub").text()
    assert "0 papers" not in text
    assert "once you save, upvote or import papers" in text
