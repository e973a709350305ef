"""Per-address and per-client limits on actions that send mail (sign-in, subscribe).

Hits are counted in the database (``AccountStore.hit_rate_limit``) so the
limits hold across processes; an address is kept only as a hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from papertide.exceptions import RateLimitedError
from papertide.store.accounts import AccountStore

RATE_WINDOW_SECONDS = 3_600


@dataclass(frozen=True, slots=True)
class MailLimits:
    """How many ``action`` requests an address and a client may make per hour."""

    action: str
    what: str
    per_address: int
    per_client: int

    def enforce(self, store: AccountStore, address: str, client: str, now: dt.datetime) -> None:
        """Count one request, or raise RateLimitedError saying when to try again."""
        address_key = f"{self.action}-address:" + hashlib.sha256(address.encode()).hexdigest()[:32]
        client_key = f"{self.action}-client:" + client[:100]
        limits = {address_key: self.per_address, client_key: self.per_client}
        full = store.hit_rate_limit(limits, RATE_WINDOW_SECONDS, now)
        if full is None:
            return
        wait = store.seconds_until_free(full, limits[full], RATE_WINDOW_SECONDS, now)
        minutes = max((wait + 59) // 60, 1)
        who = "this address" if full == address_key else "your network"
        raise RateLimitedError(
            f"too many {self.what} for {who}; try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}", wait,
        )
