"""Scheduled oral notifications: the candidate's 24 h reminder with the assessor's video
link (sent when the booking locks), each assessor's list of tomorrow's orals, and the
waitlist's lapsed holds passed on to the next in line."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from cloe_portal.clock import PARIS
from cloe_portal.notifications.mail import queue_email
from cloe_portal.notifications.schedule import producer
from cloe_portal.orals.services import (
    bookings_starting_between,
    pass_on_lapsed_holds,
    video_link,
)
from cloe_portal.rules.windows import LOCK_BEFORE_SLOT

# The assessors' list of tomorrow's orals goes out from this Paris time the day before.
ASSESSOR_DIGEST_AT = time(7, 0)


@producer("oral-reminder-24h", order=40)
def candidate_reminders(now: datetime) -> int:
    """24 h before the oral: the booking is locked; send the video link and the ID reminder."""
    queued = 0
    for booking in bookings_starting_between(now, now + LOCK_BEFORE_SLOT):
        registration = booking.registration
        slot = booking.slot
        key = f"oral-reminder:booking-{booking.id}:slot-{slot.id}"
        if queue_email(registration.candidate.email, "oral_reminder", kind="oral-reminder",
                       key=key, recipient_id=registration.candidate_id, booking=booking,
                       slot=slot, registration=registration,
                       video_link=video_link(slot.assessor_id)):
            queued += 1
    return queued


@producer("oral-waitlist-holds", order=42)
def waitlist_holds(now: datetime) -> int:
    """A slot held for a waitlisted candidate who did not book it in time: offer it on."""
    return pass_on_lapsed_holds(now)


@producer("oral-assessor-digest", order=45)
def assessor_digests(now: datetime) -> int:
    """From 07:00 Paris, each assessor gets the list of tomorrow's orals (once a day)."""
    local = now.astimezone(PARIS)
    if local.time() < ASSESSOR_DIGEST_AT:
        return 0
    tomorrow = local.date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0, 0), tzinfo=PARIS)
    by_assessor: dict[int, list] = defaultdict(list)
    for booking in bookings_starting_between(start, start + timedelta(days=1)):
        by_assessor[booking.slot.assessor_id].append(booking)
    queued = 0
    for assessor_id, bookings in sorted(by_assessor.items()):
        assessor = bookings[0].slot.assessor
        key = f"oral-assessor-digest:assessor-{assessor_id}:{tomorrow.isoformat()}"
        if queue_email(assessor.email, "oral_assessor_digest", kind="oral-assessor-digest",
                       key=key, recipient_id=assessor_id, assessor=assessor, day=tomorrow,
                       bookings=bookings):
            queued += 1
    return queued
