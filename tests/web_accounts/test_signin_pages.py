"""Signing in through the pages with a link mailed to a real SMTP server."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from tests.community_helpers import MovableClock
from tests.mailcatcher import MailCatcher, html_of, link_in
from tests.web.html_dom import parse_html
from tests.web_accounts.conftest import count_rows, csrf_of, page_of, sign_in


def _ask(client: TestClient, email: str, **extra: str) -> int:
    form = client.get("/signin")
    data = {"email": email, "csrf_token": csrf_of(form.text), **extra}
    return client.post("/signin", data=data, follow_redirects=False).status_code


def test_signing_in_through_the_mailed_link(client: TestClient,
                                            smtp: tuple[MailCatcher, int]) -> None:
    catcher, _ = smtp
    assert page_of(client, "/").find(class_="signin-link").text() == "Sign in"
    sign_in(client, catcher, "ada@example.org", next_path="/library")
    message = catcher.to("ada@example.org")[-1]
    assert message["Subject"] == "Sign in to papertide"
    assert link_in(message).startswith("https://papers.example.org/signin/confirm?token=")
    assert link_in(message) in html_of(message).replace("&amp;", "&")
    header = page_of(client, "/library").find("header", class_="site-header")
    assert "ada@example.org" in header.find("a", class_="account-link").get("title")
    assert header.find(class_="library-link").get("href") == "/library"


def test_the_session_cookie_is_http_only_lax_and_secure_on_https(
    client: TestClient, smtp: tuple[MailCatcher, int]
) -> None:
    catcher, _ = smtp
    form = client.get("/signin")
    client.post("/signin", data={"email": "cookie@example.org", "csrf_token": csrf_of(form.text)})
    link = urlsplit(link_in(catcher.wait_for("cookie@example.org")))
    landing = client.get(f"{link.path}?{link.query}")
    token = re.search(r'name="token" value="([^"]+)"', landing.text)
    assert token
    done = client.post("/signin/confirm", data={"token": token.group(1),
                                                "csrf_token": csrf_of(landing.text)},
                       follow_redirects=False)
    cookie = done.headers["set-cookie"]
    assert cookie.startswith("papertide_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie


def test_opening_the_link_changes_nothing_until_the_button_is_pressed(
    client: TestClient, smtp: tuple[MailCatcher, int]
) -> None:
    catcher, _ = smtp
    assert _ask(client, "scanner@example.org") == 303
    link = urlsplit(link_in(catcher.wait_for("scanner@example.org")))
    for _ in range(3):  # a mail scanner fetching the link
        page = page_of(client, f"{link.path}?{link.query}")
        assert page.find(id="confirm-signin")
        assert "scanner@example.org" in page.find("main").text()
    assert page_of(client, "/").find_all(class_="signin-link")  # still signed out


def test_a_used_link_cannot_sign_in_again(client: TestClient, service: Papertide,
                                          smtp: tuple[MailCatcher, int]) -> None:
    catcher, _ = smtp
    sign_in(client, catcher, "once@example.org")
    link = urlsplit(link_in(catcher.to("once@example.org")[-1]))
    page = page_of(client, f"{link.path}?{link.query}", status=400)
    assert "used already" in page.find(class_="alert").text()
    sessions_before = _count(service, "sessions")
    token = dict(part.split("=", 1) for part in link.query.split("&"))["token"]
    response = client.post("/signin/confirm", data={"token": token,
                                                    "csrf_token": csrf_of(page_of_text(client))})
    assert response.status_code == 400 and _count(service, "sessions") == sessions_before


def test_forged_and_cut_links_are_refused(client: TestClient) -> None:
    for token in ("forged.signature", "", "x" * 600):
        response = client.get("/signin/confirm", params={"token": token})
        assert response.status_code == 400
    page = page_of(client, "/signin/confirm?token=abc.def", status=400)
    assert "not valid" in page.find(class_="alert").text()


def test_an_expired_link_is_refused(client: TestClient, clock: MovableClock,
                                    smtp: tuple[MailCatcher, int]) -> None:
    catcher, _ = smtp
    assert _ask(client, "late@example.org") == 303
    link = urlsplit(link_in(catcher.wait_for("late@example.org")))
    clock.advance(minutes=16)
    try:
        page = page_of(client, f"{link.path}?{link.query}", status=400)
        assert "expired" in page.find(class_="alert").text()
    finally:
        clock.advance(minutes=-16)


def test_the_answer_is_the_same_for_any_address(service: Papertide, client: TestClient) -> None:
    service.community.accounts.add_user("known@example.org")
    answers = []
    for email in ("known@example.org", "unknown-person@example.org"):
        form = client.get("/signin")
        response = client.post("/signin", data={"email": email,
                                                "csrf_token": csrf_of(form.text)})
        answers.append((response.status_code, response.url.path,
                        parse_html(response.text).find("main").text()))
    assert answers[0] == answers[1]
    assert answers[0][1] == "/signin/sent"


@pytest.mark.parametrize("typed", ["not-an-address", "a@localhost"])
def test_a_malformed_address_is_a_400_with_the_form_again(client: TestClient,
                                                           typed: str) -> None:
    form = client.get("/signin")
    response = client.post("/signin", data={"email": typed, "csrf_token": csrf_of(form.text)})
    assert response.status_code == 400
    page = parse_html(response.text)
    assert "not an email address" in page.find(class_="alert").text()
    assert page.find("input", id="signin-email").get("value") == typed
    refused = client.post("/subscribe", data={"email": typed})  # the same rule there
    assert refused.status_code == 400


def test_missing_or_wrong_csrf_tokens_are_refused_and_nothing_is_sent(
    client: TestClient, service: Papertide, smtp: tuple[MailCatcher, int]
) -> None:
    catcher, _ = smtp
    client.get("/signin")
    tokens_before = _count(service, "sign_in_tokens")
    for data in ({"email": "victim@example.org"},
                 {"email": "victim@example.org", "csrf_token": "forged"}):
        response = client.post("/signin", data=data)
        assert response.status_code == 403
        assert "security token" in parse_html(response.text).find(class_="error-message").text()
    fresh = TestClient(client.app, base_url="https://papers.example.org")  # another browser
    stolen = csrf_of(client.get("/signin").text)
    assert fresh.post("/signin", data={"email": "victim@example.org",
                                       "csrf_token": stolen}).status_code == 403
    assert _count(service, "sign_in_tokens") == tokens_before
    assert catcher.to("victim@example.org") == []


def test_a_cross_site_origin_is_refused(client: TestClient) -> None:
    form = client.get("/signin")
    response = client.post("/signin", data={"email": "x@example.org",
                                            "csrf_token": csrf_of(form.text)},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


def test_huge_forms_are_refused_before_they_are_read(client: TestClient) -> None:
    form = client.get("/signin")
    response = client.post("/signin", data={"email": "a" * 100_000 + "@example.org",
                                            "csrf_token": csrf_of(form.text)})
    assert response.status_code == 413
    assert "too large" in parse_html(response.text).find(class_="error-message").text()


def test_too_many_requests_for_one_address_get_a_429(service: Papertide,
                                                     client: TestClient) -> None:
    limit = service.settings.signin_limit_per_address
    statuses = [_ask(client, "eager@example.org") for _ in range(limit + 1)]
    assert statuses == [303] * limit + [429]
    form = client.get("/signin")
    response = client.post("/signin", data={"email": "eager@example.org",
                                            "csrf_token": csrf_of(form.text)})
    assert response.status_code == 429 and 0 < int(response.headers["retry-after"]) <= 3600
    assert "try again in" in parse_html(response.text).find(class_="error-message").text()


def test_signing_out_needs_a_post_with_the_token(client: TestClient,
                                                 smtp: tuple[MailCatcher, int]) -> None:
    catcher, _ = smtp
    sign_in(client, catcher, "leaving@example.org")
    assert client.get("/signout").status_code == 405
    assert client.post("/signout").status_code == 403
    assert not page_of(client, "/").find_all(class_="signin-link")
    token = page_of(client, "/account").find("form", class_="signout-form").find(
        "input").get("value")
    response = client.post("/signout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert page_of(client, "/").find(class_="signin-link")
    assert client.get("/library", follow_redirects=False).status_code == 303


def page_of_text(client: TestClient) -> str:
    return client.get("/signin").text


def _count(service: Papertide, table: str) -> int:
    return count_rows(service, table)
