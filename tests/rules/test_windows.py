"""Tests for the written window, booking window, 24 h lock, lateness and reminders."""

from __future__ import annotations

import datetime as dt

import pytest

from cloe_portal.rules.calendar import PARIS, UTC
from cloe_portal.rules.windows import (
    WRITTEN_WINDOW_DAYS,
    Window,
    add_calendar_months,
    attendance_allowed,
    booking_window,
    can_change_booking,
    closing_reminder_due,
    day_before_reminder_due,
    days_left,
    grid_deadline,
    is_locked,
    lock_time,
    scoring_state,
    slot_bookable,
    unbooked_reminder_at,
    unbooked_reminder_due,
    window_state,
    written_window,
)

D = dt.date
S = dt.timedelta(seconds=1)


def paris(*args: int) -> dt.datetime:
    """Build a Paris wall-clock time and return it in UTC."""
    return dt.datetime(*args, tzinfo=PARIS).astimezone(UTC)


# --- written window -----------------------------------------------------------------


def test_written_window_bounds_in_paris_time() -> None:
    # 30 calendar days, the test date included: 1 March → 30 March.
    window = written_window(D(2026, 3, 1))
    assert window == Window(paris(2026, 3, 1, 0, 0), paris(2026, 3, 30, 23, 59, 59))
    # 1 March is CET (UTC+1); 30 March is CEST (UTC+2): the DST change falls inside.
    assert window.opens_at == dt.datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert window.closes_at == dt.datetime(2026, 3, 30, 21, 59, 59, tzinfo=UTC)


def test_written_window_extension() -> None:
    assert written_window(D(2026, 3, 1), 5).closes_at == paris(2026, 4, 4, 23, 59, 59)
    with pytest.raises(ValueError):
        written_window(D(2026, 3, 1), -1)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (paris(2026, 3, 1, 0, 0) - S, "not_open"),
        (paris(2026, 3, 1, 0, 0), "open"),
        (paris(2026, 3, 30, 23, 59, 59), "open"),
        (paris(2026, 3, 31, 0, 0), "closed"),
    ],
)
def test_window_state_boundaries(now: dt.datetime, state: str) -> None:
    assert window_state(now, D(2026, 3, 1)) == state


def test_window_state_with_extension_and_naive_refused() -> None:
    assert window_state(paris(2026, 3, 31, 0, 0), D(2026, 3, 1), extension_days=1) == "open"
    with pytest.raises(ValueError):
        window_state(dt.datetime(2026, 3, 5, 10, 0), D(2026, 3, 1))


def test_days_left() -> None:
    # The session says "30 jours": on the test date, 30 days are left (today included).
    test_date = D(2026, 3, 1)
    assert days_left(paris(2026, 2, 20, 12, 0), test_date) == WRITTEN_WINDOW_DAYS == 30
    assert days_left(paris(2026, 3, 1, 0, 0), test_date) == 30
    assert days_left(paris(2026, 3, 29, 23, 0), test_date) == 2
    assert days_left(paris(2026, 3, 30, 0, 0), test_date) == 1
    assert days_left(paris(2026, 3, 30, 23, 59, 59), test_date) == 1
    assert days_left(paris(2026, 3, 31, 0, 0), test_date) == 0


def test_closing_reminders_at_5_and_1_days() -> None:
    test_date = D(2026, 3, 1)  # closes 30 March
    assert closing_reminder_due(paris(2026, 3, 24, 23, 59), test_date) is None
    assert closing_reminder_due(paris(2026, 3, 25, 0, 0), test_date) == 5
    assert closing_reminder_due(paris(2026, 3, 25, 8, 0), test_date, already_sent={5}) is None
    assert closing_reminder_due(paris(2026, 3, 28, 8, 0), test_date, already_sent={5}) is None
    assert closing_reminder_due(paris(2026, 3, 29, 0, 0), test_date, already_sent={5}) == 1
    # A missed 5-day run is not sent late once the 1-day reminder is due.
    assert closing_reminder_due(paris(2026, 3, 29, 9, 0), test_date) == 1
    assert closing_reminder_due(paris(2026, 3, 30, 9, 0), test_date, already_sent={1}) is None
    assert closing_reminder_due(paris(2026, 3, 31, 9, 0), test_date) is None
    assert closing_reminder_due(paris(2026, 2, 1, 9, 0), test_date) is None


# --- booking window -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 1, 31), D(2026, 2, 28)),
        (D(2028, 1, 31), D(2028, 2, 29)),
        (D(2026, 3, 31), D(2026, 4, 30)),
        (D(2026, 12, 15), D(2027, 1, 15)),
        (D(2026, 3, 10), D(2026, 4, 10)),
    ],
)
def test_add_calendar_months(start: dt.date, expected: dt.date) -> None:
    assert add_calendar_months(start, 1) == expected


def test_booking_window_opens_the_day_after_the_written_test() -> None:
    written = paris(2026, 3, 10, 23, 30)  # 22:30 UTC, still 10 March in Paris
    window = booking_window(written, access_start=D(2026, 3, 1))
    assert window.opens_at == paris(2026, 3, 11, 0, 0)
    assert window.closes_at == paris(2026, 4, 1, 23, 59, 59)
    assert booking_window(written, D(2026, 3, 1), extension_days=7).closes_at == paris(
        2026, 4, 8, 23, 59, 59
    )


def test_booking_window_month_end_clamp() -> None:
    window = booking_window(paris(2026, 2, 2, 10, 0), access_start=D(2026, 1, 31))
    assert window.closes_at == paris(2026, 2, 28, 23, 59, 59)


def test_booking_window_can_be_empty_until_extended() -> None:
    written = paris(2026, 3, 31, 18, 0)
    window = booking_window(written, access_start=D(2026, 2, 28))  # closes 28 March
    assert window.is_empty
    assert not slot_bookable(paris(2026, 4, 1, 10, 0), written, written, D(2026, 2, 28))
    assert slot_bookable(paris(2026, 4, 1, 10, 0), written, written, D(2026, 2, 28), 5)


def test_slot_bookable_boundaries() -> None:
    written = paris(2026, 3, 10, 15, 0)
    now = written + dt.timedelta(minutes=5)
    access = D(2026, 3, 1)
    assert not slot_bookable(paris(2026, 3, 10, 17, 0), now, written, access)  # same day
    assert slot_bookable(paris(2026, 3, 11, 0, 0), now, written, access)  # next day 00:00
    assert slot_bookable(paris(2026, 4, 1, 23, 59, 59), now, written, access)
    assert not slot_bookable(paris(2026, 4, 2, 0, 0), now, written, access)
    # In the window but already started.
    assert not slot_bookable(paris(2026, 3, 12, 9, 0), paris(2026, 3, 12, 9, 0), written, access)


# --- 24 h lock ------------------------------------------------------------------------


def test_lock_exactly_24h_before_is_still_changeable() -> None:
    slot = paris(2026, 6, 10, 10, 0)
    assert lock_time(slot) == paris(2026, 6, 9, 10, 0)
    assert not is_locked(slot, slot - dt.timedelta(hours=24))
    assert can_change_booking(slot, slot - dt.timedelta(hours=24))
    assert is_locked(slot, slot - dt.timedelta(hours=24) + S)
    assert not can_change_booking(slot, slot - dt.timedelta(hours=23, minutes=59))
    assert is_locked(slot, slot + dt.timedelta(hours=1))


def test_lock_over_dst_changes_uses_elapsed_time() -> None:
    # Spring forward at 02:00 on Sunday 29 March 2026: a Sunday 10:00 slot (CEST) locks
    # 24 h earlier, on Saturday at 09:00 (CET).
    spring = paris(2026, 3, 29, 10, 0)
    assert lock_time(spring) == paris(2026, 3, 28, 9, 0)
    assert not is_locked(spring, paris(2026, 3, 28, 9, 0))
    assert is_locked(spring, paris(2026, 3, 28, 9, 0) + S)
    # Fall back on Sunday 25 October 2026: a Sunday 10:00 slot locks on Saturday at 11:00.
    autumn = paris(2026, 10, 25, 10, 0)
    assert lock_time(autumn) == paris(2026, 10, 24, 11, 0)
    # A Monday slot after the change still locks at the same wall-clock time.
    assert lock_time(paris(2026, 3, 30, 10, 0)) == paris(2026, 3, 29, 10, 0)


def test_day_before_reminder() -> None:
    slot = paris(2026, 6, 10, 10, 0)
    assert not day_before_reminder_due(slot, paris(2026, 6, 9, 9, 59, 59))
    assert day_before_reminder_due(slot, paris(2026, 6, 9, 10, 0))
    assert not day_before_reminder_due(slot, paris(2026, 6, 9, 10, 0), already_sent=True)
    assert not day_before_reminder_due(slot, slot)


# --- lateness ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delay", "allowed"),
    [
        (dt.timedelta(minutes=-15), True),
        (dt.timedelta(0), True),
        (dt.timedelta(minutes=9, seconds=59), True),
        (dt.timedelta(minutes=10), True),
        (dt.timedelta(minutes=10, microseconds=999_999), True),
        (dt.timedelta(minutes=10, seconds=1), False),
        (dt.timedelta(minutes=11), False),
    ],
)
def test_attendance_allowed_to_the_second(delay: dt.timedelta, allowed: bool) -> None:
    slot = paris(2026, 6, 10, 10, 0)
    assert attendance_allowed(slot, slot + delay) is allowed


def test_attendance_compares_instants_whatever_the_zone() -> None:
    slot = paris(2026, 6, 10, 10, 0)
    arrival = dt.datetime(2026, 6, 10, 10, 10, tzinfo=PARIS)  # same instant as 08:10 UTC
    assert attendance_allowed(slot, arrival)
    with pytest.raises(ValueError):
        attendance_allowed(slot, dt.datetime(2026, 6, 10, 10, 5))


# --- unbooked oral reminders ----------------------------------------------------------


def test_unbooked_reminders_weekly_for_three_weeks() -> None:
    written = paris(2026, 3, 2, 14, 0)
    assert unbooked_reminder_due(written, written + dt.timedelta(days=6, hours=23)) is None
    assert unbooked_reminder_due(written, paris(2026, 3, 9, 14, 0)) == 1
    assert unbooked_reminder_due(written, paris(2026, 3, 10, 9, 0), already_sent=1) is None
    assert unbooked_reminder_due(written, paris(2026, 3, 16, 14, 0), already_sent=1) == 2
    assert unbooked_reminder_due(written, paris(2026, 3, 23, 14, 0), already_sent=2) == 3
    assert unbooked_reminder_due(written, paris(2026, 4, 30, 14, 0), already_sent=3) is None
    # A job that missed two weeks sends only the latest reminder.
    assert unbooked_reminder_due(written, paris(2026, 3, 24, 8, 0)) == 3


def test_unbooked_reminders_keep_paris_wall_clock_over_dst() -> None:
    written = paris(2026, 3, 23, 14, 0)  # CET; reminder 1 falls after the switch to CEST
    assert unbooked_reminder_at(written, 1) == paris(2026, 3, 30, 14, 0)
    assert unbooked_reminder_at(written, 1) - written == dt.timedelta(days=7, hours=-1)
    with pytest.raises(ValueError):
        unbooked_reminder_at(written, 4)


def test_unbooked_reminders_stop_when_booking_window_closed() -> None:
    written = paris(2026, 3, 2, 14, 0)
    closes = paris(2026, 3, 15, 23, 59, 59)
    assert unbooked_reminder_due(written, paris(2026, 3, 9, 14, 0), booking_closes_at=closes) == 1
    assert (
        unbooked_reminder_due(
            written, paris(2026, 3, 16, 14, 0), already_sent=1, booking_closes_at=closes
        )
        is None
    )


# --- when the oral grid can be written ------------------------------------------------


def test_scoring_opens_at_the_slot_start_to_the_microsecond() -> None:
    start = paris(2026, 3, 10, 10, 0)
    assert scoring_state(start, start - dt.timedelta(days=1)) == "not_open"
    assert scoring_state(start, start - dt.timedelta(microseconds=1)) == "not_open"
    assert scoring_state(start, start) == "open"


@pytest.mark.parametrize(("start", "due"), [
    (paris(2026, 3, 10, 10, 0), paris(2026, 3, 11, 23, 59, 59)),  # Tuesday → Wednesday
    (paris(2026, 3, 13, 16, 30), paris(2026, 3, 16, 23, 59, 59)),  # Friday → Monday
    (paris(2026, 3, 14, 10, 0), paris(2026, 3, 16, 23, 59, 59)),  # Saturday → Monday
    (paris(2026, 4, 30, 9, 0), paris(2026, 5, 4, 23, 59, 59)),  # 1 May (Friday) is a holiday
    (paris(2026, 3, 10, 0, 30), paris(2026, 3, 11, 23, 59, 59)),  # 23:30 UTC the day before
])
def test_grid_deadline_is_the_end_of_the_next_working_day_in_paris(start, due) -> None:
    assert grid_deadline(start) == due
    assert scoring_state(start, due) == "open"
    assert scoring_state(start, due + S) == "closed"


def test_a_reopening_gives_until_the_end_of_the_next_working_day_after_it() -> None:
    start = paris(2026, 3, 10, 10, 0)
    reopened = paris(2026, 3, 20, 17, 0)  # a Friday, long after the first deadline
    assert grid_deadline(start, reopened) == paris(2026, 3, 23, 23, 59, 59)
    assert scoring_state(start, paris(2026, 3, 23, 12, 0), reopened) == "open"
    assert scoring_state(start, paris(2026, 3, 24, 0, 0), reopened) == "closed"
    # Reopened on the oral's day: never less than the first deadline.
    assert grid_deadline(start, paris(2026, 3, 10, 11, 0)) == grid_deadline(start)
