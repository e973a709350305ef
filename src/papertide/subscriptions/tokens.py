"""Signed links in subscription mail: confirm, manage preferences, unsubscribe.

A token is ``PURPOSE.ID.EXPIRES.SIGNATURE``: the HMAC (under the site key)
covers the purpose, the subscriber id, their address and the expiry, so a
token cannot be moved to another purpose, person or date, and a forged or
cut one is refused without a database lookup. Nothing is stored: the link
works until it expires. Unsubscribe links never expire (an old mail must
always be able to stop the next one); confirmation links expire in hours,
preference links in months (each digest carries a fresh one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from papertide.accounts.tokens import Signer

Purpose = Literal["confirm", "manage", "unsubscribe"]
_CODES: dict[Purpose, str] = {"confirm": "c", "manage": "m", "unsubscribe": "u"}
MAX_TOKEN = 200
NEVER = 0


@dataclass(frozen=True, slots=True)
class TokenClaim:
    """What a token says before it is checked against the subscriber it names."""

    purpose: Purpose
    subscriber_id: int
    expires: int
    signature: str


class LinkSigner:
    """Makes and checks subscription tokens with the site key."""

    def __init__(self, signer: Signer) -> None:
        self._signer = signer

    def make(self, purpose: Purpose, subscriber_id: int, email: str,
             expires_at: dt.datetime | None) -> str:
        expires = NEVER if expires_at is None else int(expires_at.timestamp())
        signature = self._signer.token_for(_purpose_name(purpose),
                                           _signed_value(subscriber_id, email, expires))
        return f"{_CODES[purpose]}.{subscriber_id}.{expires}.{signature}"

    def read(self, token: str, purpose: Purpose) -> TokenClaim | None:
        """The claim of a well-formed token of ``purpose`` (not yet verified), else None."""
        token = token.strip()
        if not token or len(token) > MAX_TOKEN:
            return None
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != _CODES[purpose]:
            return None
        if not (parts[1].isdigit() and parts[2].isdigit()) or len(parts[1]) > 18:
            return None
        return TokenClaim(purpose, int(parts[1]), int(parts[2]), parts[3])

    def verify(self, claim: TokenClaim, email: str) -> bool:
        """True if the signature matches this subscriber's address (expiry is checked apart)."""
        return self._signer.check_token(_purpose_name(claim.purpose),
                                        _signed_value(claim.subscriber_id, email, claim.expires),
                                        claim.signature)


def is_expired(claim: TokenClaim, now: dt.datetime) -> bool:
    return claim.expires != NEVER and claim.expires <= now.timestamp()


def _purpose_name(purpose: Purpose) -> str:
    return f"subscription-{purpose}"


def _signed_value(subscriber_id: int, email: str, expires: int) -> str:
    return f"{subscriber_id}\x00{email}\x00{expires}"
