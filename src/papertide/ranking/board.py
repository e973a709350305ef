"""Trending lists kept ready, so that /trending never scores papers per request.

Each list (the day, week and month windows; a day, week or month page sorted
by trending) is computed from the store once and served for
``trending_refresh_seconds``; a stale list keeps being served while one
thread recomputes it. A vote cast through this process updates the cached
lists at once (one paper rescored and moved), so people see their own
votes count; votes cast elsewhere show up at the next refresh.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from papertide.periods import Period
from papertide.ranking.inputs import paper_signals, papers_signals, window_signals
from papertide.ranking.trending import (
    SCORED_SIGNALS,
    WINDOW_SPANS,
    Scored,
    TrendingParams,
    WindowName,
    in_trending_order,
    rank,
    trending_score,
    unix,
)
from papertide.store.base import Store

PERIOD_CACHE_SIZE = 64
# Periods are ranked without decay: a half-life far longer than anything shown.
NO_DECAY = dt.timedelta(days=365_000)


@dataclass(frozen=True, slots=True)
class Ranking:
    """One computed list: papers best first, scored as of ``as_of``."""

    as_of: dt.datetime
    params: TrendingParams
    entries: tuple[Scored, ...]
    computed_at: float = 0.0
    anchored: bool = False
    positions: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def total(self) -> int:
        return len(self.entries)

    def slice(self, offset: int, limit: int) -> tuple[Scored, ...]:
        return self.entries[offset:offset + limit]

    def rank_of(self, arxiv_id: str) -> int | None:
        position = self.positions.get(arxiv_id)
        return None if position is None else position + 1


def _ranking(as_of: dt.datetime, params: TrendingParams, entries: list[Scored],
             computed_at: float, anchored: bool = False) -> Ranking:
    return Ranking(as_of, params, tuple(entries), computed_at, anchored,
                   {entry.arxiv_id: i for i, entry in enumerate(entries)})


class TrendingBoard:
    """The cached trending lists of one store."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], dt.datetime],
        half_lives: dict[WindowName, dt.timedelta],
        refresh_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.clock = clock
        self.half_lives = half_lives
        self.refresh_seconds = refresh_seconds
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._rankings: OrderedDict[str, Ranking] = OrderedDict()
        self._key_locks: dict[str, threading.Lock] = {}

    # -- reading ------------------------------------------------------------------------

    def window(self, name: WindowName) -> Ranking:
        """Trending now over the last day, week or month."""
        return self._cached(f"window:{name}", lambda: self.compute_window(name, self.clock()))

    def period(self, period: Period) -> Ranking:
        """The papers announced in ``period``, in trending order."""
        return self._cached(f"period:{period.kind}:{period.slug}",
                            lambda: self.compute_period(period, self.clock()))

    def _cached(self, key: str, compute: Callable[[], Ranking]) -> Ranking:
        with self._lock:
            current = self._rankings.get(key)
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        if current is not None and not self._stale(current):
            return current
        # Someone else is recomputing: serve what we have rather than wait.
        if current is not None and not key_lock.acquire(blocking=False):
            return current
        if current is None:
            key_lock.acquire()
        try:
            with self._lock:
                latest = self._rankings.get(key)
            if latest is not None and not self._stale(latest):
                return latest
            fresh = compute()
            with self._lock:
                self._rankings[key] = fresh
                self._rankings.move_to_end(key)
                periods = [k for k in self._rankings if k.startswith("period:")]
                for old in periods[:-PERIOD_CACHE_SIZE]:
                    del self._rankings[old]
            return fresh
        finally:
            key_lock.release()

    def _stale(self, ranking: Ranking) -> bool:
        return self.monotonic() - ranking.computed_at >= self.refresh_seconds

    def invalidate(self) -> None:
        with self._lock:
            self._rankings.clear()

    # -- computing ----------------------------------------------------------------------

    def compute_window(self, name: WindowName, now: dt.datetime) -> Ranking:
        """Score every paper with an event in the window ending now.

        When nothing was announced or observed within the window (a database that
        stopped collecting, like the bundled sample), the window ends at the latest
        announcement or outside observation instead, and later votes count as if
        cast then: the list shows the last days that had papers, ordered by what
        people did since.
        """
        span = WINDOW_SPANS[name]
        as_of, anchored = now, False
        latest = self.store.latest_announced_date()
        if latest is not None:
            last_event = dt.datetime.combine(latest, dt.time(), dt.UTC)
            observed = self.store.latest_observation_at(SCORED_SIGNALS)
            if observed is not None and last_event < observed <= now:
                last_event = observed
            if last_event <= now - span:
                as_of, anchored = last_event, True
        params = TrendingParams(as_of - span, self.half_lives[name])
        signals = window_signals(self.store, params.since, now, as_of if anchored else None)
        entries = rank(signals, as_of, params)
        return _ranking(as_of, params, entries, self.monotonic(), anchored)

    def compute_period(self, period: Period, now: dt.datetime) -> Ranking:
        """Papers of a period by everything they gathered since it began, without decay.

        A past day's page keeps its order instead of fading: upvotes cast here
        and outside counts gained since the period began all count in full;
        papers with none keep their date order.
        """
        start = dt.datetime.combine(period.start, dt.time(), dt.UTC)
        params = TrendingParams(start - dt.timedelta(microseconds=1), NO_DECAY)
        announced: dict[str, dt.date | None] = dict(
            self.store.announced_between(period.start, period.end))
        entries = rank(papers_signals(self.store, announced, params.since), now, params)
        ranked = {entry.arxiv_id for entry in entries}
        missing = [Scored(arxiv_id, 0.0, day) for arxiv_id, day in announced.items()
                   if arxiv_id not in ranked]
        return _ranking(now, params, [*entries, *in_trending_order(missing)], self.monotonic())

    # -- votes --------------------------------------------------------------------------

    def paper_changed(self, arxiv_id: str) -> None:
        """Rescore one paper in the cached lists (after a vote through this process)."""
        now = self.clock()
        live = paper_signals(self.store, arxiv_id)
        with self._lock:
            rankings = list(self._rankings.items())
        for key, ranking in rankings:
            if key.startswith("period:"):
                if arxiv_id in ranking.positions:
                    with self._lock:
                        self._rankings.pop(key, None)
                continue
            if ranking.anchored:
                signals = paper_signals(self.store, arxiv_id, clamp_at=ranking.as_of)
                score = trending_score(signals, ranking.as_of, ranking.params)
            else:
                score = trending_score(live, now, ranking.params) * _growth(ranking, now)
            updated = _rescored(ranking, arxiv_id, score, live.announced_date)
            with self._lock:
                if self._rankings.get(key) is ranking:
                    self._rankings[key] = updated


def _growth(ranking: Ranking, now: dt.datetime) -> float:
    """The factor that brings a score at ``now`` back to the list's ``as_of``."""
    seconds = unix(now) - unix(ranking.as_of)
    return float(2.0 ** (seconds / ranking.params.half_life.total_seconds()))


def _rescored(ranking: Ranking, arxiv_id: str, score: float,
              announced: dt.date | None) -> Ranking:
    entries = [entry for entry in ranking.entries if entry.arxiv_id != arxiv_id]
    if score > 0:
        entry = Scored(arxiv_id, score, announced)
        keys = [_key(other) for other in entries]
        entries.insert(bisect.bisect_left(keys, _key(entry)), entry)
    return replace(ranking, entries=tuple(entries),
                   positions={e.arxiv_id: i for i, e in enumerate(entries)})


def _key(entry: Scored) -> tuple[float, int, tuple[int, ...]]:
    ordinal = entry.announced_date.toordinal() if entry.announced_date else 0
    return (-entry.score, -ordinal, tuple(-ord(char) for char in entry.arxiv_id))
