"""The trending score: a decayed sum of a paper's recent signals.

The formula, in words (the /about page says the same)::

    score(paper, now) = Σ  weight(e) · 2 ^ (−(now − time(e)) / half_life)
                        over the paper's events e with since < time(e) ≤ now

A paper's events are:

- its announcement, weight 1, at 00:00 UTC of its announced day (about when
  arXiv publishes): a new paper with no votes yet starts like one fresh vote,
  and one with no signals at all decays with age;
- each upvote cast here, weight 1, at the time it was cast;
- the *increase* of its Hugging Face upvote count between two observations,
  weight 1 per upvote, at the time of the later observation;
- the increase of its code repository's GitHub stars, weight 0.1 per star
  (ten stars count like one upvote);
- each comment or reply posted here that readers see, weight 0.5, at the
  time it was posted (two comments count like one upvote; hidden, deleted
  and suspended readers' comments count nothing).
- each time it was seen on the Hugging Face papers front page (a recorded
  snapshot of the page's order, ``hfFrontPage``: the value is the position),
  weight 1/position at the snapshot's time: a sighting at #1 counts like an
  upvote, at #2 like half of one, at #10 like a tenth (the page is ordered by
  upvotes, which fall steeply down the page). The bundled sample's popularity
  is this: no record of its upvote counts may be redistributed.

External counts are measured against the last observation made before the
window opened, so a paper's old fame does not count: only the change within
the window. When no observation precedes the window, the first one inside it
is the baseline — unless the paper was announced inside the window, in which
case everything it gathered is new. A count that drops (an un-star) adds
nothing, and it must climb back above its highest value before adding again.

The half-life depends on the list: hours for "today", days for "this week"
and "this month" (settings ``trending_half_life_*``). With one half-life for
all papers, time passing scales every score by the same factor, so the order
only changes when events arrive or leave the window. Ties (equal scores) are
broken by the newer announcement, then by the arXiv id, so the order is
stable whatever order the data came in.

A day, week or month page sorted by trending uses the same sum with no decay
(an endless half-life) over everything since the period began, so a past
day keeps its order (see ``board.TrendingBoard.compute_period``).

Everything here is pure: data in, ``now`` passed in, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from papertide.sources.hf_front_page import SIGNAL_FRONT_PAGE

WindowName = Literal["day", "week", "month"]
WINDOW_NAMES: tuple[WindowName, ...] = ("day", "week", "month")
WINDOW_SPANS: dict[WindowName, dt.timedelta] = {
    "day": dt.timedelta(days=1),
    "week": dt.timedelta(days=7),
    "month": dt.timedelta(days=30),
}
ANNOUNCEMENT_WEIGHT = 1.0
VOTE_WEIGHT = 1.0
COMMENT_WEIGHT = 0.5
# Outside signals: (observation signal name, weight per unit of increase).
EXTERNAL_WEIGHTS: dict[str, float] = {"upvotes": 1.0, "githubStars": 0.1}
# Sightings: each observation is an event of its own, weighted by the position it records.
FRONT_PAGE_SIGNAL = SIGNAL_FRONT_PAGE
FRONT_PAGE_WEIGHT = 1.0
SIGHTING_SIGNALS: tuple[str, ...] = (FRONT_PAGE_SIGNAL,)
SCORED_SIGNALS: tuple[str, ...] = (*EXTERNAL_WEIGHTS, *SIGHTING_SIGNALS)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class TrendingParams:
    """The window a score looks at: events after ``since``, decaying with ``half_life``."""

    since: dt.datetime
    half_life: dt.timedelta


@dataclass(frozen=True, slots=True)
class PaperSignals:
    """What the score of one paper is computed from.

    ``vote_times`` and ``comment_times`` are unix seconds; ``external`` maps an
    observation signal (``upvotes``, ``githubStars``, ``hfFrontPage``) to its
    ``(unix seconds, value)`` points.
    """

    arxiv_id: str
    announced_date: dt.date | None
    vote_times: Sequence[float] = ()
    external: Mapping[str, Sequence[tuple[float, float]]] = field(default_factory=dict)
    comment_times: Sequence[float] = ()


@dataclass(frozen=True, slots=True)
class Scored:
    arxiv_id: str
    score: float
    announced_date: dt.date | None


def in_trending_order(entries: Iterable[Scored]) -> list[Scored]:
    """Best score first; ties go to the newer announcement, then the later arXiv id."""
    ordered = sorted(entries, key=lambda entry: entry.arxiv_id, reverse=True)
    ordered.sort(key=lambda entry: (
        -entry.score, -(entry.announced_date.toordinal() if entry.announced_date else 0)))
    return ordered


def unix(moment: dt.datetime) -> float:
    return (moment - _EPOCH).total_seconds()


def announcement_time(day: dt.date) -> float:
    return unix(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))


def external_increments(
    points: Sequence[tuple[float, float]], since: float, announced_inside: bool
) -> list[tuple[float, float]]:
    """``(time, increase)`` of a count observed at ``points`` (sorted by time) after ``since``.

    The baseline is the last point at or before ``since``; without one, the
    first point after it (or zero when the paper was announced inside the window).
    """
    baseline: float | None = 0.0 if announced_inside else None
    increments: list[tuple[float, float]] = []
    for moment, value in points:
        if moment <= since:
            baseline = value if baseline is None else max(baseline, value)
            continue
        if baseline is None:
            baseline = value
            continue
        if value > baseline:
            increments.append((moment, value - baseline))
            baseline = value
    return increments


def sighting_weight(position: float) -> float:
    """What one front-page sighting at ``position`` (1 = top) adds, before decay."""
    return FRONT_PAGE_WEIGHT / position if position >= 1 else 0.0


def trending_score(signals: PaperSignals, now: dt.datetime, params: TrendingParams) -> float:
    """The score of one paper at ``now`` (see the module docstring for the formula)."""
    now_s = unix(now)
    since_s = unix(params.since)
    rate = 1.0 / params.half_life.total_seconds()
    total = 0.0
    announced_inside = False
    if signals.announced_date is not None:
        announced = announcement_time(signals.announced_date)
        if since_s < announced <= now_s:
            announced_inside = True
            total += ANNOUNCEMENT_WEIGHT * 2.0 ** ((announced - now_s) * rate)
    for event_weight, times in ((VOTE_WEIGHT, signals.vote_times),
                                (COMMENT_WEIGHT, signals.comment_times)):
        for moment in times:
            if since_s < moment <= now_s:
                total += event_weight * 2.0 ** ((moment - now_s) * rate)
    for signal, points in signals.external.items():
        if signal in SIGHTING_SIGNALS:
            total += sum(sighting_weight(position) * 2.0 ** ((moment - now_s) * rate)
                         for moment, position in points if since_s < moment <= now_s)
            continue
        weight = EXTERNAL_WEIGHTS.get(signal)
        if not weight:
            continue
        visible = [point for point in points if point[0] <= now_s]
        for moment, increase in external_increments(visible, since_s, announced_inside):
            total += weight * increase * 2.0 ** ((moment - now_s) * rate)
    return total


def rank(
    papers: Iterable[PaperSignals], now: dt.datetime, params: TrendingParams
) -> list[Scored]:
    """Papers with a positive score, best first, ties broken stably."""
    scored = (Scored(paper.arxiv_id, trending_score(paper, now, params), paper.announced_date)
              for paper in papers)
    return in_trending_order(entry for entry in scored if entry.score > 0)
