"""Which address a request is counted against, behind proxies or not."""

from __future__ import annotations

import pytest

from papertide.accounts.clients import client_address
from papertide.community_settings import parse_trusted_proxies
from papertide.exceptions import ConfigError

LOCAL_PROXY = parse_trusted_proxies("127.0.0.1, ::1")
TWO_PROXIES = parse_trusted_proxies("127.0.0.1, 10.0.0.0/8")


@pytest.mark.parametrize(("peer", "forwarded", "trusted", "client"), [
    # a direct client: its headers prove nothing
    ("198.51.100.7", ["1.2.3.4"], LOCAL_PROXY, "198.51.100.7"),
    # behind the local proxy: the address it appended, not what the client wrote before
    ("127.0.0.1", ["1.2.3.4, 198.51.100.7"], LOCAL_PROXY, "198.51.100.7"),
    ("127.0.0.1", ["1.2.3.4", "198.51.100.7"], LOCAL_PROXY, "198.51.100.7"),
    # two proxies in a row, both trusted: the first hop that is not one of them
    ("127.0.0.1", ["6.6.6.6, 198.51.100.7, 10.1.2.3"], TWO_PROXIES, "198.51.100.7"),
    # a client forging a trusted-looking hop still ends up counted as itself
    ("127.0.0.1", ["10.9.9.9, 198.51.100.7"], TWO_PROXIES, "198.51.100.7"),
    # garbage where an address should be: counted as the last proxy believed
    ("127.0.0.1", ["1.2.3.4, not-an-address"], LOCAL_PROXY, "127.0.0.1"),
    # no header: the proxy itself (a request from the machine)
    ("127.0.0.1", [], LOCAL_PROXY, "127.0.0.1"),
    # nothing trusted: never the header
    ("127.0.0.1", ["1.2.3.4"], (), "127.0.0.1"),
    # IPv6 clients count per /64, so rotating within one line does not help
    ("::1", ["2001:db8:1:2::99"], LOCAL_PROXY, "2001:db8:1:2::/64"),
    ("2001:db8:1:2:aaaa::1", [], LOCAL_PROXY, "2001:db8:1:2::/64"),
    ("::ffff:127.0.0.1", ["198.51.100.7"], LOCAL_PROXY, "198.51.100.7"),
])
def test_the_client_is_the_right_most_untrusted_hop(
    peer: str, forwarded: list[str], trusted: tuple[object, ...], client: str,
) -> None:
    assert client_address(peer, forwarded, trusted) == client  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["*", "proxy.example.org", "10.0.0.0/33"])
def test_trusted_proxies_must_be_addresses_or_networks(text: str) -> None:
    with pytest.raises(ConfigError, match="trusted_proxies"):
        parse_trusted_proxies(text)
