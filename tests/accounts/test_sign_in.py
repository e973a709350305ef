"""The sign-in flow at the service level, on a real database."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from papertide.exceptions import (
    InvalidInputError,
    InvalidSignInLinkError,
    InvalidSubscriptionLinkError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from tests.community_helpers import MovableClock, open_community_app
from tests.mailcatcher import LINK, text_of


def _token_of(message: EmailMessage | None) -> str:
    assert message is not None
    link = LINK.search(text_of(message))
    assert link
    return parse_qs(urlsplit(link.group()).query)["token"][0]


def test_a_mailed_link_signs_in_once_and_opens_a_session(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, base_url="https://papers.example.org")
    accounts = app.community.accounts
    message = accounts.request_sign_in("Ada@Example.org", "10.0.0.1", "/library")
    assert message is not None and message["To"] == "ada@example.org"
    assert "https://papers.example.org/signin/confirm?token=" in text_of(message)
    token = _token_of(message)
    assert accounts.pending_sign_in(token).email == "ada@example.org"
    signed_in = accounts.complete_sign_in(token)
    assert signed_in.new_user and signed_in.next_path == "/library"
    viewer = accounts.viewer(signed_in.cookie)
    assert viewer is not None and viewer.user.email == "ada@example.org"
    with pytest.raises(InvalidSignInLinkError, match="used already"):
        accounts.complete_sign_in(token)
    accounts.sign_out(viewer)
    assert accounts.viewer(signed_in.cookie) is None
    app.close()


@pytest.mark.sqlite_only
def test_the_store_keeps_no_usable_secret(tmp_path: Path) -> None:
    app = open_community_app(tmp_path)
    message = app.community.accounts.request_sign_in("ada@example.org", "c")
    token = _token_of(message)
    database = (tmp_path / "papertide.db").read_bytes()
    assert token.split(".")[0].encode() not in database
    app.close()


def test_links_expire_after_15_minutes(tmp_path: Path) -> None:
    clock = MovableClock()
    app = open_community_app(tmp_path, clock)
    token = _token_of(app.community.accounts.request_sign_in("ada@example.org", "c"))
    clock.advance(minutes=15, seconds=1)
    with pytest.raises(InvalidSignInLinkError, match="expired"):
        app.community.accounts.complete_sign_in(token)
    assert app.store.user_by_email("ada@example.org") is None
    app.close()


def test_forged_links_are_refused(tmp_path: Path) -> None:
    app = open_community_app(tmp_path)
    token = _token_of(app.community.accounts.request_sign_in("ada@example.org", "c"))
    secret, signature = token.split(".")
    for forged in (secret + "." + signature[::-1], secret[:-3] + "." + signature, "abc.def", ""):
        with pytest.raises(InvalidSignInLinkError, match="not valid"):
            app.community.accounts.complete_sign_in(forged)
    app.close()


def test_invite_only_mails_only_known_addresses(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, open_signup="false")
    accounts = app.community.accounts
    assert accounts.request_sign_in("stranger@example.org", "c") is None
    accounts.add_user("member@example.org")
    assert accounts.request_sign_in("member@example.org", "c") is not None
    assert [user.email for user in accounts.users()] == ["member@example.org"]
    app.close()


def test_rate_limits_hold_per_address_and_per_client_across_processes(tmp_path: Path) -> None:
    first = open_community_app(tmp_path, signin_limit_per_address="2",
                               signin_limit_per_client="3")
    second = open_community_app(tmp_path, signin_limit_per_address="2",
                                signin_limit_per_client="3")  # another worker, same database
    first.community.accounts.request_sign_in("ada@example.org", "10.0.0.1")
    second.community.accounts.request_sign_in("ada@example.org", "10.0.0.2")
    with pytest.raises(RateLimitedError, match="this address") as raised:
        first.community.accounts.request_sign_in("ADA@example.org", "10.0.0.3")
    assert 0 < raised.value.retry_after <= 3_600
    second.community.accounts.request_sign_in("bob@example.org", "10.0.0.9")
    second.community.accounts.request_sign_in("cy@example.org", "10.0.0.9")
    first.community.accounts.request_sign_in("di@example.org", "10.0.0.9")
    with pytest.raises(RateLimitedError, match="your network"):
        first.community.accounts.request_sign_in("ed@example.org", "10.0.0.9")
    first.close()
    second.close()


def test_rate_limits_free_up_after_an_hour(tmp_path: Path) -> None:
    clock = MovableClock()
    app = open_community_app(tmp_path, clock, signin_limit_per_address="1")
    app.community.accounts.request_sign_in("ada@example.org", "c")
    with pytest.raises(RateLimitedError):
        app.community.accounts.request_sign_in("ada@example.org", "c")
    clock.advance(hours=1, seconds=1)
    assert app.community.accounts.request_sign_in("ada@example.org", "c") is not None
    app.close()


def test_sessions_end_after_the_configured_days(tmp_path: Path) -> None:
    clock = MovableClock()
    app = open_community_app(tmp_path, clock, session_days="2")
    accounts = app.community.accounts
    cookie = accounts.complete_sign_in(
        _token_of(accounts.request_sign_in("ada@example.org", "c"))).cookie
    clock.advance(days=1)
    assert accounts.viewer(cookie) is not None
    clock.advance(days=1, seconds=1)
    assert accounts.viewer(cookie) is None
    app.close()


def test_the_site_key_is_made_once_and_shared(tmp_path: Path) -> None:
    first = open_community_app(tmp_path)
    token = _token_of(first.community.accounts.request_sign_in("ada@example.org", "c"))
    second = open_community_app(tmp_path)  # a second process: the same key from the database
    assert second.community.accounts.complete_sign_in(token).user.email == "ada@example.org"
    first.close()
    second.close()


def test_every_signed_link_comes_from_the_one_site_key(tmp_path: Path) -> None:
    """Sign-in, subscription and discussion-mail links made by one process are honoured by
    another on the same database, and by no site with another key."""
    first = open_community_app(tmp_path / "site")
    second = open_community_app(tmp_path / "site")
    elsewhere = open_community_app(tmp_path / "other")
    try:
        for site in (first, elsewhere):  # the same subscriber (id and address) on both
            site.digests.subscriptions.subscribe("bo@example.org", "c")
        subscriber = first.store.subscriber_by_email("bo@example.org")
        assert subscriber is not None
        manage = first.digests.subscriptions.manage_token(subscriber)
        reply_off = first.discussions.mailer.unsubscribe_token(7)
        assert second.digests.subscriptions.subscriber_for(manage, "manage").id == subscriber.id
        assert second.discussions.mailer.token_is_valid(7, reply_off)
        assert not second.discussions.mailer.token_is_valid(8, reply_off)
        assert not elsewhere.discussions.mailer.token_is_valid(7, reply_off)
        with pytest.raises(InvalidSubscriptionLinkError):
            elsewhere.digests.subscriptions.subscriber_for(manage, "manage")
        token = _token_of(first.community.accounts.request_sign_in("ada@example.org", "c"))
        with pytest.raises(InvalidSignInLinkError):
            elsewhere.community.accounts.complete_sign_in(token)
        assert second.community.accounts.complete_sign_in(token).user.email == "ada@example.org"
    finally:
        for app in (first, second, elsewhere):
            app.close()


def test_users_are_managed_by_address(tmp_path: Path) -> None:
    app = open_community_app(tmp_path)
    accounts = app.community.accounts
    user, created = accounts.add_user("Grace@Example.org", admin=True)
    assert created and user.is_admin and user.email == "grace@example.org"
    assert accounts.add_user("grace@example.org") == (user, False)
    assert not accounts.set_admin("grace@example.org", False).is_admin
    accounts.remove_user("GRACE@example.org")
    with pytest.raises(NotFoundError):
        accounts.user("grace@example.org")
    with pytest.raises(InvalidInputError):
        accounts.add_user("not an address")
    app.close()


def test_csrf_checks_need_the_token_of_the_same_binding(tmp_path: Path) -> None:
    app = open_community_app(tmp_path)
    accounts = app.community.accounts
    token = accounts.csrf_token("session:one")
    accounts.check_csrf("session:one", token)
    for binding, given in (("session:two", token), ("session:one", None), (None, token)):
        with pytest.raises(PermissionDeniedError):
            accounts.check_csrf(binding, given)
    app.close()


def test_an_expired_link_is_refused_even_if_unused(tmp_path: Path) -> None:
    clock = MovableClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    app = open_community_app(tmp_path, clock)
    token = _token_of(app.community.accounts.request_sign_in("ada@example.org", "c"))
    clock.advance(days=3)
    with pytest.raises(InvalidSignInLinkError):
        app.community.accounts.pending_sign_in(token)
    app.close()
