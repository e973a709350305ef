"""Cron lines for every schedule (ingestion, digests, jobs) in one time zone: parse, next run.

The five usual fields: minute, hour, day of month, month, day of week
(``0``/``7`` or ``sun`` is Sunday). Each is ``*``, a number or name, a range
``a-b``, a step ``*/n`` or ``a-b/n``, or a comma list of those. As in cron, when
both day fields are restricted a day matching either one counts. ``off`` (or
an empty line) disables a schedule. Pure functions of their inputs: ``now`` is
always passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from papertide.exceptions import ConfigError

DISABLED = frozenset({"", "off", "never", "none", "disabled"})
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (name, lowest, highest, names mapped to numbers)
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {name: number for number, name in enumerate(_MONTHS, start=1)}),
    ("day of week", 0, 7, {name: number for number, name in enumerate(_WEEKDAYS)}),
)
# Far enough for any valid line (Feb 29 on a given weekday recurs within 28 years).
_SEARCH_DAYS = 366 * 30


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """When a job runs; ``next_after`` answers in UTC."""

    text: str
    timezone: ZoneInfo
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first run strictly after ``moment`` (aware), as an aware UTC time."""
        local = moment.astimezone(self.timezone).replace(tzinfo=None)
        day = local.date()
        for _ in range(_SEARCH_DAYS):
            if self.runs_on(day):
                for hour in self.hours:
                    for minute in self.minutes:
                        wall = dt.datetime.combine(day, dt.time(hour, minute))
                        found = wall.replace(tzinfo=self.timezone).astimezone(dt.UTC)
                        if found > moment:
                            return found
            day += dt.timedelta(days=1)
        raise ConfigError(f"the schedule {self.text!r} never runs")

    def latest_at_or_before(
        self, moment: dt.datetime, look_back: dt.timedelta
    ) -> dt.datetime | None:
        """The last run at or before ``moment`` and after ``moment - look_back``, in UTC."""
        found = self.next_after(moment - look_back)
        latest = None
        while found <= moment:
            latest = found
            found = self.next_after(found)
        return latest

    def runs_on(self, day: dt.date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_month or in_week
        return in_month and in_week


def parse_schedule(text: str, timezone: str, setting: str = "schedule") -> CronSchedule | None:
    """A schedule, or None when ``text`` disables it; ConfigError names the setting."""
    if text.strip().lower() in DISABLED:
        return None
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"schedule_timezone: {timezone!r} is not a time zone "
                          "(like America/New_York or UTC)") from None
    parts = text.split()
    if len(parts) != 5:
        raise ConfigError(f"{setting}: {text!r} is not a cron line "
                          "(five fields: minute hour day month weekday, e.g. '30 0 * * mon-fri')")
    values = [_field(part, spec, setting) for part, spec in zip(parts, _FIELDS, strict=True)]
    weekdays = frozenset(day % 7 for day in values[4])
    return CronSchedule(
        text=text.strip(),
        timezone=zone,
        minutes=tuple(sorted(values[0])),
        hours=tuple(sorted(values[1])),
        days=frozenset(values[2]),
        months=frozenset(values[3]),
        weekdays=weekdays,
        days_restricted=parts[2] != "*",
        weekdays_restricted=parts[4] != "*",
    )


def _field(text: str, spec: tuple[str, int, int, dict[str, int]], setting: str) -> set[int]:
    name, low, high, names = spec
    chosen: set[int] = set()
    for item in text.lower().split(","):
        span, _, step_text = item.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if span == "*":
                first, last = low, high
            elif "-" in span:
                start, end = span.split("-", 1)
                first, last = _number(start, names), _number(end, names)
            else:
                first = last = _number(span, names)
                if step_text:
                    last = high
        except ValueError:
            raise ConfigError(f"{setting}: {item!r} is not a valid {name}") from None
        if step < 1 or not low <= first <= last <= high:
            raise ConfigError(f"{setting}: {item!r} is out of range for the {name} "
                              f"({low}-{high})")
        chosen.update(range(first, last + 1, step))
    return chosen


def _number(text: str, names: dict[str, int]) -> int:
    if text in names:
        return names[text]
    return int(text)
