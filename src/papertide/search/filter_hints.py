"""Why a filtered search found nothing: which filter emptied it, and what is left without it.

Only asked when a search with filters has no results, so it costs nothing on
searches that find papers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from papertide.search.query import FilterKind, ParsedQuery


@dataclass(frozen=True, slots=True)
class FilterHint:
    """One filter of an empty search and how many papers match without it."""

    kind: FilterKind
    label: str
    matching_without: int


def explain_empty(
    query: ParsedQuery, count: Callable[[ParsedQuery], int]
) -> tuple[FilterHint, ...]:
    """A hint for each filter whose removal alone brings results back.

    ``count`` answers how many papers a query matches. When no single filter is
    to blame (two filters each leave nothing), every filter is listed with the
    count without it, so the page can still offer each way out.
    """
    hints = [FilterHint(kind, query.describe_filter(kind), count(query.without_filter(kind)))
             for kind in query.filter_kinds()]
    to_blame = [hint for hint in hints if hint.matching_without]
    return tuple(to_blame or hints)
