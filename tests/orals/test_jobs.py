"""Scheduled oral emails: the candidate's reminder at the 24 h lock with the video link,
and the assessor's list of tomorrow's orals — each once."""

from __future__ import annotations

import datetime as dt

from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.notifications.schedule import tick
from cloe_portal.orals import services

UTC = dt.UTC


def _keys() -> list[str]:
    return list(db.session.scalars(db.select(OutboxMessage.key).where(
        OutboxMessage.kind.in_(("oral-reminder", "oral-assessor-digest"))).order_by(OutboxMessage.id)))


def test_reminder_at_lock_time_with_video_link_and_digest_the_day_before(
        app, make_assessor, make_registration, make_slot, frozen_clock):
    frozen_clock(dt.datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    assessor = make_assessor(video_link="https://visio.example.fr/salle-42")
    registration = make_registration()
    start = dt.datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # Friday 10:00 Paris
    slot = make_slot(assessor, start)
    booking = services.book_slot(registration.candidate, registration, slot.id)
    db.session.commit()

    frozen_clock(dt.datetime(2026, 3, 5, 5, 59, tzinfo=UTC))  # 06:59 Paris the day before
    tick()
    assert _keys() == []
    frozen_clock(dt.datetime(2026, 3, 5, 6, 0, tzinfo=UTC))  # 07:00 Paris: assessor's list
    tick()
    digest_key = f"oral-assessor-digest:assessor-{assessor.id}:2026-03-06"
    assert _keys() == [digest_key]
    frozen_clock(start - dt.timedelta(hours=24))  # exactly 24 h: still changeable
    tick()
    assert _keys() == [digest_key]
    frozen_clock(start - dt.timedelta(hours=24) + dt.timedelta(seconds=1))  # locked: reminder
    tick()
    tick()
    reminder_key = f"oral-reminder:booking-{booking.id}:slot-{slot.id}"
    assert _keys() == [digest_key, reminder_key]
    reminder = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.key == reminder_key)).one()
    assert reminder.to_email == registration.candidate.email
    assert "https://visio.example.fr/salle-42" in reminder.body_text
    assert "pièce d'identité" in reminder.body_text
    digest = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.key == digest_key)).one()
    assert digest.to_email == assessor.email and "10:00" in digest.body_text
