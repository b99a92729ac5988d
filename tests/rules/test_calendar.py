"""Tests for working days and the jury deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloe_portal.rules.calendar import (
    PARIS,
    UTC,
    add_working_days,
    is_working_day,
    jury_deadline,
    jury_overdue,
    jury_time_left,
    paris_date,
    public_holiday_name,
    working_days_between,
)

D = dt.date


def paris(*args: int) -> dt.datetime:
    """Build a Paris wall-clock time and return it in UTC."""
    return dt.datetime(*args, tzinfo=PARIS).astimezone(UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 4, 30), True),  # Thursday
        (D(2026, 5, 1), False),  # Fête du Travail (Friday)
        (D(2026, 5, 2), False),  # Saturday
        (D(2026, 5, 3), False),  # Sunday
        (D(2026, 4, 6), False),  # Easter Monday
        (D(2026, 4, 7), True),
        (D(2026, 7, 14), False),  # Fête nationale (Tuesday)
        (D(2026, 5, 14), False),  # Ascension
        (D(2026, 5, 25), False),  # Whit Monday
        (D(2026, 12, 25), False),
        (D(2026, 12, 24), True),
    ],
)
def test_is_working_day(day: dt.date, expected: bool) -> None:
    assert is_working_day(day) is expected


def test_holiday_names_are_french() -> None:
    assert public_holiday_name(D(2026, 7, 14)) == "Fête nationale"
    assert public_holiday_name(D(2026, 7, 15)) is None


def test_paris_date_of_late_evening_utc_is_the_next_day() -> None:
    # 22:30 UTC on 30 April is 00:30 on 1 May in Paris (UTC+2): a public holiday.
    late = dt.datetime(2026, 4, 30, 22, 30, tzinfo=UTC)
    assert paris_date(late) == D(2026, 5, 1)
    assert is_working_day(late) is False


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_working_day(dt.datetime(2026, 1, 5, 10, 0))


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 4, 29), 1, D(2026, 4, 30)),  # Wed → Thu
        (D(2026, 4, 30), 1, D(2026, 5, 4)),  # Thu → skips 1 May and the weekend
        (D(2026, 4, 30), 3, D(2026, 5, 6)),
        (D(2026, 5, 6), 2, D(2026, 5, 11)),  # Wed → skips 8 May (Friday)
        (D(2026, 4, 2), 2, D(2026, 4, 7)),  # Thu before Easter → skips Easter Monday
        (D(2026, 7, 10), 2, D(2026, 7, 15)),  # Fri → Mon, (14 July) → Wed
        (D(2026, 5, 2), 0, D(2026, 5, 2)),
        (D(2026, 5, 4), -1, D(2026, 4, 30)),
    ],
)
def test_add_working_days(start: dt.date, n: int, expected: dt.date) -> None:
    assert add_working_days(start, n) == expected


def test_add_working_days_accepts_an_aware_datetime() -> None:
    # Thursday 30 April 23:30 Paris is still 30 April, not 1 May.
    assert add_working_days(paris(2026, 4, 30, 23, 30), 1) == D(2026, 5, 4)


def test_working_days_between() -> None:
    assert working_days_between(D(2026, 4, 30), D(2026, 5, 6)) == 3
    assert working_days_between(D(2026, 5, 6), D(2026, 4, 30)) == -3
    assert working_days_between(D(2026, 5, 1), D(2026, 5, 3)) == 0
    assert working_days_between(D(2026, 5, 1), D(2026, 5, 1)) == 0


@given(st.dates(D(2024, 1, 1), D(2030, 12, 31)), st.integers(1, 40))
def test_add_and_count_working_days_agree(start: dt.date, n: int) -> None:
    end = add_working_days(start, n)
    assert is_working_day(end)
    assert working_days_between(start, end) == n
    assert working_days_between(start, end - dt.timedelta(days=1)) == n - 1


def test_jury_deadline_is_end_of_third_working_day_paris() -> None:
    # Oral Thursday 30 April 2026 15:00 → Mon 4, Tue 5, Wed 6 May; 23:59:59 CEST = 21:59:59 UTC.
    deadline = jury_deadline(paris(2026, 4, 30, 15, 0))
    assert deadline == dt.datetime(2026, 5, 6, 21, 59, 59, tzinfo=UTC)


def test_jury_deadline_in_winter_and_over_easter() -> None:
    # Oral Thursday 2 April 2026 → Fri 3, (Easter Monday 6 off) Tue 7, Wed 8.
    assert jury_deadline(paris(2026, 4, 2, 9, 0)) == dt.datetime(2026, 4, 8, 21, 59, 59, tzinfo=UTC)
    # Oral Friday 4 December 2026 → Mon 7, Tue 8, Wed 9; CET: 22:59:59 UTC.
    assert jury_deadline(paris(2026, 12, 4, 9, 0)) == dt.datetime(
        2026, 12, 9, 22, 59, 59, tzinfo=UTC
    )


def test_jury_deadline_across_the_autumn_dst_change() -> None:
    # Oral Friday 23 Oct 2026 (CEST); clocks go back on Sunday 25; due Wed 28 at 23:59:59 CET.
    assert jury_deadline(paris(2026, 10, 23, 17, 0)) == dt.datetime(
        2026, 10, 28, 22, 59, 59, tzinfo=UTC
    )


def test_jury_time_left_and_overdue() -> None:
    oral = paris(2026, 4, 30, 15, 0)
    deadline = jury_deadline(oral)
    assert jury_time_left(oral, deadline) == dt.timedelta(0)
    assert jury_time_left(oral, deadline - dt.timedelta(hours=5)) == dt.timedelta(hours=5)
    assert jury_overdue(oral, deadline) is False
    assert jury_overdue(oral, deadline + dt.timedelta(seconds=1)) is True
