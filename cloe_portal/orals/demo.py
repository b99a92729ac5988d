"""Demo orals (ORDER 50): a week of availability, booked, locked, scored, absent, waitlisted.

Uses the registrations of earlier seeders (``ctx.extra["registrations"]``) and the assessors
of the assessors seeder (``ctx.extra["assessors"]``); the demo assessor's accreditation in
English and French is created here only if that seeder did not run.
"""

from __future__ import annotations

import datetime as dt

from cloe_portal import clock
from cloe_portal.assessors.models import Accreditation, AssessorProfile, is_accredited
from cloe_portal.demo import DemoContext
from cloe_portal.extensions import db
from cloe_portal.orals import services
from cloe_portal.orals.models import OralAssessment, OralBooking, OralSlot
from cloe_portal.rules.calendar import paris_date
from cloe_portal.rules.cefr import ORAL_CRITERIA
from cloe_portal.sessions.status import set_status

ORDER = 50

REPORT = (
    "Entretien mené dans de bonnes conditions. Le candidat répond avec aisance aux questions "
    "d'introduction et développe ses réponses sur son poste. La mise en situation est bien "
    "conduite : il reformule et relance l'échange. Vocabulaire professionnel adapté, "
    "quelques erreurs de temps qui ne gênent pas la compréhension. Prononciation claire."
)


def _ensure_accredited(ctx: DemoContext) -> None:
    today = clock.today_paris()
    for language in ("en", "fr"):
        if not is_accredited(ctx.assessor.id, language):
            db.session.add(Accreditation(
                assessor_id=ctx.assessor.id, language=language, status="accredited",
                validated_on=today - dt.timedelta(days=100),
                valid_until=today + dt.timedelta(days=630)))
    if db.session.scalar(db.select(AssessorProfile).where(
            AssessorProfile.user_id == ctx.assessor.id)) is None:
        db.session.add(AssessorProfile(user_id=ctx.assessor.id,
                                       video_link="https://visio.cel-paris.example.fr/evaluateur"))
    db.session.flush()


def _make_slot(assessor, language: str, start: dt.datetime) -> OralSlot:  # noqa: ANN001
    slot = OralSlot(assessor_id=assessor.id, language=language, starts_at=start,
                    ends_at=start + services.SLOT, created_at=start - dt.timedelta(days=10))
    db.session.add(slot)
    db.session.flush()
    return slot


def _direct_booking(registration, slot: OralSlot, by) -> OralBooking:  # noqa: ANN001
    """A booking made outside today's rules (past orals, sessions whose window has closed)."""
    booking = OralBooking(slot_id=slot.id, registration_id=registration.id,
                          active_slot_id=slot.id, active_registration_id=registration.id,
                          status="booked", booked_by_id=by.id,
                          created_at=slot.starts_at - dt.timedelta(days=5))
    db.session.add(booking)
    db.session.flush()
    return booking


def seed(ctx: DemoContext) -> None:
    """A week of slots for every accredited assessor, and one registration in each oral state."""
    _ensure_accredited(ctx)
    today = clock.today_paris()
    now = clock.now()
    by_language = ctx.extra.get("assessors") or {"en": [ctx.assessor], "fr": [ctx.assessor]}
    # A week of availability: the demo assessor in English mornings, French afternoons.
    for offset in range(1, 8):
        day = today + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        services.publish_block(ctx.assessor, ctx.assessor, "en", day, dt.time(9), dt.time(12))
        services.publish_block(ctx.assessor, ctx.assessor, "fr", day, dt.time(14), dt.time(16))
        for language, people in by_language.items():
            for person in people:
                if person.id != ctx.assessor.id and is_accredited(person.id, language):
                    services.publish_block(person, person, language, day, dt.time(10), dt.time(12))
    registrations = ctx.extra.get("registrations", [])
    waiting = [r for r in registrations if r.status == "written_done" and r.session.language == "en"
               and r.written_done_at is not None]
    # 1. booked in a few days (changeable), 2. waitlisted.
    if waiting:
        registration = waiting.pop(0)
        monday = services.week_start(today)
        slots = [s for s in services.free_slots(registration, monday)
                 + services.free_slots(registration, monday + dt.timedelta(days=7))
                 if s.starts_at > now + dt.timedelta(days=3)]
        if slots:
            services.book_slot(registration.candidate, registration, slots[len(slots) // 2].id)
    if waiting:
        services.join_waitlist(waiting[0].candidate, waiting.pop(0))
    # 3. locked: less than 24 h away, on the demo assessor's agenda.
    start = (now + dt.timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
    booked_already = [r for r in registrations if r.status == "oral_booked"
                      and services.active_booking(r) is None]
    for index, registration in enumerate(booked_already):
        language = registration.session.language
        people = [p for p in by_language.get(language, []) if is_accredited(p.id, language)]
        if not people:
            continue
        assessor = people[0]
        slot_start = start + dt.timedelta(hours=index * 2) if index < 2 else (
            start + dt.timedelta(days=2 + index, hours=1))
        slot = db.session.scalar(db.select(OralSlot).where(
            OralSlot.assessor_id == assessor.id, OralSlot.starts_at == slot_start))
        slot = slot or _make_slot(assessor, language, slot_start)
        if slot.active_booking is None:
            _direct_booking(registration, slot, ctx.partner_admin)
    # 4. past and scored, 5. absent: the oral_done registrations without a grid yet.
    done = [r for r in registrations if r.status == "oral_done"
            and r.session.language in ("en", "fr") and services.oral_outcome(r) is None]
    yesterday = today - dt.timedelta(days=1)
    for index, registration in enumerate(done[:3]):
        # Late afternoon: the jury seeder (ORDER 60) puts its own past orals in the morning.
        start = services.paris_to_utc(yesterday - dt.timedelta(days=index), dt.time(16, 30))
        slot = _make_slot(ctx.assessor, registration.session.language, start)
        booking = _direct_booking(registration, slot, registration.candidate)
        absent = index == 2
        assessment = OralAssessment(
            booking_id=booking.id, assessor_id=ctx.assessor.id,
            identity_checked=None if absent else True,
            attendance="absent" if absent else ("present", "late_admitted")[index % 2],
            arrival_at=None if absent else start + dt.timedelta(minutes=(1, 6)[index % 2]),
            report=None if absent else REPORT,
            saved_at=start + dt.timedelta(minutes=25),
            validated_at=start + dt.timedelta(minutes=28),
            created_at=start,
        )
        if not absent:
            levels = ("B1", "B1+", "A2+", "B1", "B2-")
            for criterion, level in zip(ORAL_CRITERIA, levels[index:] + levels[:index], strict=True):
                setattr(assessment, criterion, level)
        db.session.add(assessment)
        set_status(registration, "oral_done", ctx.assessor)
    db.session.flush()
    ctx.extra["oral_week_start"] = services.week_start(paris_date(now))
