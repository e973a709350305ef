"""Calendar periods the listings group by: a day, an ISO week, a month.

Pure functions over dates; the slugs are the ones in the URLs
(``2026-03-11``, ``2026-W11``, ``2026-03``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from papertide.exceptions import InvalidPeriodError

PeriodKind = Literal["date", "week", "month"]
_WEEK = re.compile(r"(\d{4})-W(\d{1,2})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# arXiv started in August 1991; nothing is announced before that.
EARLIEST_DATE = dt.date(1991, 8, 1)


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open range of announce dates ``[start, end)`` with its names."""

    kind: PeriodKind
    start: dt.date
    end: dt.date

    @property
    def slug(self) -> str:
        if self.kind == "date":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def heading(self) -> str:
        """Human heading: ``Mar 11``, ``Week 11, 2026``, ``March 2026``."""
        if self.kind == "date":
            return f"{self.start:%b} {self.start.day}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            last = self.end - dt.timedelta(days=1)
            return f"Week {week}, {year} ({self.start:%b} {self.start.day} – {last:%b} {last.day})"
        return f"{self.start:%B %Y}"

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` periods later (negative: earlier)."""
        if self.kind == "date":
            return day_period(self.start + dt.timedelta(days=steps))
        if self.kind == "week":
            return week_period(self.start + dt.timedelta(weeks=steps))
        month_index = self.start.year * 12 + self.start.month - 1 + steps
        return month_period(dt.date(month_index // 12, month_index % 12 + 1, 1))

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def day_period(day: dt.date) -> Period:
    return Period("date", day, day + dt.timedelta(days=1))


def week_period(day: dt.date) -> Period:
    monday = day - dt.timedelta(days=day.weekday())
    return Period("week", monday, monday + dt.timedelta(days=7))


def month_period(day: dt.date) -> Period:
    first = day.replace(day=1)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Period("month", first, following)


def parse_date(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date within arXiv's lifetime (plus a little future)."""
    if not _DAY.fullmatch(text.strip()):
        raise InvalidPeriodError(f"{text[:40]!r} is not a date (expected YYYY-MM-DD)")
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError as error:
        raise InvalidPeriodError(f"{text[:40]!r} is not a valid date: {error}") from None
    _check_range(day, text)
    return day


def parse_period(kind: str, text: str) -> Period:
    """Parse the slug of a period of the given kind, with a clear error."""
    text = text.strip()
    if kind == "date":
        return day_period(parse_date(text))
    if kind == "week":
        match = _WEEK.fullmatch(text)
        if not match:
            raise InvalidPeriodError(f"{text[:40]!r} is not an ISO week (expected e.g. 2026-W11)")
        try:
            monday = dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError as error:
            raise InvalidPeriodError(f"{text!r} is not a valid ISO week: {error}") from None
        _check_range(monday, text)
        return week_period(monday)
    if kind == "month":
        match = _MONTH.fullmatch(text)
        if not match:
            raise InvalidPeriodError(f"{text[:40]!r} is not a month (expected e.g. 2026-03)")
        try:
            first = dt.date(int(match.group(1)), int(match.group(2)), 1)
        except ValueError as error:
            raise InvalidPeriodError(f"{text!r} is not a valid month: {error}") from None
        _check_range(first, text)
        return month_period(first)
    raise InvalidPeriodError(f"unknown period kind {kind!r} (expected date, week or month)")


def _check_range(day: dt.date, text: str) -> None:
    if not dt.date(EARLIEST_DATE.year, 1, 1) <= day <= dt.date(2999, 12, 31):
        raise InvalidPeriodError(f"{text[:40]!r} is outside the range papertide knows")
