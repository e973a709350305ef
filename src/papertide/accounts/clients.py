"""Who a request comes from, for the per-client limits: the right-most untrusted hop.

Behind a reverse proxy every request arrives from the proxy, which appends the
address it saw to ``X-Forwarded-For``. Anything left of that was written by the
client and proves nothing, so the list is read from the right, skipping only
the configured proxies (``trusted_proxies``): the first address not among them
is the client. A request that does not come from a trusted proxy is its own
client, whatever headers it sends.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from papertide.community_settings import IpNetwork

IPV6_CLIENT_PREFIX = 64  # one subscriber line gets a whole /64: count it as one client


def client_address(peer: str | None, forwarded_for: Sequence[str],
                   trusted: Sequence[IpNetwork]) -> str:
    """The address to count requests against (``peer`` is the socket's other end)."""
    if peer is None:
        return "unknown"
    nearest = _address(peer)
    if nearest is None or not _trusted(nearest, trusted):
        return peer if nearest is None else _client_key(nearest)
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage in the chain: stop at the last proxy we believe
            break
        nearest = address
        if not _trusted(address, trusted):
            break
    return _client_key(nearest)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip().removeprefix("[").split("]")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address,
             trusted: Sequence[IpNetwork]) -> bool:
    return any(address.version == network.version and address in network
               for network in trusted)


def _client_key(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)
