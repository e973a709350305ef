"""Storage of what recommendations learn from besides votes and the library."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from papertide.recommend.models import InterestFilters
from papertide.store.vectors import Vector


class RecommendStore(Protocol):
    """"Not interested" marks, per-person filters, and lookups for library import."""

    def mark_not_interested(self, user_id: int, arxiv_id: str, now: dt.datetime) -> bool:
        """Record the mark; False if it was there already."""
        ...

    def unmark_not_interested(self, user_id: int, arxiv_id: str) -> bool: ...

    def not_interested_ids(self, user_id: int) -> list[str]: ...

    def voted_ids(self, user_id: int) -> list[str]:
        """Every paper this person upvoted."""
        ...

    def saved_ids(self, user_id: int) -> list[str]:
        """Every paper in this person's library."""
        ...

    def interest_filters(self, user_id: int) -> InterestFilters: ...

    def set_interest_filters(self, user_id: int, filters: InterestFilters,
                             now: dt.datetime) -> None: ...

    def profile_stamp(self, user_id: int) -> str:
        """Changes whenever anything a profile is made of changes (cache key)."""
        ...

    def papers_by_doi(self, dois: Sequence[str]) -> dict[str, str]:
        """Lower-cased DOI to arXiv id, for the DOIs the store knows."""
        ...

    def vectors_for(self, arxiv_ids: Sequence[str], model: str) -> dict[str, Vector]: ...
