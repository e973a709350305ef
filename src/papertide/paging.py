"""Page bounds shared by every listing (papers, search, trending, library)."""

from __future__ import annotations

from papertide.exceptions import InvalidQueryError

MAX_PAGE_SIZE = 200
MAX_OFFSET = 10_000


def page_bounds(page: int, page_size: int | None, default_size: int) -> tuple[int, int]:
    """``(limit, offset)`` of a 1-based page; deep pages are refused, not served slowly."""
    limit = min(max(page_size or default_size, 1), MAX_PAGE_SIZE)
    offset = (max(page, 1) - 1) * limit
    if offset > MAX_OFFSET:
        raise InvalidQueryError(f"pages beyond result {MAX_OFFSET:,} are not served")
    return limit, offset
