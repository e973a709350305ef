"""Upvoting and saving papers through the pages, with and without script."""

from __future__ import annotations

from fastapi.testclient import TestClient

from papertide.app import Papertide
from tests.community_helpers import MovableClock
from tests.mailcatcher import MailCatcher
from tests.web.html_dom import Element, parse_html
from tests.web_accounts.conftest import count_rows, page_of, sign_in

PAPER = "2603.09652"
DAY = "/papers/date/2026-03-11"


def _card(page: Element, arxiv_id: str) -> Element:
    for card in page.find_all("article", class_="paper-card"):
        if card.find(class_="paper-title").find("a").get("href") == f"/papers/{arxiv_id}":
            return card
    raise AssertionError(f"no card for {arxiv_id}")


def _votes_on(page: Element, arxiv_id: str) -> int:
    return int(_card(page, arxiv_id).find(class_="vote-count").text())


def _form_token(page: Element) -> str:
    return page.find("form", class_="vote-form").find("input").get("value")


def test_an_upvote_without_script_posts_and_comes_back(
    client: TestClient, smtp: tuple[MailCatcher, int]
) -> None:
    sign_in(client, smtp[0], "voter1@example.org")
    page = page_of(client, DAY)
    before = _votes_on(page, PAPER)
    form = _card(page, PAPER).find("form", class_="vote-form")
    fields = {field.get("name"): field.get("value") for field in form.find_all("input")}
    assert fields["action"] == "up" and fields["next"] == DAY
    response = client.post(form.get("action"), data=fields, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == DAY
    after = page_of(client, DAY)
    assert _votes_on(after, PAPER) == before + 1
    button = _card(after, PAPER).find("button", class_="vote-button")
    assert button.get("aria-pressed") == "true" and "voted" in button.classes


def test_the_script_route_answers_json_and_a_second_upvote_is_a_409(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int]
) -> None:
    sign_in(client, smtp[0], "voter2@example.org")
    token = _form_token(page_of(client, DAY))
    json_headers = {"Accept": "application/json"}
    first = client.post(f"/votes/{PAPER}", data={"csrf_token": token, "action": "up"},
                        headers=json_headers)
    assert first.status_code == 200 and first.json()["voted"] is True
    votes = first.json()["votes"]
    again = client.post(f"/votes/{PAPER}", data={"csrf_token": token, "action": "up"},
                        headers=json_headers)
    assert again.status_code == 409 and again.json() == {
        "status": 409, "message": f"you have upvoted {PAPER} already"}
    assert service.store.vote_counts([PAPER])[PAPER] == votes
    back = client.post(f"/votes/{PAPER}", data={"csrf_token": token, "action": "remove"},
                       headers=json_headers)
    assert back.json() == {"arxiv_id": PAPER, "votes": votes - 1, "voted": False}
    assert client.post(f"/votes/{PAPER}", data={"csrf_token": token, "action": "remove"},
                       headers=json_headers).status_code == 409


def test_votes_on_unknown_papers_and_bad_ids_store_nothing(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int]
) -> None:
    sign_in(client, smtp[0], "voter3@example.org")
    token = _form_token(page_of(client, DAY))
    before = count_rows(service, "votes")
    assert client.post("/votes/2401.99999", data={"csrf_token": token}).status_code == 404
    assert client.post("/votes/not-an-id", data={"csrf_token": token}).status_code == 400
    assert client.post(f"/votes/{PAPER}", data={"csrf_token": token, "action": "explode"}
                       ).status_code == 400
    assert count_rows(service, "votes") == before


def test_voting_needs_a_session_and_the_csrf_token(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int]
) -> None:
    before = count_rows(service, "votes")
    response = client.post(f"/votes/{PAPER}", data={"action": "up"})
    assert response.status_code == 401
    assert "sign in" in parse_html(response.text).find(class_="error-message").text()
    sign_in(client, smtp[0], "voter4@example.org")
    assert client.post(f"/votes/{PAPER}", data={"action": "up"}).status_code == 403
    assert client.post(f"/votes/{PAPER}", data={"action": "up", "csrf_token": "x" * 43}
                       ).status_code == 403
    assert client.get(f"/votes/{PAPER}").status_code == 405  # no state change over GET
    assert count_rows(service, "votes") == before


def test_anonymous_visitors_see_counts_and_a_sign_in_link(client: TestClient) -> None:
    for url in (DAY, "/", "/trending?window=month", "/search?q=model", f"/papers/{PAPER}"):
        page = page_of(client, url)
        buttons = page.find_all(class_="vote-button")
        assert buttons, url
        assert all(button.tag == "a" and button.get("href").startswith("/signin?next=")
                   for button in buttons)
        assert not page.find_all("form", class_="vote-form")


def test_the_redirect_after_a_vote_stays_on_this_site(
    client: TestClient, smtp: tuple[MailCatcher, int]
) -> None:
    sign_in(client, smtp[0], "voter5@example.org")
    token = _form_token(page_of(client, DAY))
    response = client.post(f"/votes/{PAPER}", data={"csrf_token": token,
                                                    "next": "https://evil.example/"},
                           follow_redirects=False)
    assert response.headers["location"] == "/"


def test_saving_tagging_filtering_and_removing_in_the_library(
    client: TestClient, smtp: tuple[MailCatcher, int], clock: MovableClock
) -> None:
    sign_in(client, smtp[0], "reader@example.org")
    paper_page = page_of(client, f"/papers/{PAPER}")
    form = paper_page.find("form", class_="tag-form")
    fields = {field.get("name"): field.get("value") for field in form.find_all("input")}
    fields["tags"] = "To Read,  methods , to read"
    assert client.post(form.get("action"), data=fields).status_code == 200
    other = "2603.09896"
    token = fields["csrf_token"]
    clock.advance(minutes=1)
    try:
        client.post(f"/library/{other}", data={"csrf_token": token, "action": "save"})
    finally:
        clock.advance(minutes=-1)
    library = page_of(client, "/library")
    shown = [card.find(class_="paper-title").find("a").get("href")
             for card in library.find_all("article", class_="paper-card")]
    assert shown == [f"/papers/{other}", f"/papers/{PAPER}"]  # last saved first
    tags = [chip.text() for chip in library.find("nav", class_="tag-list").find_all("a")]
    assert tags == ["All", "methods 1", "to read 1"]
    tagged = page_of(client, "/library?tag=methods")
    assert len(tagged.find_all("article", class_="paper-card")) == 1
    assert tagged.find("input", id="tags-1").get("value") == "methods, to read"
    client.post(f"/library/{PAPER}", data={"csrf_token": token, "action": "remove"})
    assert len(page_of(client, "/library").find_all("article", class_="paper-card")) == 1
    assert client.post(f"/library/{PAPER}", data={"csrf_token": token, "action": "remove"}
                       ).status_code == 404


def test_bad_tags_are_a_400_and_change_nothing(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int]
) -> None:
    sign_in(client, smtp[0], "tagger@example.org")
    token = _form_token(page_of(client, DAY))
    before = count_rows(service, "library")
    for tags in ("<script>", "a" * 41, ",".join(f"t{i}" for i in range(11))):
        response = client.post(f"/library/{PAPER}", data={"csrf_token": token, "tags": tags})
        assert response.status_code == 400, tags
    assert client.post("/library/2401.99999", data={"csrf_token": token}).status_code == 404
    assert count_rows(service, "library") == before


def test_the_library_needs_a_sign_in(client: TestClient) -> None:
    response = client.get("/library", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/signin?next=%2Flibrary"
    assert client.post(f"/library/{PAPER}", data={}).status_code == 401
