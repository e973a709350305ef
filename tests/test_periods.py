"""Days, ISO weeks and months as the listings name and step through them."""

from __future__ import annotations

import datetime as dt

import pytest

from papertide.exceptions import InvalidInputError, InvalidPeriodError
from papertide.periods import (
    day_period,
    month_period,
    parse_date,
    parse_period,
    week_period,
)


def test_a_day() -> None:
    period = parse_period("date", "2026-03-11")
    assert (period.start, period.end, period.last_day) == (
        dt.date(2026, 3, 11), dt.date(2026, 3, 12), dt.date(2026, 3, 11))
    assert period.slug == "2026-03-11"
    assert period.heading == "Mar 11"


def test_an_iso_week_runs_monday_to_sunday() -> None:
    period = parse_period("week", "2026-W11")
    assert (period.start, period.last_day) == (dt.date(2026, 3, 9), dt.date(2026, 3, 15))
    assert period.slug == "2026-W11"
    assert period.heading == "Week 11, 2026 (Mar 9 – Mar 15)"
    assert parse_period("week", "2026-W1").slug == "2026-W01"


def test_a_month() -> None:
    period = parse_period("month", "2026-02")
    assert (period.start, period.last_day) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert period.slug == "2026-02"
    assert period.heading == "February 2026"
    assert parse_period("month", "2024-02").last_day == dt.date(2024, 2, 29)
    assert parse_period("month", "2026-12").end == dt.date(2027, 1, 1)


def test_week_one_can_start_in_the_previous_year() -> None:
    period = parse_period("week", "2026-W01")
    assert period.start == dt.date(2025, 12, 29)
    assert period.slug == "2026-W01"


@pytest.mark.parametrize("slug", ["2020-W53", "2026-W53", "2015-W53"])
def test_week_53_exists_in_long_iso_years(slug: str) -> None:
    # 2020 began on a Wednesday and was a leap year, 2015 and 2026 began on a Thursday.
    period = parse_period("week", slug)
    assert period.slug == slug
    assert period.start.weekday() == 0
    assert period.start.month == 12


@pytest.mark.parametrize("slug", ["2025-W53", "2027-W53", "2021-W53", "2026-W54", "2026-W00"])
def test_a_week_the_year_does_not_have_is_refused(slug: str) -> None:
    with pytest.raises(InvalidPeriodError):
        parse_period("week", slug)


def test_the_period_of_any_day() -> None:
    sunday = dt.date(2026, 3, 15)
    assert week_period(sunday).start == dt.date(2026, 3, 9)
    assert week_period(dt.date(2026, 3, 16)).start == dt.date(2026, 3, 16)
    assert month_period(dt.date(2026, 12, 31)) == parse_period("month", "2026-12")
    assert day_period(sunday).contains(sunday)
    assert not day_period(sunday).contains(dt.date(2026, 3, 16))


@pytest.mark.parametrize(
    ("kind", "slug", "steps", "expected"),
    [
        ("date", "2026-02-28", 1, "2026-03-01"),
        ("date", "2024-02-28", 1, "2024-02-29"),
        ("date", "2026-01-01", -1, "2025-12-31"),
        ("week", "2026-W53", 1, "2027-W01"),
        ("week", "2021-W01", -1, "2020-W53"),
        ("week", "2026-W11", 0, "2026-W11"),
        ("month", "2026-12", 1, "2027-01"),
        ("month", "2026-01", -1, "2025-12"),
        ("month", "2026-01", -13, "2024-12"),
        ("month", "2026-03", 12, "2027-03"),
        ("month", "2026-11", 14, "2028-01"),
    ],
)
def test_shifted_steps_whole_periods(kind: str, slug: str, steps: int, expected: str) -> None:
    shifted = parse_period(kind, slug).shifted(steps)
    assert shifted.slug == expected
    assert shifted.kind == kind
    assert shifted == parse_period(kind, expected)


@pytest.mark.parametrize(
    ("kind", "slug"),
    [
        ("date", "2026-3-11"),
        ("date", "2026-02-30"),
        ("date", "11/03/2026"),
        ("date", "today"),
        ("date", ""),
        ("date", "1990-12-31"),
        ("date", "3000-01-01"),
        ("week", "2026-11"),
        ("week", "W11"),
        ("week", "2026-W111"),
        ("month", "2026-13"),
        ("month", "2026-00"),
        ("month", "March 2026"),
        ("month", "1989-06"),
        ("year", "2026"),
    ],
)
def test_malformed_periods_are_invalid_input(kind: str, slug: str) -> None:
    with pytest.raises(InvalidPeriodError) as raised:
        parse_period(kind, slug)
    assert isinstance(raised.value, InvalidInputError)
    assert str(raised.value)


def test_parse_date_tolerates_surrounding_spaces() -> None:
    assert parse_date(" 2026-03-11 ") == dt.date(2026, 3, 11)
