"""Rising topics as computed and stored: one run holds the ranked topics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topic:
    """A keyphrase that is rising, with its weekly volume.

    ``weekly_papers[i]`` counts the papers of week ``i`` of the run (weeks
    start on ``TopicRun.first_week``) that mention the phrase.
    """

    slug: str
    phrase: str
    rank: int
    score: float
    recent_papers: int
    baseline_papers: int
    recent_share: float
    baseline_share: float
    weekly_papers: tuple[int, ...]

    @property
    def growth(self) -> float | None:
        """How many times its share grew (``None`` when it had no baseline at all)."""
        if self.baseline_share <= 0:
            return None
        return self.recent_share / self.baseline_share


@dataclass(frozen=True, slots=True)
class TopicRun:
    """One computation of rising topics over the papers of a span of weeks."""

    computed_at: dt.datetime
    as_of: dt.date
    first_week: dt.date
    recent_weeks: int
    baseline_weeks: int
    weekly_totals: tuple[int, ...]
    papers_considered: int
    change_seq: int
    topics: tuple[Topic, ...]

    @property
    def weeks(self) -> tuple[dt.date, ...]:
        return tuple(self.first_week + dt.timedelta(weeks=i)
                     for i in range(len(self.weekly_totals)))

    @property
    def recent_start(self) -> dt.date:
        return self.first_week + dt.timedelta(weeks=len(self.weekly_totals) - self.recent_weeks)
