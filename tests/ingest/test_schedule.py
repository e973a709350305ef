"""Schedules: cron lines read in arXiv's time zone, and when a job is due."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from papertide.cron import parse_schedule
from papertide.exceptions import ConfigError
from papertide.ingest.jobs import Job, JobState, is_due
from papertide.jobs.kinds import scheduled_jobs
from papertide.settings import Settings

EASTERN = ZoneInfo("America/New_York")


def default_job(name: str) -> Job:
    return {job.name: job for job in scheduled_jobs(Settings(data_dir=Path("unused")))}[name]


def eastern(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=EASTERN)


def test_the_default_rss_schedule_follows_the_announcements() -> None:
    rss = default_job("arxiv-rss").schedule
    assert rss is not None
    moment = eastern(2026, 11, 26, 12, 0)  # a Thursday
    fired = []
    for _ in range(5):
        moment = rss.next_after(moment)
        fired.append(moment.astimezone(EASTERN).strftime("%a %H:%M"))
    # Friday's feed (Thursday night's mailing), then nothing until Monday's.
    assert fired == ["Fri 00:30", "Fri 06:30", "Mon 00:30", "Mon 06:30", "Tue 00:30"]
    assert rss.next_after(eastern(2026, 11, 27, 12, 0)) == eastern(2026, 11, 30, 0, 30)


def test_local_times_survive_daylight_saving_changes() -> None:
    daily = parse_schedule("30 0 * * *", "America/New_York")
    assert daily is not None
    before = daily.next_after(eastern(2026, 3, 7, 12, 0))
    after = daily.next_after(before)
    assert before.astimezone(dt.UTC).hour == 5  # 00:30 EST
    assert after.astimezone(dt.UTC).hour == 4  # 00:30 EDT
    assert after.astimezone(EASTERN).strftime("%H:%M") == "00:30"


def test_hourly_and_stepped_fields() -> None:
    hourly = parse_schedule("10 * * * *", "UTC")
    every_quarter = parse_schedule("*/15 9-17/4 * * *", "UTC")
    assert hourly is not None and every_quarter is not None
    noon = dt.datetime(2026, 11, 26, 12, 10, tzinfo=dt.UTC)
    assert hourly.next_after(noon) == noon + dt.timedelta(hours=1)
    assert every_quarter.hours == (9, 13, 17)
    assert every_quarter.minutes == (0, 15, 30, 45)


def test_restricted_day_fields_match_either_day_like_cron() -> None:
    schedule = parse_schedule("0 0 1 * mon", "UTC")
    assert schedule is not None
    assert schedule.runs_on(dt.date(2026, 12, 1))  # the 1st, a Tuesday
    assert schedule.runs_on(dt.date(2026, 12, 7))  # a Monday
    assert not schedule.runs_on(dt.date(2026, 12, 8))


@pytest.mark.parametrize(("line", "complaint"), [
    ("61 * * * *", "out of range for the minute"),
    ("* * *", "not a cron line"),
    ("0 0 * * funday", "not a valid day of week"),
    ("0 0 31 feb,13 *", "out of range for the month"),
])
def test_a_bad_line_names_the_setting(line: str, complaint: str) -> None:
    with pytest.raises(ConfigError, match=complaint) as raised:
        parse_schedule(line, "UTC", "schedule_hf_daily")
    assert str(raised.value).startswith("schedule_hf_daily")


def test_off_disables_and_a_bad_time_zone_is_refused() -> None:
    assert parse_schedule("off", "UTC") is None
    with pytest.raises(ConfigError, match="not a time zone"):
        parse_schedule("0 0 * * *", "Mars/Olympus_Mons")


def test_a_job_is_due_once_per_scheduled_time_and_catches_up_after_downtime() -> None:
    rss = default_job("arxiv-rss")
    ran = JobState(last_success_start=eastern(2026, 11, 26, 0, 31).isoformat())
    assert is_due(rss, JobState(), eastern(2026, 11, 26, 3, 0))  # never ran: run now
    assert not is_due(rss, ran, eastern(2026, 11, 26, 6, 29))
    assert is_due(rss, ran, eastern(2026, 11, 26, 6, 31))
    assert is_due(rss, ran, eastern(2026, 11, 30, 9, 0))  # down over the weekend: once now
    later = eastern(2026, 11, 26, 6, 45)
    assert not is_due(rss, ran, eastern(2026, 11, 26, 6, 31), retry_not_before=later)
