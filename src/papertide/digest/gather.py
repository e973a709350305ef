"""Gathering what an issue's digests are composed from: once per issue, shared.

Everything here reads (the store, the keyword index, the trending board) so
that composition itself stays pure. Work is shared between subscribers: the
new papers, their trending scores, each category's list and each distinct
saved search are fetched once per issue however many people ask for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from papertide.digest.compose import (
    TRENDING_DEPTH,
    DigestInputs,
    new_by_category,
    rank_new_papers,
)
from papertide.digest.models import DigestPeriod, SearchMatches
from papertide.exceptions import InvalidQueryError
from papertide.follows.models import FollowedPaper, PaperEvent
from papertide.models import Paper
from papertide.ranking.board import TrendingBoard
from papertide.ranking.trending import WINDOW_SPANS
from papertide.search.base import KeywordIndex
from papertide.search.query import ParsedQuery, parse_query
from papertide.store.base import Store
from papertide.subscriptions.models import Subscriber

# More new papers than this in one window is not a digest any more.
MAX_NEW_PAPERS = 50_000


Readers = Mapping[int, int]
"""Subscriber id -> the id of the reader (account) with the same address, for those who
have one: personal picks and follows both need it, so it is looked up once per issue."""


class PicksSource(Protocol):
    """Where personal picks come from: the recommendations feature plugs in here."""

    def picks(self, subscribers: Sequence[Subscriber], readers: Readers, period: DigestPeriod
              ) -> Mapping[int, Sequence[str]]: ...


class FollowsSource(Protocol):
    """Papers by followed authors and updates to saved papers (``papertide.follows``)."""

    def sections(self, readers: Readers, new_papers: Sequence[Paper]
                 ) -> tuple[dict[int, list[FollowedPaper]], dict[int, list[PaperEvent]]]: ...


class NoPicks:
    """Nobody has picks (the section stays out)."""

    def picks(self, subscribers: Sequence[Subscriber], readers: Readers, period: DigestPeriod
              ) -> Mapping[int, Sequence[str]]:
        return {}


def readers_of(store: Store, subscribers: Sequence[Subscriber]) -> dict[int, int]:
    """Pair subscribers with readers by address (see :data:`Readers`)."""
    users = store.users_by_email([subscriber.email for subscriber in subscribers])
    return {subscriber.id: users[subscriber.email].id for subscriber in subscribers
            if subscriber.email in users}


def alert_query(text: str, period: DigestPeriod) -> ParsedQuery:
    """A saved search as an alert: every word required, only papers new in the window.

    On the search page words are alternatives ranked by relevance; an alert
    that mailed every paper with "model" in it would be noise, so "model
    merging" means papers with both words (quotes still mean a phrase).
    """
    query = parse_query(text)
    query = replace(query, required_words=query.required_words + query.words, words=())
    return query.with_filters(date_from=period.first_day, date_to=period.last_day)


class IssueGatherer:
    """Builds the :class:`DigestInputs` of one issue."""

    def __init__(self, store: Store, keyword_index: KeywordIndex, board: TrendingBoard,
                 picks: PicksSource, period: DigestPeriod,
                 follows: FollowsSource | None = None) -> None:
        self.store = store
        self.keyword_index = keyword_index
        self.board = board
        self.picks_source = picks
        self.period = period
        self.follows = follows

    def inputs(self, subscribers: Sequence[Subscriber]) -> DigestInputs:
        store = self.store
        period = self.period
        listing = store.list_announced(period.first_day,
                                       period.last_day + dt.timedelta(days=1), MAX_NEW_PAPERS)
        papers: dict[str, Paper] = {paper.arxiv_id: paper for paper in listing.papers}
        trending, scores = self._trending()
        readers = readers_of(store, subscribers)
        picks = self.picks_source.picks(subscribers, readers, period)
        followed, updates = (self.follows.sections(readers, listing.papers)
                             if self.follows is not None else ({}, {}))
        wanted = [arxiv_id for arxiv_id in trending if arxiv_id not in papers]
        wanted += [event.arxiv_id for events in updates.values() for event in events
                   if event.arxiv_id not in papers]
        wanted += [arxiv_id for ids in picks.values() for arxiv_id in ids
                   if arxiv_id not in papers]
        discussed = dict(store.most_discussed(period.as_of - WINDOW_SPANS[period.window],
                                              period.as_of, TRENDING_DEPTH))
        wanted += [arxiv_id for arxiv_id in discussed if arxiv_id not in papers]
        searches = self._searches(text for subscriber in subscribers
                                  for text in subscriber.preferences.searches)
        wanted += [arxiv_id for matches in searches.values() for arxiv_id in matches.arxiv_ids
                   if arxiv_id not in papers]
        if wanted:
            papers.update(store.get_papers(list(dict.fromkeys(wanted))))
        ranked = rank_new_papers(listing.papers, scores)
        categories = (category for subscriber in subscribers
                      for category in subscriber.preferences.categories)
        return DigestInputs(
            period=period,
            papers=papers,
            trending=tuple(arxiv_id for arxiv_id in trending if arxiv_id in papers),
            scores=scores,
            new_by_category=new_by_category(ranked, papers, categories),
            searches={text: SearchMatches(tuple(i for i in found.arxiv_ids if i in papers),
                                          found.total, found.invalid)
                      for text, found in searches.items()},
            picks=picks,
            followed=followed,
            updates=updates,
            discussed={arxiv_id: count for arxiv_id, count in discussed.items()
                       if arxiv_id in papers},
        )

    def _trending(self) -> tuple[list[str], dict[str, float]]:
        """The issue's trending list, best first, or nothing when nothing moved lately."""
        window = self.period.window
        ranking = self.board.compute_window(window, self.period.as_of)
        if ranking.as_of < self.period.as_of - WINDOW_SPANS[window]:
            return [], {}
        entries = ranking.entries
        return ([entry.arxiv_id for entry in entries[:TRENDING_DEPTH]],
                {entry.arxiv_id: entry.score for entry in entries})

    def _searches(self, texts: Iterable[str]) -> dict[str, SearchMatches]:
        found: dict[str, SearchMatches] = {}
        index = self.keyword_index
        for text in dict.fromkeys(texts):
            try:
                hits = index.search(alert_query(text, self.period), TRENDING_DEPTH, 0,
                                    "relevance")
            except InvalidQueryError as error:
                found[text] = SearchMatches((), 0, f"This search cannot run: {error}")
                continue
            found[text] = SearchMatches(tuple(hit.arxiv_id for hit in hits.hits), hits.total)
        return found
