"""Following authors, watching papers and the private feed, through the pages and the API."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.models import PaperVersion
from tests.helpers import make_record
from tests.mailcatcher import MailCatcher
from tests.web.html_dom import parse_html
from tests.web_accounts.conftest import csrf_of, page_of, sign_in

PAPER = "2603.09652"
AUTHORED = "0704.0098"  # by Jack Raymond and David Saad
UPDATED = "0704.0229"  # gains a version in the feed test
ATOM = "{http://www.w3.org/2005/Atom}"


def first_author(service: Papertide) -> str:
    return service.paper(AUTHORED).authors[0]


def test_follow_an_author_from_the_page_and_unfollow(
        client: TestClient, smtp: tuple[MailCatcher, int], service: Papertide) -> None:
    sign_in(client, smtp[0], "follower1@example.org")
    author = first_author(service)
    found = client.get("/follows", params={"name": author.upper()})  # case does not matter
    assert found.status_code == 200
    page = parse_html(found.text)
    button = next(b for b in page.find_all("button") if b.text().startswith("Follow "))
    assert author in button.text()
    followed = client.post("/follows", data={"action": "follow", "name": author,
                                             "csrf_token": csrf_of(found.text)},
                           follow_redirects=False)
    assert followed.status_code == 303
    listing = page_of(client, "/follows")
    names = [item.text() for item in listing.find("ul", class_="followed").find_all("a")]
    assert author in names
    response = client.get("/api/me/follows")
    assert [follow["name"] for follow in response.json()["follows"]] == [author]

    unfollow = client.post("/follows", data={"action": "unfollow", "name": author,
                                             "csrf_token": csrf_of(found.text)},
                           follow_redirects=False)
    assert unfollow.status_code == 303
    assert client.get("/api/me/follows").json()["follows"] == []


def test_the_api_needs_a_session_and_the_csrf_header_and_refuses_bad_names(
        client: TestClient, smtp: tuple[MailCatcher, int]) -> None:
    assert client.get("/api/me/follows").status_code == 401
    sign_in(client, smtp[0], "follower2@example.org")
    token = csrf_of(client.get("/follows").text)
    refused = client.post("/api/me/follows", json={"name": "Jane Doe"})
    assert refused.status_code == 403 and "message" in refused.json()
    empty = client.post("/api/me/follows", json={"name": "  "},
                        headers={"X-CSRF-Token": token})
    assert empty.status_code == 400 and "name" in empty.json()["message"]
    too_long = client.post("/api/me/follows", json={"name": "x" * 500},
                           headers={"X-CSRF-Token": token})
    assert too_long.status_code in (400, 422) and "message" in too_long.json()
    made = client.post("/api/me/follows", json={"name": "Jané  Doe"},
                       headers={"X-CSRF-Token": token})
    assert made.status_code == 201 and made.json()["key"] == "jane doe"
    gone = client.delete("/api/me/follows/JANE DOE", headers={"X-CSRF-Token": token})
    assert gone.status_code == 204
    again = client.delete("/api/me/follows/Jane Doe", headers={"X-CSRF-Token": token})
    assert again.status_code == 404 and again.json()["status"] == 404


def test_a_follow_form_without_the_csrf_token_changes_nothing(
        client: TestClient, smtp: tuple[MailCatcher, int]) -> None:
    sign_in(client, smtp[0], "follower3@example.org")
    response = client.post("/follows", data={"action": "follow", "name": "Jane Doe"},
                           follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/api/me/follows").json()["follows"] == []
    odd = client.post("/follows", data={"action": "explode", "name": "x",
                                        "csrf_token": csrf_of(client.get("/follows").text)})
    assert odd.status_code == 400 and "action" in odd.text


def test_the_private_feed_lists_updates_until_its_address_is_replaced(
        client: TestClient, smtp: tuple[MailCatcher, int], service: Papertide) -> None:
    sign_in(client, smtp[0], "follower4@example.org")
    form = client.get("/follows")
    client.post(f"/library/{UPDATED}", data={"action": "save", "csrf_token": csrf_of(form.text)})
    known = service.paper(UPDATED)
    assert known.latest_version is not None
    newer = PaperVersion(known.latest_version + 1, None)
    service.store.upsert_papers([make_record(UPDATED, known.title, announced=None,
                                             versions=(*known.versions, newer))],
                                service.clock() + dt.timedelta(minutes=1))
    made = client.post("/follows/feed", data={"action": "new", "csrf_token": csrf_of(form.text)})
    assert made.status_code == 200
    address = parse_html(made.text).find("input", id="feed-url").get("value")
    path = address.split("://", 1)[1].split("/", 1)[1]
    feed = client.get("/" + path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith(
        "application/atom+xml")
    titles = [title.text or "" for title in ET.fromstring(feed.content).iter(f"{ATOM}title")]
    assert f"New version (v{newer.version}): {known.title}" in titles

    client.post("/follows/feed", data={"action": "new", "csrf_token": csrf_of(form.text)})
    assert client.get("/" + path).status_code == 404  # the old address stopped working
    assert client.get("/follows/feed/not-a-token.atom").status_code == 404


def test_a_saved_paper_is_watched_until_the_reader_stops(
        client: TestClient, smtp: tuple[MailCatcher, int]) -> None:
    sign_in(client, smtp[0], "watcher1@example.org")
    token = csrf_of(client.get("/follows").text)
    client.post(f"/library/{PAPER}", data={"action": "save", "csrf_token": token})
    library = page_of(client, "/library")
    watch = library.find("form", class_="watch-form")
    assert "Watched" in watch.text()
    client.post(f"/watch/{PAPER}", data={"action": "unwatch", "csrf_token": token})
    assert "Not watched" in page_of(client, "/library").find("form", class_="watch-form").text()
    missing = client.post("/watch/2901.99999", data={"action": "watch", "csrf_token": token})
    assert missing.status_code == 404


def test_follow_from_the_author_page(
        client: TestClient, smtp: tuple[MailCatcher, int], service: Papertide) -> None:
    author = first_author(service)
    assert not page_of(client, f"/authors/{author}").find_all("form", class_="follow-form")
    sign_in(client, smtp[0], "follower5@example.org")
    page = client.get(f"/authors/{author}")
    form = parse_html(page.text).find("form", class_="follow-form")
    fields = {field.get("name"): field.get("value") for field in form.find_all("input")}
    assert fields["action"] == "follow" and fields["name"] == author
    done = client.post("/follows", data=fields, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == fields["next"]
    again = parse_html(client.get(fields["next"]).text).find("form", class_="follow-form")
    assert "You follow" in again.text()
    assert [f["name"] for f in client.get("/api/me/follows").json()["follows"]] == [author]


def test_the_account_page_lists_updates_to_saved_papers(
        client: TestClient, smtp: tuple[MailCatcher, int], service: Papertide) -> None:
    sign_in(client, smtp[0], "watcher2@example.org")
    paper_id = "0704.0065"
    client.post(f"/library/{paper_id}", data={"action": "save",
                                              "csrf_token": csrf_of(client.get("/follows").text)})
    known = service.paper(paper_id)
    assert known.latest_version is not None
    newer = PaperVersion(known.latest_version + 1, None)
    service.store.upsert_papers([make_record(paper_id, known.title, announced=None,
                                             versions=(*known.versions, newer),
                                             doi="10.1016/j.jalgebra.2009.02.001")],
                                service.clock() + dt.timedelta(minutes=1))
    updates = page_of(client, "/account").find("ol", class_="updates").text()
    assert f"New version (v{newer.version})" in updates
    assert "DOI added: 10.1016/j.jalgebra.2009.02.001" in updates and known.title in updates
