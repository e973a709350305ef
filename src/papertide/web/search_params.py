"""The search parameters shared by the search page, its feed and the API.

``q`` is the text typed into the box (its syntax is read by
``papertide.search.query``); ``from``/``to``/``cat``/``author`` are the
filter fields beside it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Query

from papertide.app import SearchFilters
from papertide.exceptions import InvalidPeriodError
from papertide.search.base import SortOrder
from papertide.search.hybrid import SearchMode
from papertide.search.query import FilterKind, drop_filter_text, parse_date_bound

_LIST_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True)
class SearchParams:
    text: str | None
    sort: SortOrder | None
    mode: SearchMode | None
    date_from: str
    date_to: str
    categories: tuple[str, ...]
    authors: tuple[str, ...]

    @property
    def has_filters(self) -> bool:
        return bool(self.date_from or self.date_to or self.categories or self.authors)

    @property
    def is_blank(self) -> bool:
        """Nothing was asked yet (a bare ``/search``), as opposed to an empty query."""
        return self.text is None and not self.has_filters

    def filters(self) -> SearchFilters:
        """The filter fields, checked; raises InvalidPeriodError naming the bad field."""
        return SearchFilters(
            authors=self.authors,
            categories=self.categories,
            date_from=_date_bound("from", self.date_from, upper=False),
            date_to=_date_bound("to", self.date_to, upper=True),
        )

    def with_text(self, text: str) -> SearchParams:
        """This search with other words typed (a suggested spelling)."""
        return replace(self, text=text)

    def without_filter(self, kind: FilterKind) -> SearchParams:
        """This search with one kind of filter gone, from the form fields and the text."""
        text = drop_filter_text(self.text, kind) if self.text else self.text
        if kind == "author":
            return replace(self, text=text, authors=())
        if kind == "cat":
            return replace(self, text=text, categories=())
        return replace(self, text=text, date_from="", date_to="")

    def link_params(
        self, sort: SortOrder | None = None, mode: SearchMode | None = None
    ) -> list[tuple[str, str]]:
        """Query parameters that reproduce this search (``sort``/``mode`` replaced if given)."""
        chosen = sort or self.sort
        chosen_mode = mode or self.mode
        params = [("q", self.text or ""), ("from", self.date_from), ("to", self.date_to)]
        params += [("cat", category) for category in self.categories]
        params += [("author", author) for author in self.authors]
        params.append(("sort", chosen if chosen and chosen != "relevance" else ""))
        params.append(("mode", chosen_mode or ""))
        return params


def _date_bound(name: str, value: str, upper: bool) -> dt.date | None:
    if not value:
        return None
    try:
        return parse_date_bound(value, upper=upper)
    except InvalidPeriodError as error:
        raise InvalidPeriodError(
            f"'{name}' must be a year, a month or a day (2025, 2025-03 or 2025-03-15): {error}"
        ) from None


def search_params(
    q: Annotated[str | None, Query(
        description="What to search for; see /about#search-syntax for phrases, "
                    "author:, cat:, from:, to:, -word and prefix*.",
    )] = None,
    sort: Annotated[SortOrder | None, Query(
        description="relevance (best matches first, the default) or date (newest first).",
    )] = None,
    mode: Annotated[SearchMode | None, Query(
        description="hybrid (keywords and meaning fused, the default), keyword (BM25) or "
                    "semantic (meaning only). The answer says which mode answered.",
    )] = None,
    date_from: Annotated[str, Query(
        alias="from", description="Announced on or after: YYYY, YYYY-MM or YYYY-MM-DD.",
    )] = "",
    date_to: Annotated[str, Query(
        alias="to", description="Announced on or before: YYYY, YYYY-MM or YYYY-MM-DD.",
    )] = "",
    cat: Annotated[list[str] | None, Query(
        description="arXiv category (cs.CL) or archive (cs); repeat or separate by commas "
                    "for any of several.",
    )] = None,
    author: Annotated[list[str] | None, Query(
        description="Author name or part of it; repeat (or separate by ;) for several, "
                    "all of whom must be authors.",
    )] = None,
) -> SearchParams:
    categories = [part for value in cat or () for part in _LIST_SEPARATORS.split(value) if part]
    authors = [part.strip() for value in author or () for part in value.split(";") if part.strip()]
    return SearchParams(
        text=q,
        sort=sort,
        mode=mode,
        date_from=date_from.strip(),
        date_to=date_to.strip(),
        categories=tuple(dict.fromkeys(categories)),
        authors=tuple(dict.fromkeys(authors)),
    )


SearchParamsDep = Annotated[SearchParams, Depends(search_params)]
