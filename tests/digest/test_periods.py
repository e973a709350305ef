"""Which issue is due when: keys that make a second run a no-op."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from papertide.digest.periods import due_period, next_period, period_for_day
from papertide.exceptions import InvalidInputError
from papertide.settings import Settings
from tests.helpers import make_settings, utc


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, schedule_timezone="America/New_York", digest_hour="7",
                         digest_weekly_day="mon")


def test_the_daily_issue_is_named_by_the_local_day_of_its_send_time(settings: Settings) -> None:
    # 11:59 UTC is 06:59 in New York: today's 07:00 issue is not due, yesterday's is
    before = due_period("daily", settings, utc(2026, 11, 26, 11, 59))
    after = due_period("daily", settings, utc(2026, 11, 26, 12, 1))
    assert before.key == "2026-11-25" and after.key == "2026-11-26"
    assert (after.first_day, after.last_day) == (dt.date(2026, 11, 25), dt.date(2026, 11, 26))
    assert due_period("daily", settings, utc(2026, 11, 26, 23, 0)).key == "2026-11-26"


def test_the_weekly_issue_goes_out_on_its_day(settings: Settings) -> None:
    thursday = utc(2026, 11, 26, 15, 0)
    issue = due_period("weekly", settings, thursday)
    assert issue.key == "2026-W48"  # Monday 23 Nov 2026
    assert issue.first_day == dt.date(2026, 11, 16)
    assert next_period("weekly", settings, thursday).key == "2026-W49"
    assert issue.title == "Weekly digest, week 48 of 2026"


def test_an_issue_of_a_given_day_cannot_be_sent_before_its_time(settings: Settings) -> None:
    now = utc(2026, 11, 26, 15, 0)
    assert period_for_day("daily", settings, dt.date(2026, 11, 20), now).key == "2026-11-20"
    with pytest.raises(InvalidInputError, match="not due yet"):
        period_for_day("daily", settings, dt.date(2026, 11, 27), now)
