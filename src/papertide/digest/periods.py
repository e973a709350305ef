"""Which issue is due: the daily or weekly digest of a moment, and its window.

An issue is named by the local date (daily) or ISO week (weekly) of its
scheduled time, so running the job twice, or by hand after the scheduler,
finds the same issue, and the outbox's unique key turns the second run into
a no-op. Pure functions: ``now`` is passed in.
"""

from __future__ import annotations

import datetime as dt

from papertide.cron import CronSchedule, parse_schedule
from papertide.digest.models import DigestKind, DigestPeriod
from papertide.exceptions import InvalidInputError
from papertide.settings import Settings

NEW_DAYS: dict[DigestKind, int] = {"daily": 1, "weekly": 7}
LOOK_BACK = dt.timedelta(days=8)


def digest_schedule(kind: DigestKind, settings: Settings) -> CronSchedule:
    """The cron line of an issue kind from ``digest_hour`` and ``digest_weekly_day``."""
    weekday = settings.digest_weekly_day.strip().lower()[:3]
    line = f"0 {settings.digest_hour} * * {'*' if kind == 'daily' else weekday}"
    schedule = parse_schedule(line, settings.schedule_timezone, f"digest ({kind})")
    assert schedule is not None
    return schedule


def latest_occurrence(schedule: CronSchedule, now: dt.datetime) -> dt.datetime:
    """The last scheduled time at or before ``now`` (the first one after the look-back
    if none fell inside it, which a daily or weekly schedule cannot do)."""
    latest = schedule.latest_at_or_before(now, LOOK_BACK)
    return latest if latest is not None else schedule.next_after(now - LOOK_BACK)


def period_of(kind: DigestKind, scheduled: dt.datetime, as_of: dt.datetime,
              schedule: CronSchedule) -> DigestPeriod:
    """The issue scheduled at ``scheduled``, composed at ``as_of``."""
    local_day = scheduled.astimezone(schedule.timezone).date()
    as_of_day = max(as_of.astimezone(schedule.timezone).date(), local_day)
    if kind == "daily":
        key = local_day.isoformat()
    else:
        year, week, _ = local_day.isocalendar()
        key = f"{year}-W{week:02d}"
    return DigestPeriod(kind, key, local_day - dt.timedelta(days=NEW_DAYS[kind]), as_of_day,
                        as_of)


def due_period(kind: DigestKind, settings: Settings, now: dt.datetime) -> DigestPeriod:
    """The issue whose time came last (what `digest send` and the scheduler send)."""
    schedule = digest_schedule(kind, settings)
    return period_of(kind, latest_occurrence(schedule, now), now, schedule)


def next_period(kind: DigestKind, settings: Settings, now: dt.datetime) -> DigestPeriod:
    """The issue to come, as it would look with what is known now (for previews)."""
    schedule = digest_schedule(kind, settings)
    return period_of(kind, schedule.next_after(now), now, schedule)


def period_for_day(kind: DigestKind, settings: Settings, day: dt.date,
                   now: dt.datetime) -> DigestPeriod:
    """The issue of a given day (`digest send --date`), composed now."""
    schedule = digest_schedule(kind, settings)
    end_of_day = dt.datetime.combine(day, dt.time(23, 59, 59), schedule.timezone)
    scheduled = latest_occurrence(schedule, end_of_day.astimezone(dt.UTC))
    if scheduled > now:
        raise InvalidInputError(f"the {kind} digest of {day} is not due yet "
                                f"(it goes out {scheduled:%Y-%m-%d %H:%M} UTC)")
    return period_of(kind, scheduled, min(now, end_of_day.astimezone(dt.UTC)), schedule)
