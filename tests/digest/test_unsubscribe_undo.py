"""Undoing an unsubscribe: the unsubscribe link (in every digest's headers, valid for
ever) brings the subscription back right after leaving, and opens nothing else."""

from __future__ import annotations

from fastapi.testclient import TestClient

from papertide.app import Papertide
from tests.digest.conftest import MutableClock, subscribe_and_confirm, token_of
from tests.digest.smtp import Mailbox


def unsubscribe_token(service: Papertide, address: str) -> str:
    subscriber = service.digests.subscriptions.subscriber(address)
    return token_of(service.digests.subscriptions.links_for(subscriber).unsubscribe)


def test_undo_right_after_unsubscribing_resubscribes_without_a_preferences_link(
    mail_client: TestClient, mailbox: Mailbox, mail_service: Papertide,
) -> None:
    address = "undo@example.org"
    subscribe_and_confirm(mail_client, mailbox, address)
    token = unsubscribe_token(mail_service, address)
    left = mail_client.post(f"/unsubscribe?token={token}")
    assert left.status_code == 200 and "You are unsubscribed" in left.text

    undone = mail_client.post("/unsubscribe/undo", data={"token": token},
                              follow_redirects=False)
    assert undone.status_code == 200
    assert "subscribed again" in undone.text
    assert "/subscription?" not in undone.text and "forget" not in undone.text.lower()
    assert "location" not in undone.headers
    assert mail_service.digests.subscriptions.subscriber(address).status == "active"


def test_an_old_unsubscribe_link_cannot_reach_the_preferences_or_resubscribe(
    mail_client: TestClient, mailbox: Mailbox, mail_service: Papertide, clock: MutableClock,
) -> None:
    address = "leaked@example.org"
    subscribe_and_confirm(mail_client, mailbox, address)
    token = unsubscribe_token(mail_service, address)
    # The subscriber is active: someone holding a digest's header posts "undo".
    while_active = mail_client.post("/unsubscribe/undo", data={"token": token},
                                    follow_redirects=False)
    assert while_active.status_code == 400
    assert "/subscription?" not in while_active.text
    assert "location" not in while_active.headers

    assert mail_client.post(f"/unsubscribe?token={token}").status_code == 200
    clock.advance(hours=2)
    too_late = mail_client.post("/unsubscribe/undo", data={"token": token},
                                follow_redirects=False)
    assert too_late.status_code == 400 and "subscribe again" in too_late.text
    assert "/subscription?" not in too_late.text
    assert mail_service.digests.subscriptions.subscriber(address).status == "unsubscribed"


def test_the_preferences_page_of_an_unsubscribed_reader_subscribes_them_again_any_time(
    mail_client: TestClient, mailbox: Mailbox, mail_service: Papertide, clock: MutableClock,
) -> None:
    address = "back@example.org"
    preferences = subscribe_and_confirm(mail_client, mailbox, address)
    assert mail_client.post(
        f"/unsubscribe?token={unsubscribe_token(mail_service, address)}").status_code == 200
    clock.advance(days=20)
    page = mail_client.get(preferences)
    assert "You are unsubscribed" in page.text
    back = mail_client.post("/subscription/resubscribe", data={"token": token_of(preferences)})
    assert back.status_code == 200 and back.url.path == "/subscription"
    assert mail_service.digests.subscriptions.subscriber(address).status == "active"
