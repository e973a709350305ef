"""Limits on mail-sending requests: per mailbox (whatever its spelling), per client
across sign-in and subscribe, and for the whole site."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertide.accounts.rate_limits import mailbox_of
from papertide.exceptions import RateLimitedError
from tests.community_helpers import open_community_app


@pytest.mark.parametrize(("typed", "mailbox"), [
    ("victim+1@example.org", "victim@example.org"),
    ("Victim+news+2@Example.ORG", "victim@example.org"),
    ("victim@example.org", "victim@example.org"),
    ("+tag@example.org", "+tag@example.org"),
])
def test_plus_tags_and_case_reach_one_mailbox(typed: str, mailbox: str) -> None:
    assert mailbox_of(typed) == mailbox


def test_plus_tagged_addresses_share_their_mailbox_limit(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, signin_limit_per_address="3",
                             signin_limit_per_client="1000", subscribe_limit_per_address="2",
                             subscribe_limit_per_client="1000")
    accounts = app.community.accounts
    for number in range(3):
        assert accounts.request_sign_in(f"victim+{number}@example.org", f"10.0.0.{number}")
    with pytest.raises(RateLimitedError, match="this address"):
        accounts.request_sign_in("VICTIM+3@example.org", "10.0.0.9")
    subscriptions = app.digests.subscriptions
    subscriptions.subscribe("victim+a@example.org", "10.0.1.1")
    subscriptions.subscribe("Victim+b@example.org", "10.0.1.2")
    with pytest.raises(RateLimitedError, match="this address"):
        subscriptions.subscribe("victim+c@example.org", "10.0.1.3")
    app.close()


def test_one_client_has_one_ceiling_across_sign_in_and_subscribe(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, mail_limit_per_client="4")
    app.community.accounts.request_sign_in("a@example.org", "203.0.113.5")
    app.community.accounts.request_sign_in("b@example.org", "203.0.113.5")
    app.digests.subscriptions.subscribe("c@example.org", "203.0.113.5")
    app.digests.subscriptions.subscribe("d@example.org", "203.0.113.5")
    with pytest.raises(RateLimitedError, match="your network"):
        app.community.accounts.request_sign_in("e@example.org", "203.0.113.5")
    with pytest.raises(RateLimitedError, match="your network"):
        app.digests.subscriptions.subscribe("f@example.org", "203.0.113.5")
    assert app.community.accounts.request_sign_in("g@example.org", "203.0.113.6")
    app.close()


def test_the_whole_site_has_a_ceiling_however_many_clients_ask(tmp_path: Path) -> None:
    app = open_community_app(tmp_path, mail_limit_per_site="5")
    for number in range(3):
        app.community.accounts.request_sign_in(f"user{number}@example.org", f"10.1.0.{number}")
    for number in range(2):
        app.digests.subscriptions.subscribe(f"reader{number}@example.org", f"10.2.0.{number}")
    with pytest.raises(RateLimitedError, match="this site") as raised:
        app.community.accounts.request_sign_in("late@example.org", "10.3.0.1")
    assert 0 < raised.value.retry_after <= 3_600
    with pytest.raises(RateLimitedError, match="this site"):
        app.digests.subscriptions.subscribe("later@example.org", "10.3.0.2")
    app.close()
