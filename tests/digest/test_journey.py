"""The whole journey over HTTP and real SMTP: subscribe, confirm, choose, receive, leave."""

from __future__ import annotations

import email.utils
import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papertide.app import Papertide
from papertide.digest.periods import due_period
from papertide.exceptions import ConfigError
from papertide.web import create_web_app
from tests.digest.conftest import (
    BASE_URL,
    OLD_ID,
    TRENDING_FIRST,
    TRENDING_SECOND,
    MutableClock,
    html_part,
    links_in,
    path_of,
    subscribe_and_confirm,
    text_part,
    token_of,
)
from tests.digest.smtp import Mailbox
from tests.helpers import FIXED_NOW, open_test_app


def send_daily(service: Papertide) -> None:
    period = due_period("daily", service.settings, service.clock())
    service.digests.send_issue(period)


def test_subscribe_confirm_receive_and_unsubscribe_in_one_click(
    mail_client: TestClient, mailbox: Mailbox, mail_service: Papertide, clock: MutableClock,
) -> None:
    address = "reader@example.org"
    preferences = subscribe_and_confirm(mail_client, mailbox, address)
    page = mail_client.get(preferences)
    assert "You are subscribed" in page.text and address in page.text

    saved = mail_client.post("/subscription", data={
        "token": token_of(BASE_URL + preferences), "frequency": "daily",
        "trending_count": "2", "searches": "model merging\nquantum gravity",
        "category": ["cs.CL"], "more_categories": "cs.RO", "name": "Zoë Ångström",
    })
    assert saved.status_code == 200 and "Saved." in saved.text

    send_daily(mail_service)
    [digest] = mailbox.to(address)[1:]
    message = digest.message

    # headers a mail client relies on
    assert email.utils.parseaddr(message["To"]) == ("Zoë Ångström", address)
    assert "=?utf-8?" in digest.data.split(b"\r\n\r\n")[0].decode("ascii")  # encoded, on the wire
    assert email.utils.parseaddr(message["From"])[1] == "digest@papers.example.org"
    assert email.utils.parsedate_to_datetime(message["Date"]) == FIXED_NOW
    assert re.fullmatch(r"<[^<>@\s]+@papers\.example\.org>", message["Message-ID"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    targets = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    assert [target.split(":")[0] for target in targets] == ["https", "mailto"]
    assert "Über-efficient" in message["Subject"]
    assert message.get_content_type() == "multipart/alternative"

    text, html = text_part(digest), html_part(digest)
    for part in (text, html):
        assert "Model merging without retraining: Über-efficient fusion of experts" in part
        assert "Robot grasping with language feedback" in part  # followed cs.RO
        assert "A survey of retrieval-augmented generation" in part  # followed cs.CL
        assert "Diffusion transformers at scale" not in part  # cs.CV, not trending top 2
        assert "Old news about model merging" not in part  # not new
        assert "quantum gravity" in part  # the search that found nothing says so
    assert "Trending today" in text and "Matches “model merging”" in text
    assert "New in cs.CL" in text and "New in cs.RO" in text
    assert "trending #1" in text and "matches “model merging”" in text and "new in cs.CL" in text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Zoë Ångström, Li Wei, Ada Lovelace et al." in text

    # every link in the mail leads somewhere that works
    paper_links = [url for url in links_in(text) if "/papers/" in url]
    assert f"{BASE_URL}/papers/{TRENDING_FIRST}" in paper_links
    assert f"{BASE_URL}/papers/{OLD_ID}" not in paper_links
    for url in paper_links[:3]:
        assert mail_client.get(path_of(url)).status_code == 200
    manage = next(url for url in links_in(text) if "/subscription?" in url)
    assert "Zoë Ångström" in mail_client.get(path_of(manage)).text

    # RFC 8058: the client POSTs to the https target with no cookie and no CSRF token
    one_click = TestClient(mail_client.app, base_url=BASE_URL)
    answer = one_click.post(path_of(targets[0]), content=b"List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200 and "You are unsubscribed" in answer.text
    clock.advance(days=1)
    send_daily(mail_service)
    assert len(mailbox.to(address)) == 2  # the confirmation and one digest, nothing after


def test_no_paper_is_mailed_twice_and_an_empty_digest_is_not_sent(
    mail_client: TestClient, mailbox: Mailbox, mail_service: Papertide, clock: MutableClock,
) -> None:
    address = "twice@example.org"
    subscribe_and_confirm(mail_client, mailbox, address)
    send_daily(mail_service)
    first = text_part(mailbox.to(address)[-1])
    assert TRENDING_FIRST in first and TRENDING_SECOND in first

    send_daily(mail_service)  # the same issue again: nobody gets it twice
    assert len(mailbox.to(address)) == 2
    clock.advance(days=1)  # the next day's issue: nothing new beyond what was mailed
    send_daily(mail_service)
    assert len(mailbox.to(address)) == 2


def test_an_empty_digest_goes_out_when_asked_for(
    mail_client: TestClient, mailbox: Mailbox, mail_service: Papertide, clock: MutableClock,
) -> None:
    address = "always@example.org"
    preferences = subscribe_and_confirm(mail_client, mailbox, address)
    send_daily(mail_service)
    mail_client.post("/subscription", data={
        "token": token_of(BASE_URL + preferences), "frequency": "daily",
        "trending_count": "10", "searches": "", "send_empty": "on"})
    clock.advance(days=1)
    send_daily(mail_service)
    empty = mailbox.to(address)[-1]
    assert len(mailbox.to(address)) == 3
    assert "nothing new" in empty.message["Subject"]
    assert "No paper matched your preferences" in text_part(empty)


def test_weekly_subscribers_get_no_daily_digest(
    mail_client: TestClient, mailbox: Mailbox, mail_service: Papertide,
) -> None:
    mail_client.post("/subscribe", data={"email": "weekly@example.org", "frequency": "weekly"})
    link = next(url for url in links_in(text_part(mailbox.to("weekly@example.org")[0]))
                if "/subscribe/confirm" in url)
    mail_client.post("/subscribe/confirm", data={"token": token_of(link)})
    send_daily(mail_service)
    assert len(mailbox.to("weekly@example.org")) == 1
    weekly = due_period("weekly", mail_service.settings, mail_service.clock())
    mail_service.digests.send_issue(weekly)
    [digest] = mailbox.to("weekly@example.org")[1:]
    assert digest.message["Subject"].startswith("papertide weekly: ")
    assert "Trending this week" in text_part(digest)


def test_the_same_answer_for_known_and_unknown_addresses(
    mail_client: TestClient, mailbox: Mailbox,
) -> None:
    subscribe_and_confirm(mail_client, mailbox, "known@example.org")
    known = mail_client.post("/subscribe", data={"email": "known@example.org"})
    unknown = mail_client.post("/subscribe", data={"email": "unknown@example.org"})
    assert (known.status_code, known.url.path) == (unknown.status_code, unknown.url.path)
    assert known.text == unknown.text
    # ...but the known address gets its settings link, not a second confirmation
    reminder = mailbox.to("known@example.org")[-1]
    assert "You are subscribed already" in text_part(reminder) or \
        "gets" in text_part(reminder)
    assert any("/subscription?" in url for url in links_in(text_part(reminder)))
    assert not any("/subscribe/confirm" in url for url in links_in(text_part(reminder)))


def test_nothing_is_sent_before_confirmation(
    mail_client: TestClient, mailbox: Mailbox, mail_service: Papertide,
) -> None:
    mail_client.post("/subscribe", data={"email": "maybe@example.org"})
    send_daily(mail_service)
    assert [item.message["Subject"] for item in mailbox.to("maybe@example.org")] == [
        "Confirm your subscription to papertide"]


def test_every_page_has_the_subscribe_form(mail_client: TestClient) -> None:
    for path in ("/", "/papers/date", "/search?q=merging", "/about", "/nowhere"):
        page = mail_client.get(path)
        assert 'action="/subscribe"' in page.text, path


def test_a_signed_in_reader_subscribes_their_own_address_at_once(
    mail_client: TestClient, mailbox: Mailbox, mail_service: Papertide,
) -> None:
    accounts = mail_service.community.accounts
    accounts.add_user("member@example.org")
    signed = accounts.complete_sign_in(
        token_of(accounts.sign_in_link("member@example.org")))
    mail_client.cookies.set("papertide_session", signed.cookie)
    try:
        page = mail_client.get("/subscribe")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        answer = mail_client.post("/subscribe", data={"email": "member@example.org",
                                                      "csrf_token": csrf.group(1)})
    finally:
        mail_client.cookies.clear()
    assert answer.url.path == "/subscription" and "You are subscribed" in answer.text
    assert mailbox.to("member@example.org") == []  # the sign-in proved the address


def test_without_an_smtp_server_the_confirmation_link_goes_to_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    service = open_test_app(tmp_path / "laptop", base_url=BASE_URL)
    try:
        with TestClient(create_web_app(service), base_url=BASE_URL) as client, \
                caplog.at_level(logging.WARNING, logger="papertide.mail"):
            assert client.post("/subscribe", data={"email": "laptop@example.org"}).is_success
            link = next(url for url in links_in(caplog.text) if "/subscribe/confirm" in url)
            assert client.post("/subscribe/confirm", data={"token": token_of(link)}).is_success
        subscriber = service.store.subscriber_by_email("laptop@example.org")
        assert subscriber is not None and subscriber.status == "active"
        with pytest.raises(ConfigError, match="smtp_host"):  # digests are never just logged
            service.digests.compose_issue(due_period("daily", service.settings, service.clock()))
    finally:
        service.close()
