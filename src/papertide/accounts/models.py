"""Records of people and their sign-in state, as the store keeps them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class User:
    """A person who can sign in; ``email`` is stored normalised (lower case)."""

    id: int
    email: str
    is_admin: bool
    created_at: dt.datetime
    last_sign_in_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class SignInToken:
    """A mailed sign-in link, known to the store only by the hash of its secret."""

    token_hash: str
    email: str
    created_at: dt.datetime
    expires_at: dt.datetime
    next_path: str = "/"
    used_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser; the cookie holds the secret, the store its hash."""

    token_hash: str
    user_id: int
    created_at: dt.datetime
    expires_at: dt.datetime
    last_seen_at: dt.datetime
