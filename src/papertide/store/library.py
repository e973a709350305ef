"""Storage of upvotes and of each person's library."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Protocol

from papertide.library.models import LibraryOrder, SavedPaper, TagCount


class VoteStore(Protocol):
    """Time-stamped upvotes: one per person and paper."""

    def add_vote(self, user_id: int, arxiv_id: str, now: dt.datetime) -> bool:
        """Record an upvote; False (and nothing changes) if it exists already."""
        ...

    def remove_vote(self, user_id: int, arxiv_id: str) -> bool: ...

    def vote_counts(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        """Upvotes per paper, for the papers that have any."""
        ...

    def voted_by(self, user_id: int, arxiv_ids: Sequence[str]) -> set[str]: ...

    def vote_times_since(self, since: dt.datetime) -> Iterator[tuple[str, int]]:
        """``(arxiv_id, unix seconds)`` of every upvote cast after ``since``."""
        ...

    def vote_times_for(self, arxiv_ids: Sequence[str]) -> dict[str, list[int]]:
        """Every upvote time (unix seconds) of the given papers."""
        ...


class LibraryStore(Protocol):
    """Saved papers with tags, per person."""

    def save_paper(self, user_id: int, arxiv_id: str, tags: Sequence[str],
                   now: dt.datetime) -> SavedPaper:
        """Save (or re-tag) a paper; its first saving time is kept."""
        ...

    def unsave_paper(self, user_id: int, arxiv_id: str) -> bool: ...

    def saved_papers(self, user_id: int, tag: str | None, limit: int, offset: int,
                     text: str | None = None,
                     order: LibraryOrder = "saved") -> tuple[list[SavedPaper], int]:
        """One page of the library and the total: with ``text``, only papers whose title,
        authors or id contain it (case-insensitively); last saved first, or in ``order``."""
        ...

    def saved_by(self, user_id: int, arxiv_ids: Sequence[str]) -> dict[str, SavedPaper]: ...

    def library_tags(self, user_id: int) -> list[TagCount]: ...
