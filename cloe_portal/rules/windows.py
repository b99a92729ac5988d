"""Time windows of a registration: written test, oral booking, 24 h lock, lateness, reminders.

All instants are aware datetimes (stored in UTC); calendar reasoning is done in
``Europe/Paris``. Decisions (SPEC §4, §7, seeds 000 §2.3/§2.5 and 004):

- **Written window**: 30 calendar days, the test date included ("30 jours maximum"): it opens
  at 00:00 Paris on the session's test date and closes at 23:59:59 Paris on the 30th day,
  plus any extension days. A test date of 1 March closes on 30 March 23:59:59, so the
  session's "(30 jours)" and the candidate's "30 jours restants" on the test date agree.
  ``closes_at`` is the last open instant.
- **Booking window**: from 00:00 Paris the day after the written test was finished, until
  23:59:59 Paris one calendar month after the access start (the session's written test
  date), plus any referent extension. Calendar months clamp to the month's end: 31 January
  → 28 (29) February, 30 March → 30 April. When the written test was taken so late that
  the window is empty, nothing is bookable until a referent extends it (seed 004: "contactez
  votre organisme de formation pour prolonger l'accès"). A slot is bookable when it starts
  inside the window and in the future; a slot less than 24 h away can be booked but is at
  once locked.
- **24 h lock**: a booking can be changed while at least 24 h of elapsed time remain before
  the slot; exactly 24 h before is still changeable, 1 second later it is locked. Elapsed
  time (not wall-clock time) is used, so for a 10:00 slot on the Sunday of a DST change the
  lock falls at 09:00 (spring) or 11:00 (autumn) Paris time on the Saturday. The 24 h reminder with the video link goes out at the lock time.
- **Lateness**: entry is allowed up to 10 minutes after the slot start, to the second:
  10 min 0 s (and any fraction of that second) is allowed, 10 min 1 s is refused. Early
  arrival is always allowed (waiting room).
- **Oral grid**: attendance and the grid can be written from the slot start (never before:
  no result for an oral that has not happened) until the end (23:59:59 Paris) of the
  working day after the oral's Paris day (French public holidays excluded,
  ``rules.calendar``). A referent's reopening gives until the end of the working day after
  the reopening, and never less than the first deadline.
- **Unbooked oral reminders**: reminder *k* (1, 2, 3) falls due *k* weeks after the written
  test was finished, at the same Paris wall-clock time. The function returns the latest
  reminder due and not yet sent, so a missed job run catches up with one email, not three.
- **Written-window closing reminders**: on the calendar day 5 days and 1 day before the
  closing day (closing 31 March → 26 and 30 March); once the 1-day reminder is due the
  5-day one is skipped.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal, NamedTuple

from cloe_portal.rules.calendar import (
    PARIS,
    UTC,
    add_working_days,
    paris_date,
    paris_end_of_day_utc,
    paris_midnight_utc,
    require_aware,
    to_paris,
)

WRITTEN_WINDOW_DAYS = 30
LOCK_BEFORE_SLOT = dt.timedelta(hours=24)
LATE_ENTRY_LIMIT = dt.timedelta(minutes=10)
SLOT_DURATION = dt.timedelta(minutes=30)
GRID_WORKING_DAYS = 1
UNBOOKED_REMINDERS = 3
CLOSING_REMINDER_DAYS = (5, 1)

WindowState = Literal["not_open", "open", "closed"]
ScoringState = Literal["not_open", "open", "closed"]


class Window(NamedTuple):
    """A time window: both bounds are UTC instants and both are inside the window."""

    opens_at: dt.datetime
    closes_at: dt.datetime

    @property
    def is_empty(self) -> bool:
        """True when the window closes before it opens."""
        return self.closes_at < self.opens_at

    def contains(self, instant: dt.datetime) -> bool:
        """Tell whether an aware instant lies inside the window."""
        return self.opens_at <= require_aware(instant) <= self.closes_at

    def state(self, now_utc: dt.datetime) -> WindowState:
        """Say whether the window is not yet open, open or closed at ``now_utc``."""
        now = require_aware(now_utc, "now_utc")
        if now > self.closes_at:
            return "closed"
        if now < self.opens_at:
            return "not_open"
        return "open"


def _check_extension(extension_days: int) -> None:
    """Refuse a negative extension."""
    if extension_days < 0:
        raise ValueError("extension_days must be >= 0")


def add_calendar_months(day: dt.date, months: int) -> dt.date:
    """Add calendar months, clamping to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last_day))


# --- written test window ----------------------------------------------------------


def written_window(test_date: dt.date, extension_days: int = 0) -> Window:
    """Return when the written test can be taken: 30 Paris days, the test date being day 1."""
    _check_extension(extension_days)
    closing_day = test_date + dt.timedelta(days=WRITTEN_WINDOW_DAYS - 1 + extension_days)
    return Window(paris_midnight_utc(test_date), paris_end_of_day_utc(closing_day))


def window_state(now_utc: dt.datetime, test_date: dt.date, extension_days: int = 0) -> WindowState:
    """Say whether the written window is ``not_open``, ``open`` or ``closed`` at ``now_utc``."""
    return written_window(test_date, extension_days).state(now_utc)


def days_left(now_utc: dt.datetime, test_date: dt.date, extension_days: int = 0) -> int:
    """Count the Paris calendar days the written window is still open, today included.

    1 on the closing day, 0 once closed; before opening, the full length of the window.
    """
    window = written_window(test_date, extension_days)
    state = window.state(now_utc)
    closing_day = paris_date(window.closes_at)
    if state == "closed":
        return 0
    if state == "not_open":
        return (closing_day - test_date).days + 1
    return (closing_day - paris_date(now_utc)).days + 1


def closing_reminder_due(
    now_utc: dt.datetime,
    test_date: dt.date,
    extension_days: int = 0,
    already_sent: frozenset[int] | set[int] = frozenset(),
) -> int | None:
    """Return which closing reminder (5 or 1 days before close) is due now, or None."""
    window = written_window(test_date, extension_days)
    if window.state(now_utc) != "open":
        return None
    days_before_close = (paris_date(window.closes_at) - paris_date(now_utc)).days
    # Most urgent first: once the 1-day reminder is due, the 5-day one is no longer useful.
    for days in sorted(CLOSING_REMINDER_DAYS):
        if days_before_close <= days:
            return days if days not in already_sent else None
    return None


# --- oral booking window ------------------------------------------------------------


def booking_window(
    written_done_at: dt.datetime, access_start: dt.date, extension_days: int = 0
) -> Window:
    """Return when oral slots can be booked: day after the written test → access start + 1 month."""
    _check_extension(extension_days)
    opens_day = paris_date(written_done_at) + dt.timedelta(days=1)
    closing_day = add_calendar_months(access_start, 1) + dt.timedelta(days=extension_days)
    return Window(paris_midnight_utc(opens_day), paris_end_of_day_utc(closing_day))


def slot_bookable(
    slot_start: dt.datetime,
    now: dt.datetime,
    written_done_at: dt.datetime,
    access_start: dt.date,
    extension_days: int = 0,
) -> bool:
    """Tell whether a candidate may book a slot: in the booking window and not yet started."""
    window = booking_window(written_done_at, access_start, extension_days)
    return window.contains(slot_start) and require_aware(slot_start) > require_aware(now)


# --- 24 h lock ----------------------------------------------------------------------


def lock_time(slot_start_utc: dt.datetime) -> dt.datetime:
    """Return the instant a booking locks, which is also when the 24 h reminder is sent."""
    return require_aware(slot_start_utc, "slot_start_utc").astimezone(UTC) - LOCK_BEFORE_SLOT


def is_locked(slot_start_utc: dt.datetime, now_utc: dt.datetime) -> bool:
    """Tell whether a booking is locked: less than 24 h remain (exactly 24 h is not locked)."""
    return require_aware(now_utc, "now_utc") > lock_time(slot_start_utc)


def can_change_booking(slot_start_utc: dt.datetime, now_utc: dt.datetime) -> bool:
    """Tell whether the candidate (or partner) may still move or cancel the booking."""
    return not is_locked(slot_start_utc, now_utc)


def day_before_reminder_due(
    slot_start_utc: dt.datetime, now_utc: dt.datetime, already_sent: bool = False
) -> bool:
    """Tell whether the 24 h reminder with the video link should be sent now."""
    now = require_aware(now_utc, "now_utc")
    return not already_sent and lock_time(slot_start_utc) <= now < slot_start_utc


# --- lateness -----------------------------------------------------------------------


def attendance_allowed(slot_start: dt.datetime, arrival: dt.datetime) -> bool:
    """Tell whether a candidate arriving at ``arrival`` may still enter (≤ 10 min late)."""
    delay = require_aware(arrival, "arrival") - require_aware(slot_start, "slot_start")
    # Compared to the second: 10 min 0.9 s still reads as 10:00 on the assessor's clock.
    whole_seconds = delay - dt.timedelta(microseconds=delay.microseconds)
    return whole_seconds <= LATE_ENTRY_LIMIT


# --- when the oral grid can be written ----------------------------------------------


def grid_deadline(slot_start: dt.datetime, reopened_at: dt.datetime | None = None) -> dt.datetime:
    """Return the last instant the oral's attendance and grid can be written (UTC).

    The end of the working day after the oral's Paris day, or after a referent's reopening
    when that is later.
    """
    due = add_working_days(to_paris(slot_start), GRID_WORKING_DAYS)
    if reopened_at is not None:
        due = max(due, add_working_days(to_paris(reopened_at), GRID_WORKING_DAYS))
    return paris_end_of_day_utc(due)


def scoring_state(slot_start: dt.datetime, now_utc: dt.datetime,
                  reopened_at: dt.datetime | None = None) -> ScoringState:
    """Say whether the grid is ``not_open`` (before the slot), ``open`` or ``closed``."""
    now = require_aware(now_utc, "now_utc")
    if now < require_aware(slot_start, "slot_start"):
        return "not_open"
    if now > grid_deadline(slot_start, reopened_at):
        return "closed"
    return "open"


# --- unbooked oral reminders ----------------------------------------------------------


def unbooked_reminder_at(written_done_at: dt.datetime, number: int) -> dt.datetime:
    """Return when weekly reminder ``number`` (1–3) falls due, in UTC."""
    if not 1 <= number <= UNBOOKED_REMINDERS:
        raise ValueError(f"reminder number must be 1..{UNBOOKED_REMINDERS}")
    local = to_paris(written_done_at).replace(tzinfo=None) + dt.timedelta(weeks=number)
    return local.replace(tzinfo=PARIS).astimezone(UTC)


def unbooked_reminder_due(
    written_done_at: dt.datetime,
    now: dt.datetime,
    already_sent: int = 0,
    booking_closes_at: dt.datetime | None = None,
) -> int | None:
    """Return which weekly "book your oral" reminder (1, 2 or 3) is due now, or None.

    ``already_sent`` is how many were sent; nothing is due once the booking window has
    closed (``booking_closes_at``). The caller checks that no oral is booked.
    """
    current = require_aware(now, "now")
    if booking_closes_at is not None and current > require_aware(booking_closes_at):
        return None
    due = 0
    for number in range(1, UNBOOKED_REMINDERS + 1):
        if unbooked_reminder_at(written_done_at, number) <= current:
            due = number
    return due if due > already_sent else None
