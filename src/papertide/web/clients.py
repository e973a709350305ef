"""The client address a request is counted against (see ``accounts.clients``)."""

from __future__ import annotations

from starlette.requests import Request

from papertide.accounts.clients import client_address
from papertide.community_settings import parse_trusted_proxies
from papertide.settings import Settings


def client_of(request: Request, settings: Settings) -> str:
    """The right-most address in ``X-Forwarded-For`` not of a trusted proxy, else the peer."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"),
                          parse_trusted_proxies(settings.trusted_proxies))
