"""Gathering what the trending score needs from the store, in bulk."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping

from papertide.models import Observation
from papertide.ranking.trending import SCORED_SIGNALS, PaperSignals, unix
from papertide.store.base import Store

DAY = dt.timedelta(days=1)


def window_signals(
    store: Store, since: dt.datetime, until: dt.datetime, clamp_at: dt.datetime | None = None
) -> list[PaperSignals]:
    """Every paper with an event in ``(since, until]``: announced, upvoted, discussed or
    observed.

    With ``clamp_at``, events after it count as if they happened then (a list
    anchored at the latest announcement of a database that stopped collecting).
    """
    announced: dict[str, dt.date | None] = dict(
        store.announced_between(since.date(), until.date() + DAY))
    until_s = unix(until)
    votes: defaultdict[str, list[float]] = defaultdict(list)
    clamp_s = unix(clamp_at) if clamp_at is not None else until_s
    for arxiv_id, voted_at in store.vote_times_since(since):
        if voted_at <= until_s:
            votes[arxiv_id].append(min(float(voted_at), clamp_s))
    comments: defaultdict[str, list[float]] = defaultdict(list)
    for arxiv_id, posted_at in store.comment_times_since(since):
        if posted_at <= until_s:
            comments[arxiv_id].append(min(posted_at, clamp_s))
    external = _points(store.signal_history_since(since, SCORED_SIGNALS), until_s, clamp_s)
    others = [arxiv_id for arxiv_id in (*votes, *comments, *external)
              if arxiv_id not in announced]
    announced.update(store.announced_dates(list(dict.fromkeys(others))))
    return [
        PaperSignals(arxiv_id, day, votes.get(arxiv_id, ()), external.get(arxiv_id, {}),
                     comments.get(arxiv_id, ()))
        for arxiv_id, day in announced.items()
    ]


def papers_signals(
    store: Store, announced: Mapping[str, dt.date | None], since: dt.datetime
) -> list[PaperSignals]:
    """The signals of the given papers (``arxiv_id -> announced date``) after ``since``."""
    ids = list(announced)
    votes = store.vote_times_for(ids)
    comments = store.comment_times_for(ids)
    wanted = set(ids)
    external = _points(
        [o for o in store.signal_history_since(since, SCORED_SIGNALS) if o.arxiv_id in wanted],
        None,
    )
    return [
        PaperSignals(arxiv_id, day, [float(t) for t in votes.get(arxiv_id, ())],
                     external.get(arxiv_id, {}), comments.get(arxiv_id, ()))
        for arxiv_id, day in announced.items()
    ]


def paper_signals(store: Store, arxiv_id: str, clamp_at: dt.datetime | None = None,
                  signals: Collection[str] = SCORED_SIGNALS) -> PaperSignals:
    """One paper's whole history (for updating a cached list after a vote)."""
    day = store.announced_dates([arxiv_id]).get(arxiv_id)
    clamp_s = unix(clamp_at) if clamp_at is not None else None
    votes = store.vote_times_for([arxiv_id]).get(arxiv_id, [])
    observations = [o for o in store.observations_for(arxiv_id) if o.signal in signals]
    external = _points(observations, None, clamp_s).get(arxiv_id, {})
    times = [float(t) if clamp_s is None else min(float(t), clamp_s) for t in votes]
    comments = [t if clamp_s is None else min(t, clamp_s)
                for t in store.comment_times_for([arxiv_id]).get(arxiv_id, [])]
    return PaperSignals(arxiv_id, day, times, external, comments)


def _points(
    observations: list[Observation], until_s: float | None, clamp_s: float | None = None
) -> dict[str, dict[str, list[tuple[float, float]]]]:
    points: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for observation in observations:
        if observation.value_number is None:
            continue
        moment = unix(observation.observed_at)
        if until_s is not None and moment > until_s:
            continue
        if clamp_s is not None:
            moment = min(moment, clamp_s)
        (points.setdefault(observation.arxiv_id, {})
         .setdefault(observation.signal, [])
         .append((moment, float(observation.value_number))))
    for by_signal in points.values():
        for series in by_signal.values():
            series.sort()
    return points
