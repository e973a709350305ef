"""The site key: from the settings, or generated once and kept in the database.

Kept in the database (not a file) so that every process and host using one
database agrees on it; created inside a write transaction so that two
processes starting together cannot each make their own. :func:`site_signer`
is the one place a :class:`Signer` is made from it: sign-in links, sessions,
CSRF tokens, subscription links and discussion-mail links all sign with that
signer, each under its own purpose (the purpose is inside every MAC, so a
value signed for one use is refused for any other).
"""

from __future__ import annotations

import secrets

from papertide.accounts.tokens import Signer
from papertide.store.base import Store

META_KEY = "secret_key"


def site_key(configured: str, store: Store) -> bytes:
    if configured:
        return configured.encode()
    with store.transaction():
        value = store.get_meta(META_KEY)
        if value is None:
            value = secrets.token_urlsafe(48)
            store.set_meta(META_KEY, value)
    return value.encode()


def site_signer(configured: str, store: Store) -> Signer:
    """The site's signer, from the configured key or the one kept in the database."""
    return Signer(site_key(configured, store))
