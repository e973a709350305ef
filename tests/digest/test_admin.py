"""The admin views: digest previews in the browser, and addresses mail no longer reaches."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from tests.digest.conftest import subscribe_and_confirm, token_of
from tests.digest.smtp import Mailbox


def sign_in(client: TestClient, service: Papertide, email: str, admin: bool) -> None:
    accounts = service.community.accounts
    accounts.add_user(email, admin=admin)
    signed = accounts.complete_sign_in(token_of(accounts.sign_in_link(email)))
    client.cookies.set("papertide_session", signed.cookie)


@pytest.fixture
def admin_client(mail_client: TestClient, mail_service: Papertide) -> Iterator[TestClient]:
    sign_in(mail_client, mail_service, "boss@example.org", admin=True)
    yield mail_client
    mail_client.cookies.clear()


def test_only_admins_see_the_mail_pages(
    mail_client: TestClient, mail_service: Papertide,
) -> None:
    for path in ("/digest/preview", "/admin/mail", "/digest/preview/html?email=a@example.org"):
        anonymous = mail_client.get(path, follow_redirects=False)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith(
            "/signin?next=")
    sign_in(mail_client, mail_service, "reader@example.org", admin=False)
    try:
        for path in ("/digest/preview", "/admin/mail"):
            assert mail_client.get(path).status_code == 403
        assert mail_client.post("/admin/mail/resume", data={"email": "x@example.org"}
                                ).status_code == 403
    finally:
        mail_client.cookies.clear()


def test_an_admin_previews_a_subscribers_next_digest(
    admin_client: TestClient, mailbox: Mailbox, mail_service: Papertide,
) -> None:
    subscribe_and_confirm(admin_client, mailbox, "reader@example.org")
    page = admin_client.get("/digest/preview", params={"email": "reader@example.org"})
    assert page.status_code == 200
    assert "Model merging without retraining" in page.text  # the text part, shown inline
    subject = re.search(r'id="preview-subject">([^<]+)<', page.text)
    assert subject is not None and subject.group(1).startswith("papertide daily: ")
    frame = admin_client.get("/digest/preview/html", params={"email": "reader@example.org"})
    assert frame.status_code == 200 and "<!doctype html>" in frame.text
    assert "script-src" not in frame.headers["content-security-policy"]
    assert "default-src 'none'" in frame.headers["content-security-policy"]
    assert len(mailbox.received) == 1  # previews send nothing (the one is the confirmation)
    unknown = admin_client.get("/digest/preview", params={"email": "nobody@example.org"})
    assert unknown.status_code == 404 and "no subscriber" in unknown.text


def test_an_admin_previews_the_issue_of_a_past_day(
    admin_client: TestClient, mailbox: Mailbox,
) -> None:
    subscribe_and_confirm(admin_client, mailbox, "reader@example.org")
    past = admin_client.get("/digest/preview", params={"email": "reader@example.org",
                                                       "date": "2024-01-10"})
    assert past.status_code == 200
    assert "Model merging without retraining" not in past.text
    assert "No paper matched your preferences in this period" in past.text
    assert "anyway" not in past.text
    frame = admin_client.get("/digest/preview/html", params={
        "email": "reader@example.org", "date": "2024-01-10"})
    assert frame.status_code == 200 and "in this period" in frame.text
    bad = admin_client.get("/digest/preview", params={"email": "reader@example.org",
                                                      "date": "soon"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


def test_an_admin_sees_a_suspended_address_and_lets_mail_resume(
    admin_client: TestClient, mailbox: Mailbox, mail_service: Papertide,
) -> None:
    subscribe_and_confirm(admin_client, mailbox, "bouncy@example.org")
    subscriber = mail_service.store.subscriber_by_email("bouncy@example.org")
    assert subscriber is not None
    for _ in range(3):
        mail_service.store.record_refusal(subscriber.id, "recipient: 550 5.1.1 no such user", 3,
                                          mail_service.clock())
    page = admin_client.get("/admin/mail")
    table = page.text[page.text.index('id="failing-addresses"'):]
    assert "bouncy@example.org" in table and "550 5.1.1 no such user" in table
    assert "Let mail resume" in table
    token = re.search(r'name="csrf_token" value="([^"]+)"', table)
    assert token is not None
    refused = admin_client.post("/admin/mail/resume", data={"email": "bouncy@example.org"})
    assert refused.status_code == 403  # no CSRF token
    resumed = admin_client.post("/admin/mail/resume", data={"email": "bouncy@example.org",
                                                            "csrf_token": token.group(1)})
    assert resumed.status_code == 200 and "Mail to bouncy@example.org resumes" in resumed.text
    again = mail_service.store.subscriber_by_email("bouncy@example.org")
    assert again is not None and again.status == "active" and again.bounce_count == 0
