"""Hourly limits counted in the database: per-address, per-client and site-wide limits
on actions that send mail (sign-in, subscribe), and any other hourly allowance
(a reader's comments) through :func:`enforce_hourly`.

Hits are counted in the database (``AccountStore.hit_rate_limit``) so the
limits hold across processes; an address is kept only as a hash. The address
is counted as the mailbox it reaches: ``Ada+1@X.org`` and ``ada+2@x.org`` both
land in ``ada@x.org``, so plus-tags do not multiply its allowance. Sign-in and
subscribe share a ceiling per client and one for the whole site, so that many
addresses cannot be mailed from one client, nor from many.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from papertide.exceptions import RateLimitedError
from papertide.store.accounts import AccountStore

RATE_WINDOW_SECONDS = 3_600


def enforce_hourly(store: AccountStore, limits: dict[str, int], now: dt.datetime,
                   refusal: Callable[[str], str]) -> None:
    """Count one hit in each bucket, or raise RateLimitedError saying when to try again.

    ``refusal`` says why, given the full bucket; the error adds how long to wait.
    """
    full = store.hit_rate_limit(limits, RATE_WINDOW_SECONDS, now)
    if full is None:
        return
    wait = store.seconds_until_free(full, limits[full], RATE_WINDOW_SECONDS, now)
    minutes = max((wait + 59) // 60, 1)
    raise RateLimitedError(
        f"{refusal(full)}; try again in {minutes} minute{'s' if minutes != 1 else ''}", wait)


def mailbox_of(address: str) -> str:
    """``"Ada+news@Example.org"`` -> ``"ada@example.org"``: where mail to it ends up."""
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0] or local}@{domain}" if local else address.lower()


@dataclass(frozen=True, slots=True)
class MailLimits:
    """How many ``action`` requests an address and a client may make per hour, and how
    many mail-sending requests of any kind a client and the site may make."""

    action: str
    what: str
    per_address: int
    per_client: int
    all_per_client: int
    all_per_site: int

    def enforce(self, store: AccountStore, address: str, client: str, now: dt.datetime) -> None:
        """Count one request, or raise RateLimitedError saying when to try again."""
        mailbox = hashlib.sha256(mailbox_of(address).encode()).hexdigest()[:32]
        address_key = f"{self.action}-address:{mailbox}"
        client_key = f"{self.action}-client:" + client[:100]
        limits = {address_key: self.per_address, client_key: self.per_client,
                  "mail-client:" + client[:100]: self.all_per_client,
                  "mail-site": self.all_per_site}
        who = {address_key: "this address", "mail-site": "this site"}
        enforce_hourly(store, limits, now, lambda full: (
            f"too many {self.what} for {who.get(full, 'your network')}"))
