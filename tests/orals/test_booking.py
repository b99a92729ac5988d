"""Booking: window, 24 h lock, no double booking (in the database), emails with .ics, waitlist."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from icalendar import Calendar

from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.orals import services
from cloe_portal.orals.models import OralBooking, OralSlot
from cloe_portal.sessions.models import Registration

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
SLOT_START = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # Tuesday 10:00 Paris


@pytest.fixture
def setup(frozen_clock, make_assessor, make_registration, make_slot):
    frozen_clock(NOW)
    assessor = make_assessor(("en",))
    registration = make_registration("en")
    slot = make_slot(assessor, SLOT_START)
    return assessor, registration, slot


def test_free_slots_respect_language_window_and_accreditation(setup, make_assessor, make_slot):
    assessor, registration, slot = setup
    other_language = make_slot(assessor, SLOT_START + dt.timedelta(hours=1), "fr")
    expired = make_assessor(("en",), valid_until=dt.date(2026, 3, 1))
    make_slot(expired, SLOT_START)
    before_window = make_slot(assessor, dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    after_window = make_slot(assessor, dt.datetime(2026, 4, 3, 8, 0, tzinfo=UTC))
    shown = services.free_slots(registration, dt.date(2026, 3, 9))
    assert [s.id for s in shown] == [slot.id]
    assert other_language.id not in [s.id for s in services.free_slots(registration, dt.date(2026, 3, 9))]
    assert services.free_slots(registration, dt.date(2026, 3, 2)) == []
    assert services.bookable_slot(registration, before_window) is not None
    assert services.bookable_slot(registration, after_window) is not None


def test_booking_moves_status_and_sends_confirmation_with_ics(setup):
    assessor, registration, slot = setup
    booking = services.book_slot(registration.candidate, registration, slot.id)
    db.session.commit()
    assert registration.status == "oral_booked"
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.key == f"oral-booked:booking-{booking.id}:v1"
    assert "10:00" in message.body_text and "mardi 10 mars 2026" in message.body_text
    assert "visio.example.fr" not in message.body_text  # the video link comes 24 h before
    [attachment] = message.attachments
    assert attachment["filename"] == "cloe-oral.ics"
    cal = Calendar.from_ical(services.booking_ics(booking))
    [event] = cal.walk("VEVENT")
    assert str(event["uid"]) == f"oral-booking-{booking.id}@cloe-portal"
    assert event.decoded("dtstart") == SLOT_START
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(0)
    assert event.decoded("dtend") == SLOT_START + dt.timedelta(minutes=30)
    assert "Entretien oral CLOE" in str(event["summary"])
    assert "Anglais" in str(event["summary"])
    assert "visio.example.fr" not in services.booking_ics(booking).decode()
    assert "/oral/reservation" in str(event["description"])


def test_change_releases_old_slot_and_keeps_one_active_booking(setup, make_slot):
    assessor, registration, slot = setup
    other = make_slot(assessor, SLOT_START + dt.timedelta(hours=2))
    services.book_slot(registration.candidate, registration, slot.id)
    services.book_slot(registration.candidate, registration, other.id)
    db.session.commit()
    active = db.session.scalars(
        db.select(OralBooking).where(OralBooking.active_registration_id == registration.id)
    ).all()
    assert [b.slot_id for b in active] == [other.id]
    assert slot.id in [s.id for s in services.free_slots(registration, dt.date(2026, 3, 9))]


def test_lock_boundary_exactly_24h_is_still_changeable(setup, frozen_clock):
    assessor, registration, slot = setup
    services.book_slot(registration.candidate, registration, slot.id)
    db.session.commit()
    frozen_clock(SLOT_START - dt.timedelta(hours=24))
    assert services.booking_blocker(registration) is None
    frozen_clock(SLOT_START - dt.timedelta(hours=24) + dt.timedelta(seconds=1))
    assert "verrouillé" in services.booking_blocker(registration)
    with pytest.raises(services.OralError, match="verrouillé"):
        services.cancel_booking(registration.candidate, registration)
    frozen_clock(SLOT_START - dt.timedelta(hours=24))
    services.cancel_booking(registration.candidate, registration)
    assert registration.status == "written_done"


def test_late_cancellation_counts_as_taken_until_force_majeure(setup, frozen_clock, make_user):
    assessor, registration, slot = setup
    services.book_slot(registration.candidate, registration, slot.id)
    frozen_clock(SLOT_START - dt.timedelta(hours=3))
    services.cancel_booking(registration.candidate, registration, late_ok=True)
    db.session.commit()
    assert registration.status == "oral_done"
    outcome = services.oral_outcome(registration)
    assert outcome.cancelled_late and not outcome.taken and outcome.attendance == "absent"
    referent = make_user("referent")
    with pytest.raises(services.OralError):
        services.grant_force_majeure(referent, registration, "  ")
    services.grant_force_majeure(referent, registration, "Hospitalisation, certificat reçu", 10)
    db.session.commit()
    assert registration.status == "written_done"
    assert registration.booking_extension_days == 10
    assert services.oral_outcome(registration) is None
    from cloe_portal.audit.models import AuditEntry

    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "oral.force_majeure"))
    assert entry.reason == "Hospitalisation, certificat reçu"


def test_waitlist_gets_freed_slot_first(setup, make_registration):
    assessor, registration, slot = setup
    waiting = make_registration("en")
    later = make_registration("en")
    services.book_slot(registration.candidate, registration, slot.id)
    services.join_waitlist(waiting.candidate, waiting)
    services.join_waitlist(later.candidate, later)
    services.cancel_booking(registration.candidate, registration)
    db.session.commit()
    offer = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.kind == "oral_slot_offered"))
    assert offer.to_email == waiting.candidate.email
    # held for the first in line: the later one does not see it, the first one does
    assert services.free_slots(later, dt.date(2026, 3, 9)) == []
    assert [s.id for s in services.free_slots(waiting, dt.date(2026, 3, 9))] == [slot.id]
    with pytest.raises(services.OralError):
        services.book_slot(later.candidate, later, slot.id)
    services.book_slot(waiting.candidate, waiting, slot.id)


def test_a_lapsed_waitlist_hold_goes_to_the_next_in_line(setup, make_registration,
                                                         frozen_clock):
    from cloe_portal.notifications.schedule import tick
    from cloe_portal.orals.models import OralWaitlistEntry

    assessor, registration, slot = setup
    first, second = make_registration("en"), make_registration("en")
    services.book_slot(registration.candidate, registration, slot.id)
    services.join_waitlist(first.candidate, first)
    services.join_waitlist(second.candidate, second)
    services.cancel_booking(registration.candidate, registration)
    db.session.commit()

    def offers():
        return list(db.session.scalars(db.select(OutboxMessage.to_email).where(
            OutboxMessage.kind == "oral_slot_offered").order_by(OutboxMessage.id)))

    def status(reg):
        return db.session.scalar(db.select(OralWaitlistEntry.status).where(
            OralWaitlistEntry.registration_id == reg.id))

    frozen_clock(NOW + services.WAITLIST_HOLD - dt.timedelta(minutes=1))
    tick(deliver=False)
    assert offers() == [first.candidate.email]  # still held for the first in line
    assert services.free_slots(second, dt.date(2026, 3, 9)) == []

    frozen_clock(NOW + services.WAITLIST_HOLD + dt.timedelta(minutes=1))
    tick(deliver=False)
    tick(deliver=False)  # once only
    assert offers() == [first.candidate.email, second.candidate.email]
    assert (status(first), status(second)) == ("waiting", "offered")
    assert [s.id for s in services.free_slots(second, dt.date(2026, 3, 9))] == [slot.id]
    assert services.free_slots(first, dt.date(2026, 3, 9)) == []
    services.book_slot(second.candidate, second, slot.id)
    db.session.commit()
    assert (status(first), status(second)) == ("waiting", "closed")


def test_publish_weekly_six_weeks_with_exception(frozen_clock, make_assessor):
    frozen_clock(NOW)
    assessor = make_assessor(("en", "fr"))
    result = services.publish_weekly(assessor, assessor, "en", dt.date(2026, 3, 10),
                                     dt.time(9), dt.time(12), 6)
    assert len(result.created) == 36
    first = min(s.starts_at for s in result.created)
    assert first == dt.datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 9:00 Paris in winter
    # after the switch to summer time, 9:00 Paris is 07:00 UTC
    assert dt.datetime(2026, 4, 14, 7, 0, tzinfo=UTC) in {s.starts_at for s in result.created}
    again = services.publish_weekly(assessor, assessor, "fr", dt.date(2026, 3, 10),
                                    dt.time(9), dt.time(12), 6)
    assert len(again.created) == 0 and again.skipped_existing == 36
    removed, kept = services.remove_free_slots(assessor, assessor, dt.date(2026, 3, 17),
                                               dt.date(2026, 3, 24))
    assert (removed, kept) == (12, 0)
    other = make_assessor(("en",))
    result = services.publish_weekly(other, other, "en", dt.date(2026, 3, 10), dt.time(9),
                                     dt.time(12), 6, dt.date(2026, 3, 17), dt.date(2026, 3, 24))
    assert len(result.created) == 24 and result.skipped_exception == 12


def test_expired_or_unaccredited_assessor_cannot_publish(frozen_clock, make_assessor):
    frozen_clock(NOW)
    expired = make_assessor(("en",), valid_until=dt.date(2026, 3, 4))
    with pytest.raises(services.OralError, match="habilité"):
        services.publish_block(expired, expired, "en", dt.date(2026, 3, 10), dt.time(9), dt.time(10))
    english_only = make_assessor(("en",))
    with pytest.raises(services.OralError, match="habilité"):
        services.publish_block(english_only, english_only, "de", dt.date(2026, 3, 10),
                               dt.time(9), dt.time(10))
    assert db.session.scalar(db.select(db.func.count(OralSlot.id))) == 0


def test_booked_slot_cannot_be_deleted_but_referent_can_reassign(setup, make_assessor, make_user):
    assessor, registration, slot = setup
    booking = services.book_slot(registration.candidate, registration, slot.id)
    with pytest.raises(services.OralError, match="réservé"):
        services.delete_slot(assessor, slot)
    french_only = make_assessor(("fr",))
    colleague = make_assessor(("en",))
    candidates = services.reassign_candidates(booking)
    assert colleague in candidates and french_only not in candidates
    referent = make_user("referent")
    services.reassign_booking(referent, booking, colleague, "Évaluateur malade")
    db.session.commit()
    assert booking.slot.assessor_id == colleague.id
    assert booking.slot.starts_at == SLOT_START
    mail = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.kind == "oral_reassigned"))
    assert mail.to_email == registration.candidate.email


def test_bookings_starting_between(setup, make_slot):
    assessor, registration, slot = setup
    services.book_slot(registration.candidate, registration, slot.id)
    db.session.commit()
    found = services.bookings_starting_between(SLOT_START - dt.timedelta(hours=1), SLOT_START + dt.timedelta(minutes=1))
    assert [b.slot_id for b in found] == [slot.id]
    assert services.bookings_starting_between(SLOT_START + dt.timedelta(minutes=1), SLOT_START + dt.timedelta(hours=2)) == []


# --- concurrency ---------------------------------------------------------------------------


def _race(app, jobs):
    """Run (registration_id, slot_id) bookings in parallel threads, each with its own session."""
    barrier = threading.Barrier(len(jobs))
    results: list[str] = []
    lock = threading.Lock()

    def worker(registration_id: int, slot_id: int) -> None:
        with app.app_context():
            registration = db.session.get(Registration, registration_id)
            actor = registration.candidate
            # Give the connection back before waiting: the pool is smaller than the crowd.
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                services.book_slot(actor, registration, slot_id)
                db.session.commit()
                outcome = "ok"
            except services.SlotTaken:
                db.session.rollback()
                outcome = "taken"
            except services.OralError as exc:
                db.session.rollback()
                outcome = f"refused: {exc.message}"
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=worker, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_twenty_candidates_racing_for_two_slots_get_exactly_two_bookings(
        app, setup, make_registration, make_slot):
    assessor, first, slot = setup
    second = make_slot(assessor, SLOT_START + dt.timedelta(hours=1))
    registrations = [first] + [make_registration("en") for _ in range(19)]
    jobs = [(r.id, (slot.id, second.id)[i % 2]) for i, r in enumerate(registrations)]
    db.session.remove()
    results = _race(app, jobs)
    assert results.count("ok") == 2, results
    assert results.count("taken") == 18, results
    active = db.session.scalars(db.select(OralBooking).where(OralBooking.status == "booked")).all()
    assert sorted(b.active_slot_id for b in active) == sorted([slot.id, second.id])
    booked = db.session.scalar(db.select(db.func.count(Registration.id)).where(
        Registration.status == "oral_booked"))
    assert booked == 2


def test_one_registration_racing_for_three_slots_holds_one_booking(app, setup, make_slot):
    assessor, registration, slot = setup
    slots = [slot] + [make_slot(assessor, SLOT_START + dt.timedelta(hours=h)) for h in (1, 2)]
    jobs = [(registration.id, slots[i % 3].id) for i in range(12)]
    db.session.remove()
    _race(app, jobs)
    active = db.session.scalars(
        db.select(OralBooking).where(OralBooking.active_registration_id == registration.id)).all()
    assert len(active) == 1
    assert db.session.scalar(db.select(db.func.count(OralBooking.id)).where(
        OralBooking.active_slot_id.is_not(None))) == 1


def test_database_refuses_a_second_active_booking_of_a_slot(setup, make_registration):
    """Even bypassing the service, the unique constraint stops a double booking."""
    from sqlalchemy.exc import IntegrityError

    assessor, registration, slot = setup
    other = make_registration("en")
    db.session.add(OralBooking(slot_id=slot.id, registration_id=registration.id,
                               active_slot_id=slot.id, active_registration_id=registration.id))
    db.session.commit()
    db.session.add(OralBooking(slot_id=slot.id, registration_id=other.id,
                               active_slot_id=slot.id, active_registration_id=other.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_cancellation_emails_candidate_and_partner(setup, make_user, frozen_clock):
    assessor, registration, slot = setup
    admin = make_user("partner", org=registration.partner, email="admin@organisme.fr")
    services.book_slot(registration.candidate, registration, slot.id)
    services.cancel_booking(registration.candidate, registration)
    db.session.commit()
    messages = {m.to_email: m for m in db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.kind.like("oral-cancelled%")))}
    assert set(messages) == {registration.candidate.email, admin.email}
    candidate_mail = messages[registration.candidate.email]
    assert "est annulé" in candidate_mail.subject
    assert "Un nouveau créneau peut être réservé" in candidate_mail.body_text
    # A late cancellation says the oral counts as taken.
    services.book_slot(registration.candidate, registration, slot.id)
    frozen_clock(SLOT_START - dt.timedelta(hours=2))
    services.cancel_booking(registration.candidate, registration, late_ok=True)
    db.session.commit()
    late = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.kind == "oral-cancelled").order_by(OutboxMessage.id.desc())).first()
    assert "comptée comme passée" in late.body_text


def test_two_hundred_candidates_race_for_twenty_slots(app, setup, make_registration, make_slot):
    """Issue "Proof": every slot booked exactly once, every loser told the slot was taken."""
    assessor, first, slot = setup
    slots = [slot] + [make_slot(assessor, SLOT_START + dt.timedelta(minutes=30 * k))
                      for k in range(1, 20)]
    registrations = [first] + [make_registration("en") for _ in range(199)]
    jobs = [(r.id, slots[i % 20].id) for i, r in enumerate(registrations)]
    db.session.remove()
    results = _race(app, jobs)
    assert len(results) == 200
    assert results.count("ok") == 20, sorted(set(results))
    assert results.count("taken") == 180, sorted(set(results))
    active = db.session.scalars(db.select(OralBooking).where(OralBooking.status == "booked")).all()
    assert sorted(b.active_slot_id for b in active) == sorted(s.id for s in slots)
