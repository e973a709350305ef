"""Storage of author follows, paper watches, paper events and private feed tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from papertide.follows.models import AuthorFollow, NewPaperEvent, PaperEvent


class FollowStore(Protocol):
    """Who follows whom, which saved papers are not watched, and what happened to papers.

    Paper events are written by ``upsert_papers`` and ``add_observations`` as
    they notice them; each is unique per (paper, key), so seeing the same
    version again stores nothing.
    """

    def follow_author(self, user_id: int, follow: AuthorFollow) -> None:
        """Follow (or re-pick the co-authors of) an author; idempotent."""
        ...

    def unfollow_author(self, user_id: int, author_key: str) -> bool: ...

    def author_follows(self, user_ids: Sequence[int]) -> dict[int, list[AuthorFollow]]:
        """Each given reader's follows, oldest first (readers without any are left out)."""
        ...

    def most_followed_authors(self, limit: int) -> list[tuple[str, str, int]]:
        """``(author_key, display name, followers)``, most followed first (for admins)."""
        ...

    def set_watching(self, user_id: int, arxiv_id: str, watching: bool) -> None:
        """Watch a saved paper again, or stop (saved papers are watched unless stopped)."""
        ...

    def unwatched_among(self, user_id: int, arxiv_ids: Sequence[str]) -> set[str]: ...

    def add_paper_events(self, events: Sequence[NewPaperEvent], now: dt.datetime) -> int:
        """Store events not seen before (by paper and key); returns how many were new."""
        ...

    def paper_events_for(self, arxiv_id: str) -> list[PaperEvent]:
        """Every event of one paper, oldest first."""
        ...

    def watched_events(self, user_id: int, limit: int) -> list[PaperEvent]:
        """Events on papers the reader saved (and still watches) since saving them, newest
        first."""
        ...

    def mailed_events(self, subscriber_id: int, event_ids: Sequence[int]) -> set[int]: ...

    def set_feed_token(self, user_id: int, token_hash: str | None, now: dt.datetime) -> None:
        """Replace the reader's private feed token (None: revoke it)."""
        ...

    def user_by_feed_token(self, token_hash: str) -> int | None: ...

    def has_feed_token(self, user_id: int) -> bool: ...
