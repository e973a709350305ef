"""Storage of people, sign-in links, sessions and rate-limit hits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from papertide.accounts.models import Session, SignInToken, User


class AccountStore(Protocol):
    """The part of the store that accounts need (every engine implements it)."""

    def add_user(self, email: str, is_admin: bool, now: dt.datetime) -> User:
        """Create a user; StorageError if the (normalised) address exists."""
        ...

    def get_user(self, user_id: int) -> User | None: ...

    def user_by_email(self, email: str) -> User | None: ...

    def users_by_email(self, emails: Sequence[str]) -> dict[str, User]:
        """The users with these addresses, by address (unknown addresses are left out);
        one read for many, as a digest pairs its subscribers with readers."""
        ...

    def list_users(self) -> list[User]: ...

    def set_admin(self, user_id: int, is_admin: bool) -> None: ...

    def delete_user(self, user_id: int) -> bool:
        """Remove a user with their sessions, votes, library and comments; False if unknown.

        A comment others replied to stays as a "[deleted]" placeholder with no
        author and no text, so the replies keep their place.
        """
        ...

    def add_sign_in_token(self, token: SignInToken) -> None: ...

    def use_sign_in_token(self, token_hash: str, now: dt.datetime) -> SignInToken | None:
        """Mark an unused, unexpired token used and return it; ``None`` otherwise.

        Atomic: of two concurrent uses of one token, exactly one succeeds.
        """
        ...

    def get_sign_in_token(self, token_hash: str) -> SignInToken | None: ...

    def add_session(self, session: Session) -> None: ...

    def get_session(self, token_hash: str) -> Session | None: ...

    def touch_session(self, token_hash: str, last_seen_at: dt.datetime) -> None: ...

    def delete_session(self, token_hash: str) -> None: ...

    def sessions_of(self, user_id: int, now: dt.datetime) -> list[Session]:
        """The user's unexpired sessions, most recently seen first."""
        ...

    def delete_other_sessions(self, user_id: int, keep_hash: str) -> int:
        """End every session of the user but ``keep_hash``; returns how many ended."""
        ...

    def record_sign_in(self, user_id: int, now: dt.datetime) -> None: ...

    def hit_rate_limit(
        self, buckets: dict[str, int], window_seconds: int, now: dt.datetime
    ) -> str | None:
        """Count one hit in each bucket unless one is full (``limit`` hits in the window).

        Returns the first full bucket (and counts nothing), or ``None`` after
        counting. Atomic across processes, so the limits hold for several workers.
        """
        ...

    def seconds_until_free(self, bucket: str, limit: int, window_seconds: int,
                           now: dt.datetime) -> int:
        """How long until ``bucket`` has room for one more hit."""
        ...

    def purge_expired(self, now: dt.datetime, rate_window_seconds: int) -> int:
        """Drop expired tokens and sessions and old rate-limit hits; returns rows removed."""
        ...
