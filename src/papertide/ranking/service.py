"""Trending lists as pages of papers, for the web app, the API and the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from papertide.exceptions import InvalidInputError
from papertide.models import Paper, PaperPage
from papertide.periods import Period
from papertide.ranking.board import Ranking, TrendingBoard
from papertide.ranking.trending import WINDOW_NAMES, WindowName
from papertide.store.base import Store


@dataclass(frozen=True, slots=True)
class TrendingPage:
    """One page of a trending list, with each paper's score and rank."""

    window: WindowName | None
    period: Period | None
    as_of: dt.datetime
    live: bool
    page: PaperPage
    scores: dict[str, float]
    ranks: dict[str, int]


def parse_window(text: str | None, default: WindowName = "week") -> WindowName:
    if text is None or text == "":
        return default
    for name in WINDOW_NAMES:
        if text == name:
            return name
    raise InvalidInputError(f"window must be day, week or month, got {text[:20]!r}")


class Trending:
    """Pages of the cached trending lists."""

    def __init__(self, store: Store, board: TrendingBoard,
                 clock: Callable[[], dt.datetime]) -> None:
        self.store = store
        self.board = board
        self.clock = clock

    def window_page(self, window: WindowName, limit: int, offset: int) -> TrendingPage:
        ranking = self.board.window(window)
        return self._page(ranking, window, None, limit, offset)

    def period_page(self, period: Period, limit: int, offset: int) -> TrendingPage:
        ranking = self.board.period(period)
        return self._page(ranking, None, period, limit, offset)

    def _page(self, ranking: Ranking, window: WindowName | None, period: Period | None,
              limit: int, offset: int) -> TrendingPage:
        entries = ranking.slice(offset, limit)
        found = self.store.get_papers([entry.arxiv_id for entry in entries])
        papers: tuple[Paper, ...] = tuple(found[e.arxiv_id] for e in entries
                                          if e.arxiv_id in found)
        live = self.clock() - ranking.as_of < dt.timedelta(hours=1)
        return TrendingPage(
            window=window,
            period=period,
            as_of=ranking.as_of,
            live=live,
            page=PaperPage(papers, ranking.total, offset, limit),
            scores={entry.arxiv_id: entry.score for entry in entries},
            ranks={entry.arxiv_id: offset + i + 1 for i, entry in enumerate(entries)},
        )
