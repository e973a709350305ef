"""When arXiv announces a submission, by its published schedule.

arXiv closes a day's submissions at 14:00 US Eastern (Monday to Friday) and
mails that day's batch at 20:00 Eastern; the feed dated the following day
carries it. Friday's batch is mailed on Sunday evening, so it is in Monday's
feed; whatever arrives after Friday's cutoff or over the weekend waits for
Monday's cutoff and is in Tuesday's feed. 14:00 itself is already too late.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from papertide.sources.calendar import estimated_announce_date

NEW_YORK = ZoneInfo("America/New_York")


def eastern(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


# The week of Monday 2 March 2026 (Eastern Standard Time).
@pytest.mark.parametrize(
    ("submitted", "feed_day"),
    [
        (eastern(2026, 3, 2, 9), dt.date(2026, 3, 3)),  # Monday morning -> Tuesday
        (eastern(2026, 3, 2, 13, 59), dt.date(2026, 3, 3)),  # just before the cutoff
        (eastern(2026, 3, 2, 14, 0), dt.date(2026, 3, 4)),  # at the cutoff -> Wednesday
        (eastern(2026, 3, 3, 11), dt.date(2026, 3, 4)),  # Tuesday -> Wednesday
        (eastern(2026, 3, 4, 16), dt.date(2026, 3, 6)),  # Wednesday late -> Friday
        (eastern(2026, 3, 5, 13), dt.date(2026, 3, 6)),  # Thursday -> Friday
        (eastern(2026, 3, 5, 15), dt.date(2026, 3, 9)),  # Thursday late -> Monday
        (eastern(2026, 3, 6, 10), dt.date(2026, 3, 9)),  # Friday morning -> Monday
        (eastern(2026, 3, 6, 15), dt.date(2026, 3, 10)),  # Friday late -> Tuesday
        (eastern(2026, 3, 7, 12), dt.date(2026, 3, 10)),  # Saturday -> Tuesday
        (eastern(2026, 3, 8, 23), dt.date(2026, 3, 10)),  # Sunday night -> Tuesday
    ],
)
def test_feed_day_follows_the_weekly_schedule(submitted: dt.datetime, feed_day: dt.date) -> None:
    assert estimated_announce_date(submitted) == feed_day


def test_the_cutoff_is_eastern_time_whatever_the_zone_of_the_timestamp() -> None:
    # 03:00 UTC on Tuesday is still Monday 22:00 in New York: after Monday's cutoff.
    assert estimated_announce_date(dt.datetime(2026, 3, 3, 3, 0, tzinfo=dt.UTC)) == dt.date(
        2026, 3, 4)
    # 18:30 UTC on a Monday in winter is 13:30 EST: before the cutoff.
    assert estimated_announce_date(dt.datetime(2026, 3, 2, 18, 30, tzinfo=dt.UTC)) == dt.date(
        2026, 3, 3)


def test_the_cutoff_moves_with_daylight_saving_time() -> None:
    # Clocks went forward on Sunday 8 March 2026: 18:30 UTC on Monday 9 March
    # is 14:30 EDT, after the cutoff, where the same UTC time a week earlier was not.
    assert estimated_announce_date(dt.datetime(2026, 3, 9, 18, 30, tzinfo=dt.UTC)) == dt.date(
        2026, 3, 11)
    # Clocks went back on Sunday 1 November 2026: 18:30 UTC on Friday 30 October
    # is 14:30 EDT (after Friday's cutoff: Tuesday's feed), on Monday 2 November
    # it is 13:30 EST (before the cutoff: Tuesday's feed too, by the other rule).
    assert estimated_announce_date(dt.datetime(2026, 10, 30, 18, 30, tzinfo=dt.UTC)) == dt.date(
        2026, 11, 3)
    assert estimated_announce_date(dt.datetime(2026, 11, 2, 18, 30, tzinfo=dt.UTC)) == dt.date(
        2026, 11, 3)
    assert estimated_announce_date(dt.datetime(2026, 10, 26, 18, 30, tzinfo=dt.UTC)) == dt.date(
        2026, 10, 28)


def test_a_timestamp_without_zone_is_read_as_utc() -> None:
    assert estimated_announce_date(dt.datetime(2026, 3, 9, 18, 30)) == dt.date(2026, 3, 11)


def test_the_feed_day_is_always_a_weekday_after_submission() -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for hours in range(0, 24 * 21, 5):
        submitted = start + dt.timedelta(hours=hours)
        feed_day = estimated_announce_date(submitted)
        assert feed_day.weekday() < 5
        assert 1 <= (feed_day - submitted.astimezone(NEW_YORK).date()).days <= 4
