"""Odd, absurd and hostile input: clear 4xx answers, nothing stored, nothing mailed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.digest import mime
from tests.digest.conftest import (
    BASE_URL,
    MutableClock,
    links_in,
    path_of,
    subscribe_and_confirm,
    text_part,
    token_of,
)
from tests.digest.smtp import Mailbox

NOT_ADDRESSES = (
    "", "   ", "not-an-address", "ada@", "@example.org", "ada@localhost", "ada@example",
    "ada..lovelace@example.org", "ada@example..org", "ada lovelace@example.org",
    "a" * 65 + "@example.org", "ada@" + "b" * 250 + ".org", "\"ada lovelace\"@example.org",
    "ada@[127.0.0.1]", "ada@example.invalid", "ädä@example.org",
    "ada@example.org\r\nBcc: victim@example.org", "ada@example.org%0d%0aBcc:x@example.org",
    "ada@example.org\x00", "<script>@example.org",
)


def test_addresses_that_are_not_addresses_are_refused(
    mail_client: TestClient, mail_service: Papertide, mailbox: Mailbox,
) -> None:
    for address in NOT_ADDRESSES:
        answer = mail_client.post("/subscribe", data={"email": address})
        assert answer.status_code == 400 and "email address" in answer.text, address
    assert mail_service.store.subscriber_counts() == {}
    assert mailbox.received == []


def test_an_international_domain_is_accepted_in_its_ascii_form(
    mail_client: TestClient, mail_service: Papertide, mailbox: Mailbox,
) -> None:
    assert mail_client.post("/subscribe", data={"email": "Ada@Bücher.de"}).status_code == 200
    assert mail_service.store.subscriber_by_email("ada@xn--bcher-kva.de") is not None
    assert len(mailbox.to("ada@xn--bcher-kva.de")) == 1


def test_subscribe_requests_are_limited_per_address_and_per_client(
    mail_client: TestClient, mailbox: Mailbox,
) -> None:
    for _ in range(3):  # subscribe_limit_per_address = 3 an hour
        assert mail_client.post("/subscribe", data={"email": "bomb@example.org"}).is_success
    refused = mail_client.post("/subscribe", data={"email": "bomb@example.org"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert len(mailbox.to("bomb@example.org")) == 3
    for number in range(7):  # with the 3 above, 10 requests counted from this client
        assert mail_client.post("/subscribe",
                                data={"email": f"other{number}@example.org"}).is_success
    assert mail_client.post("/subscribe", data={"email": "last@example.org"}).status_code == 429
    assert mailbox.to("last@example.org") == []


def test_a_form_posted_from_another_site_is_refused(
    mail_client: TestClient, mailbox: Mailbox,
) -> None:
    answer = mail_client.post("/subscribe", data={"email": "victim@example.org"},
                              headers={"Origin": "https://evil.example.com"})
    assert answer.status_code == 403 and mailbox.received == []


def test_a_huge_form_is_refused_before_it_is_read(mail_client: TestClient) -> None:
    answer = mail_client.post("/subscribe", data={"email": "a@example.org", "x": "y" * 40_000})
    assert answer.status_code == 413


def test_subscription_forms_are_read_by_the_shared_form_reader(
    mail_client: TestClient, mail_service: Papertide, mailbox: Mailbox,
) -> None:
    """Size, field-count and content-type rules come from the site's one form reader."""
    manage = subscribe_and_confirm(mail_client, mailbox, "shared@example.org")
    token = token_of(BASE_URL + manage)
    too_many = [("token", token)] + [("category", f"cs.X{n}") for n in range(60)]
    answer = mail_client.post("/subscription", content="&".join(f"{k}={v}" for k, v in too_many),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 400 and "could not be read" in answer.text
    many = [("token", token), ("frequency", "weekly"), ("trending_count", "5")] + [
        ("category", "cs.LG")] * 30  # more fields than a plain form may have, fewer than 60
    answer = mail_client.post("/subscription", content="&".join(f"{k}={v}" for k, v in many),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200 and "Saved." in answer.text
    subscriber = mail_service.store.subscriber_by_email("shared@example.org")
    assert subscriber is not None and subscriber.preferences.frequency == "weekly"
    multipart = mail_client.post("/subscription", files={"token": (None, token)},
                                 data={"frequency": "off"})
    assert multipart.status_code == 400  # a multipart body reads as no fields: no token
    subscriber = mail_service.store.subscriber_by_email("shared@example.org")
    assert subscriber is not None and subscriber.preferences.frequency == "weekly"
    one_click = mail_service.digests.subscriptions.links.make(
        "unsubscribe", subscriber.id, subscriber.email, None)
    answer = mail_client.post("/unsubscribe", params={"token": one_click},
                              files={"List-Unsubscribe": (None, "One-Click")})
    assert answer.status_code == 200 and "You are unsubscribed" in answer.text  # token in URL


@pytest.fixture
def manage_path(mail_client: TestClient, mailbox: Mailbox) -> str:
    return subscribe_and_confirm(mail_client, mailbox, "prefs@example.org")


BAD_PREFERENCES = (
    ("name", "Eve\r\nBcc: victim@example.org", "line breaks"),
    ("name", "Eve\nSubject: free money", "line breaks"),
    ("name", "x" * 81, "at most 80"),
    ("searches", "cat:cs.CL", "no words"),
    ("searches", "model\x0bmerging", "control characters"),
    ("searches", "x" * 201, "at most 200"),
    ("searches", "\n".join(f"topic {n}" for n in range(11)), "at most 10"),
    ("more_categories", "cs.LG; DROP TABLE subscribers", "not an arXiv category"),
    ("more_categories", "../../etc", "not an arXiv category"),
    ("trending_count", "-1", "between 0 and 50"),
    ("trending_count", "1e9", "whole number"),
    ("frequency", "hourly", "daily, weekly or off"),
)


def test_bad_preferences_are_refused_and_nothing_changes(
    mail_client: TestClient, mail_service: Papertide, manage_path: str,
) -> None:
    for field, value, message in BAD_PREFERENCES:
        form = {"token": token_of(BASE_URL + manage_path), "frequency": "weekly",
                "trending_count": "5", "searches": "model merging", field: value}
        answer = mail_client.post("/subscription", data=form)
        assert answer.status_code == 400 and message in answer.text, (field, value)
    subscriber = mail_service.store.subscriber_by_email("prefs@example.org")
    assert subscriber is not None
    assert subscriber.preferences.frequency == "daily" and subscriber.preferences.searches == ()


def test_newlines_in_the_searches_box_make_separate_searches_never_headers(
    mail_client: TestClient, mail_service: Papertide, manage_path: str, mailbox: Mailbox,
) -> None:
    mail_client.post("/subscription", data={
        "token": token_of(BASE_URL + manage_path), "frequency": "daily",
        "trending_count": "1", "searches": "merging\r\nBcc: victim@example.org"})
    subscriber = mail_service.store.subscriber_by_email("prefs@example.org")
    assert subscriber is not None
    assert subscriber.preferences.searches == ("merging", "Bcc: victim@example.org")
    from papertide.digest.periods import due_period

    mail_service.digests.send_issue(due_period("daily", mail_service.settings,
                                               mail_service.clock()))
    digest = mailbox.to("prefs@example.org")[-1]
    assert digest.recipients == ("prefs@example.org",)
    assert "Bcc" not in digest.message and mailbox.to("victim@example.org") == []


def test_the_mail_writer_refuses_a_header_with_a_line_break() -> None:
    with pytest.raises(mime.HeaderInjectionError):
        mime.text_value("Subject", "Hello\r\nBcc: victim@example.org")
    with pytest.raises(mime.HeaderInjectionError):
        mime.address("Eve\nBcc: x", "eve@example.org")


def tampered(token: str) -> str:
    signature = token.rsplit(".", 1)[1]
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return token.rsplit(".", 1)[0] + "." + flipped


def test_forged_cut_and_misused_links_are_refused(
    mail_client: TestClient, mail_service: Papertide, manage_path: str, mailbox: Mailbox,
) -> None:
    manage = token_of(BASE_URL + manage_path)
    parts = manage.split(".")
    other_person = ".".join([parts[0], "2", *parts[2:]])
    as_unsubscribe = "u" + manage[1:]
    for token in (tampered(manage), manage[:-5], other_person, as_unsubscribe, "", "x" * 500,
                  "m.1.0.", "m.99999999999999999999.0.abc"):
        assert mail_client.get("/subscription", params={"token": token}).status_code in (400,
                                                                                         422)
        assert mail_client.post("/unsubscribe", params={"token": token[:300]}).status_code \
            in (400, 422)
    subscriber = mail_service.store.subscriber_by_email("prefs@example.org")
    assert subscriber is not None and subscriber.status == "active"


def test_confirmation_links_expire_but_unsubscribe_links_do_not(
    mail_client: TestClient, mail_service: Papertide, mailbox: Mailbox, clock: MutableClock,
) -> None:
    mail_client.post("/subscribe", data={"email": "late@example.org"})
    link = next(url for url in links_in(text_part(mailbox.to("late@example.org")[0]))
                if "/subscribe/confirm" in url)
    clock.advance(hours=49)  # subscribe_confirm_hours = 48
    answer = mail_client.post("/subscribe/confirm", data={"token": token_of(link)})
    assert answer.status_code == 400 and "expired" in answer.text
    late = mail_service.store.subscriber_by_email("late@example.org")
    assert late is not None and late.status == "pending"

    subscribe_and_confirm(mail_client, mailbox, "keeper@example.org")
    keeper = mail_service.store.subscriber_by_email("keeper@example.org")
    assert keeper is not None
    unsubscribe = mail_service.digests.subscriptions.links_for(keeper).unsubscribe
    clock.advance(days=400)
    assert mail_client.post(path_of(unsubscribe)).status_code == 200
    gone = mail_service.store.subscriber_by_email("keeper@example.org")
    assert gone is not None and gone.status == "unsubscribed"


def test_an_unsubscribe_mail_with_the_token_unsubscribes(
    mail_client: TestClient, mail_service: Papertide, mailbox: Mailbox,
) -> None:
    subscribe_and_confirm(mail_client, mailbox, "bymail@example.org")
    subscriber = mail_service.store.subscriber_by_email("bymail@example.org")
    assert subscriber is not None
    mailto = mail_service.digests.subscriptions.links_for(subscriber).unsubscribe_mailto
    from urllib.parse import parse_qs, unquote, urlsplit

    subject = parse_qs(urlsplit(mailto).query)["subject"][0]
    incoming = f"From: bymail@example.org\r\nSubject: {unquote(subject)}\r\n\r\n"
    subscriptions = mail_service.digests.subscriptions
    assert subscriptions.unsubscribe_by_mail("Subject: unsubscribe please") is None
    assert subscriptions.unsubscribe_by_mail(tampered(incoming.strip())) is None
    done = subscriptions.unsubscribe_by_mail(incoming)
    assert done is not None and done.status == "unsubscribed"
