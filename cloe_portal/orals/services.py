"""Oral use cases: publish availability, book/change/cancel, waitlist, score, referent actions.

Services take the acting user and the objects, change the database, write the audit log,
queue emails and flush; the view commits. Rules of time come from ``rules.windows``.

Decisions written down here:
- Availability is published in Paris wall-clock time and stored in UTC, one row per
  30-minute slot; an assessor has at most one slot per start time (one language each).
- A booking made or moved after the 24 h lock is possible (the seed only forbids
  *changing* it) but is locked at once.
- A cancellation after the lock counts as taken: the registration goes to ``oral_done``
  and ``oral_outcome`` reports ``attendance="absent"`` with ``cancelled_late=True``.
  "Absent" and "refused for lateness" also close the oral at ``oral_done``; the jury reads
  ``OralOutcome.taken`` to tell an oral not taken from a scored one.
- Attendance and the grid are written from the slot start (never before: no result for an
  oral that has not happened) until the end of the next working day (``rules.windows.
  grid_deadline``); an arrival typed before the start counts as on time (the candidate
  waited), one in the future is refused. After the deadline only a referent's reopening,
  with a reason, gives the grid back until the end of the working day after it; the same
  action reopens a validated grid for correction (``reopen_assessment``).
- A freed slot is first held for the oldest waitlisted registration that can book it
  (``WAITLIST_HOLD``, never past the slot start), who is told by email; when the hold
  lapses unbooked the scheduler offers it to the next in line (``pass_on_lapsed_holds``),
  and it stays open to everyone meanwhile.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from flask import current_app, has_request_context, url_for
from icalendar import Calendar, Event
from sqlalchemy import Select, bindparam, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.appeals.models import OPEN_STATUSES as APPEAL_OPEN_STATUSES
from cloe_portal.appeals.models import Appeal
from cloe_portal.assessors.models import (
    Accreditation,
    AssessorProfile,
    accredited_languages,
    is_accredited,
)
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.formatting import DAYS_FR, MONTHS_FR
from cloe_portal.jury.models import JuryReview
from cloe_portal.notifications.mail import queue_email
from cloe_portal.orals.models import (
    ATTENDANCE,
    ATTENDED,
    OralAssessment,
    OralBooking,
    OralSlot,
    OralWaitlistEntry,
)
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.rules import windows
from cloe_portal.rules.calendar import PARIS, UTC, paris_date, to_paris
from cloe_portal.rules.cefr import ORAL_CRITERIA, SUBLEVELS
from cloe_portal.rules.text import clean_labelled
from cloe_portal.sessions.models import (
    DROPPED_STATUSES,
    AccommodationRequest,
    ExamSession,
    Registration,
)
from cloe_portal.sessions.status import set_status

SLOT = windows.SLOT_DURATION
MAX_WEEKS = 26
REPORT_MIN_LENGTH = 200
WAITLIST_HOLD = dt.timedelta(hours=12)
BOOKABLE_STATUSES = ("written_done", "oral_booked")


class OralError(Exception):
    """A refused action, with the French message shown to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SlotTaken(OralError):
    """Someone else booked the slot first."""


# --- time helpers ----------------------------------------------------------------------


def paris_to_utc(day: dt.date, at: dt.time) -> dt.datetime:
    """Return the UTC instant of a Paris wall-clock time on a day."""
    return dt.datetime.combine(day, at, tzinfo=PARIS).astimezone(UTC)


def paris_when(moment: dt.datetime) -> str:
    """'mardi 10 mars 2026 à 10:00' in Paris time, for the French messages of this module."""
    local = to_paris(moment)
    return (f"{DAYS_FR[local.weekday()]} {local.day} {MONTHS_FR[local.month - 1]} "
            f"{local.year} à {local:%H:%M}")


def week_start(day: dt.date) -> dt.date:
    """Return the Monday of the week containing ``day``."""
    return day - dt.timedelta(days=day.weekday())


def week_bounds_utc(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Return [Monday 00:00, next Monday 00:00) Paris, in UTC."""
    return paris_to_utc(monday, dt.time()), paris_to_utc(monday + dt.timedelta(days=7), dt.time())


def absolute_url(endpoint: str, **values: object) -> str:
    """A link for an email: BASE_URL + the endpoint's path (works outside requests too)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)


# --- availability ------------------------------------------------------------------------


@dataclass
class PublishResult:
    """What a publication did: slots created, and starts skipped (with why)."""

    created: list[OralSlot] = field(default_factory=list)
    skipped_existing: int = 0
    skipped_past: int = 0
    skipped_exception: int = 0


def _check_accredited(assessor: User, language: str) -> None:
    if assessor.role != "assessor" or not is_accredited(assessor.id, language):
        name = LANGUAGES.get(language, language)
        raise OralError(
            f"Vous n'êtes pas habilité(e) aujourd'hui à évaluer en {name.lower()} : "
            "vous ne pouvez pas publier de créneaux dans cette langue."
        )


def slot_starts(day: dt.date, start: dt.time, end: dt.time) -> list[dt.datetime]:
    """Return the UTC starts of the 30-minute slots between two Paris times on a day."""
    if end <= start:
        raise OralError("L'heure de fin doit être après l'heure de début.")
    starts = []
    cursor = dt.datetime.combine(day, start)
    limit = dt.datetime.combine(day, end)
    while cursor + SLOT <= limit:
        starts.append(cursor.replace(tzinfo=PARIS).astimezone(UTC))
        cursor += SLOT
    if not starts:
        raise OralError("La plage horaire doit durer au moins 30 minutes.")
    return starts


def _create_slots(actor: User, assessor: User, language: str, starts: list[dt.datetime],
                  result: PublishResult) -> PublishResult:
    now = clock.now()
    existing = {
        slot.starts_at: slot
        for slot in db.session.scalars(
            select(OralSlot).where(
                OralSlot.assessor_id == assessor.id, OralSlot.starts_at.in_(starts)
            )
        )
    }
    for start in starts:
        if start <= now:
            result.skipped_past += 1
        elif start in existing and existing[start].withdrawn_at is not None:
            slot = existing[start]  # published again after being removed
            slot.withdrawn_at = None
            slot.language = language
            result.created.append(slot)
        elif start in existing:
            result.skipped_existing += 1
        else:
            slot = OralSlot(assessor_id=assessor.id, language=language, starts_at=start,
                            ends_at=start + SLOT, created_at=now)
            db.session.add(slot)
            result.created.append(slot)
    db.session.flush()
    record(actor, "oral.availability.publish", assessor,
           details={"language": language, "created": len(result.created),
                    "skipped": result.skipped_existing + result.skipped_past})
    for slot in result.created:
        _offer_to_waitlist(slot)
    return result


def publish_block(actor: User, assessor: User, language: str, day: dt.date,
                  start: dt.time, end: dt.time) -> PublishResult:
    """Publish one-off availability on a day (Paris times) as 30-minute slots."""
    _check_accredited(assessor, language)
    return _create_slots(actor, assessor, language, slot_starts(day, start, end), PublishResult())


def publish_weekly(actor: User, assessor: User, language: str, first_day: dt.date,
                   start: dt.time, end: dt.time, weeks: int,
                   except_from: dt.date | None = None,
                   except_to: dt.date | None = None) -> PublishResult:
    """Publish the same block every week from ``first_day`` for ``weeks`` weeks, minus exceptions."""
    _check_accredited(assessor, language)
    if not 1 <= weeks <= MAX_WEEKS:
        raise OralError(f"Le nombre de semaines doit être compris entre 1 et {MAX_WEEKS}.")
    result = PublishResult()
    starts: list[dt.datetime] = []
    for k in range(weeks):
        day = first_day + dt.timedelta(weeks=k)
        day_starts = slot_starts(day, start, end)
        if except_from and except_to and except_from <= day <= except_to:
            result.skipped_exception += len(day_starts)
            continue
        starts.extend(day_starts)
    return _create_slots(actor, assessor, language, starts, result)


def remove_free_slots(actor: User, assessor: User, from_day: dt.date,
                      to_day: dt.date) -> tuple[int, int]:
    """Remove the free slots in a date range (holidays); return (removed, booked kept)."""
    if to_day < from_day:
        raise OralError("La date de fin doit être après la date de début.")
    start = paris_to_utc(from_day, dt.time())
    end = paris_to_utc(to_day + dt.timedelta(days=1), dt.time())
    slots = list(db.session.scalars(
        select(OralSlot).options(joinedload(OralSlot.active_booking)).where(
            OralSlot.assessor_id == assessor.id,
            OralSlot.starts_at >= start, OralSlot.starts_at < end,
        )
    ))
    removed = kept = 0
    for slot in slots:
        if slot.active_booking is not None:
            kept += 1
        elif slot.starts_at > clock.now():
            _delete_free_slot(slot)
            removed += 1
    db.session.flush()
    record(actor, "oral.availability.exception", assessor,
           details={"from": from_day.isoformat(), "to": to_day.isoformat(),
                    "removed": removed, "booked_kept": kept})
    return removed, kept


def _delete_free_slot(slot: OralSlot) -> None:
    used = db.session.scalar(select(OralBooking.id).where(OralBooking.slot_id == slot.id).limit(1))
    for entry in db.session.scalars(
        select(OralWaitlistEntry).where(OralWaitlistEntry.offered_slot_id == slot.id)
    ):
        entry.offered_slot_id = None
    if used is None:
        db.session.delete(slot)
    else:
        # A released booking still points at it: keep the row for the history.
        slot.held_for_registration_id = None
        slot.held_until = None
        slot.withdrawn_at = clock.now()


def delete_slot(actor: User, slot: OralSlot) -> None:
    """Remove a free slot; a booked slot can only be reassigned by a referent."""
    if slot.active_booking is not None:
        raise OralError(
            "Ce créneau est réservé par un candidat : il ne peut pas être supprimé. "
            "Demandez au référent de réattribuer l'oral à un autre évaluateur."
        )
    record(actor, "oral.slot.delete", slot,
           details={"starts_at": slot.starts_at.isoformat(), "language": slot.language})
    _delete_free_slot(slot)
    db.session.flush()


def _withdrawn(slot: OralSlot) -> bool:
    return slot.withdrawn_at is not None


def assessor_week(assessor: User, monday: dt.date) -> list[OralSlot]:
    """The assessor's slots of a Paris week, with their bookings (two queries)."""
    start, end = week_bounds_utc(monday)
    slots = db.session.scalars(
        select(OralSlot)
        .options(joinedload(OralSlot.active_booking).joinedload(OralBooking.registration)
                 .joinedload(Registration.candidate))
        .where(OralSlot.assessor_id == assessor.id, OralSlot.starts_at >= start,
               OralSlot.starts_at < end, OralSlot.withdrawn_at.is_(None))
        .order_by(OralSlot.starts_at)
    )
    return list(slots)


class DayOral(NamedTuple):
    """One oral of the assessor's day view: only what the page shows."""

    booking_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    language: str
    full_name: str
    domain: str | None
    target_level: str
    written_questions: bool  # the referent approved the oral questions in writing
    attendance: str | None  # None: no grid yet
    saved_at: dt.datetime | None
    validated_at: dt.datetime | None

    @property
    def attendance_label(self) -> str:
        return ATTENDANCE.get(self.attendance or "", "Non renseignée")


@functools.cache
def _day_statement() -> Select:
    """The day view's query, built once (building it costs about a third of running it)."""
    written_questions = exists().where(
        AccommodationRequest.registration_id == Registration.id,
        AccommodationRequest.kind == "written_oral_questions",
        AccommodationRequest.status == "approved",
    )
    return (
        select(OralBooking.id, OralSlot.starts_at, OralSlot.ends_at, OralSlot.language,
               User.first_name, User.last_name, ExamSession.domain, Registration.target_level,
               written_questions.label("written_questions"), OralAssessment.attendance,
               OralAssessment.saved_at, OralAssessment.validated_at)
        .join(OralSlot, OralBooking.slot_id == OralSlot.id)
        .join(Registration, OralBooking.registration_id == Registration.id)
        .join(User, Registration.candidate_id == User.id)
        .join(ExamSession, Registration.session_id == ExamSession.id)
        .outerjoin(OralAssessment, OralAssessment.booking_id == OralBooking.id)
        .where(OralSlot.assessor_id == bindparam("assessor_id"),
               OralSlot.starts_at >= bindparam("start"), OralSlot.starts_at < bindparam("end"),
               OralBooking.status == "booked")
        .order_by(OralSlot.starts_at)
    )


def assessor_day(assessor: User, day: dt.date) -> list[DayOral]:
    """The assessor's booked orals of a Paris day, in time order (one query)."""
    params = {"assessor_id": assessor.id, "start": paris_to_utc(day, dt.time()),
              "end": paris_to_utc(day + dt.timedelta(days=1), dt.time())}
    out = []
    for row in db.session.execute(_day_statement(), params):
        (booking_id, starts_at, ends_at, language, _first, _last, domain, target_level,
         written_questions, *grid) = row
        out.append(DayOral(booking_id, starts_at, ends_at, language, User.full_name.fget(row),
                           domain, target_level, bool(written_questions), *grid))
    return out


def video_link(assessor_id: int) -> str | None:
    """The assessor's video-conference link, if set."""
    return db.session.scalar(
        select(AssessorProfile.video_link).where(AssessorProfile.user_id == assessor_id)
    )


# --- booking -------------------------------------------------------------------------------


def booking_window(registration: Registration) -> windows.Window | None:
    """When this registration may book (None before the written test is done)."""
    if registration.written_done_at is None:
        return None
    return windows.booking_window(registration.written_done_at,
                                  registration.session.written_date,
                                  registration.booking_extension_days)


def active_booking(registration: Registration) -> OralBooking | None:
    """The booking currently holding a slot for this registration."""
    return db.session.scalar(
        select(OralBooking).options(joinedload(OralBooking.slot))
        .where(OralBooking.active_registration_id == registration.id)
    )


def latest_booking(registration: Registration) -> OralBooking | None:
    """The registration's most recent booking that is not voided, active or not."""
    return db.session.scalar(
        select(OralBooking).options(joinedload(OralBooking.slot))
        .where(OralBooking.registration_id == registration.id,
               OralBooking.status != "voided", OralBooking.status != "cancelled")
        .order_by(OralBooking.id.desc()).limit(1)
    )


def is_locked(booking: OralBooking) -> bool:
    """Less than 24 h remain before the oral: the booking can no longer be changed."""
    return windows.is_locked(booking.slot.starts_at, clock.now())


def booking_blocker(registration: Registration) -> str | None:
    """Why this registration cannot choose a slot now, in French (None when it can)."""
    if registration.status not in BOOKABLE_STATUSES:
        if registration.status in ("enrolled", "identity_done"):
            return "Le rendez-vous oral se prend après le test écrit."
        return "L'oral de cette inscription n'est plus à réserver."
    current = active_booking(registration)
    if current is not None and clock.now() >= current.slot.starts_at:
        return "Votre entretien oral a commencé ou a eu lieu : le rendez-vous ne peut plus être modifié."
    if current is not None and is_locked(current):
        return (
            "Votre rendez-vous a lieu dans moins de 24 heures : il est verrouillé et ne peut "
            "plus être modifié. En cas de force majeure, contactez votre organisme de formation."
        )
    window = booking_window(registration)
    if window is None or window.is_empty or window.state(clock.now()) == "closed":
        return (
            "La période de réservation est terminée. Contactez votre organisme de formation "
            "pour prolonger l'accès."
        )
    return None


# What the candidate's (and the partner's) oral page shows, by registration status and time:
# before_written  enrolled / identity done: the oral is booked after the written test
# to_book         written test done, booking window open: the calendar
# booking_closed  written test done, cannot book (window closed): contact the organisation
# booked          booked, more than 24 h before: change or cancel
# locked          booked, less than 24 h before: no change (a late cancellation counts)
# in_progress     the slot has started and not ended, the oral is not closed as not taken
# done            the oral took place (grid awaited, validated, or before the jury)
# not_taken       absent, refused for lateness, or cancelled late: contact the organisation
# results         results published: a link to them
# cancelled       the registration is cancelled or withdrawn
# Registrations whose oral page has something to show (past the written test).
ORAL_PAGE_STATUSES = ("written_done", "oral_booked", "oral_done", "awaiting_jury",
                      "results_issued")
ORAL_PAGE_STATES = ("before_written", "to_book", "booking_closed", "booked", "locked",
                    "in_progress", "done", "not_taken", "results", "cancelled")


@dataclass(frozen=True)
class OralPageState:
    """The oral as its candidate (or partner) sees it, decided in one place."""

    state: str  # one of ORAL_PAGE_STATES
    booking: OralBooking | None = None  # the appointment to show (held, or the last closed)
    outcome: OralOutcome | None = None  # set when the oral is closed
    blocker: str | None = None  # why no slot can be chosen (booking_closed)

    @property
    def can_choose_slot(self) -> bool:
        """The calendar is offered: to book, or to move a booking not yet locked."""
        return self.state in ("to_book", "booked")

    @property
    def can_cancel(self) -> bool:
        """Cancelling frees the slot and lets the candidate book again."""
        return self.state == "booked"

    @property
    def can_cancel_late(self) -> bool:
        """Cancelling now counts the oral as taken (not attended): explained before."""
        return self.state == "locked"

    @property
    def lock_at(self) -> dt.datetime | None:
        return windows.lock_time(self.booking.slot.starts_at) if self.booking else None


def oral_page_state(registration: Registration, now: dt.datetime | None = None) -> OralPageState:
    """Decide what the oral page of a registration shows now (see ORAL_PAGE_STATES)."""
    now = now or clock.now()
    status = registration.status
    if status in DROPPED_STATUSES:
        return OralPageState("cancelled")
    if status in ("enrolled", "identity_done"):
        return OralPageState("before_written")
    if status == "results_issued":
        return OralPageState("results", latest_booking(registration), oral_outcome(registration))
    current = active_booking(registration)
    if status == "oral_booked" and current is not None:
        start, end = current.slot.starts_at, current.slot.ends_at
        if now >= end:
            return OralPageState("done", current)
        if now >= start:
            return OralPageState("in_progress", current)
        return OralPageState("locked" if windows.is_locked(start, now) else "booked", current)
    if status in ("oral_done", "awaiting_jury"):
        outcome = oral_outcome(registration)
        booking = current or latest_booking(registration)
        if outcome is not None and not outcome.taken:
            return OralPageState("not_taken", booking, outcome)
        return OralPageState("done", booking, outcome)
    blocker = booking_blocker(registration)
    return OralPageState("booking_closed" if blocker else "to_book", blocker=blocker)


def _accredited_on(slots: list[OralSlot]) -> list[OralSlot]:
    """Keep slots whose assessor is accredited today and still on the slot's day."""
    if not slots:
        return []
    today = clock.today_paris()
    accreditations = db.session.execute(
        select(Accreditation.assessor_id, Accreditation.language, Accreditation.valid_until)
        .where(Accreditation.assessor_id.in_({s.assessor_id for s in slots}),
               Accreditation.status == "accredited", Accreditation.validated_on <= today,
               Accreditation.valid_until >= today)
    ).all()
    best: dict[tuple[int, str], dt.date] = {}
    for assessor_id, language, valid_until in accreditations:
        key = (assessor_id, language)
        best[key] = max(best.get(key, valid_until), valid_until)
    return [s for s in slots
            if best.get((s.assessor_id, s.language), dt.date.min) >= paris_date(s.starts_at)]


def _free_slots_query(registration: Registration, start: dt.datetime, end: dt.datetime):
    now = clock.now()
    return (
        select(OralSlot)
        .outerjoin(OralBooking, OralBooking.active_slot_id == OralSlot.id)
        .where(
            OralSlot.language == registration.session.language,
            OralSlot.starts_at >= start, OralSlot.starts_at <= end,
            OralSlot.starts_at > now,
            OralSlot.withdrawn_at.is_(None),
            OralBooking.id.is_(None),
            or_(OralSlot.held_until.is_(None), OralSlot.held_until <= now,
                OralSlot.held_for_registration_id == registration.id),
        )
        .order_by(OralSlot.starts_at, OralSlot.id)
    )


def free_slots(registration: Registration, monday: dt.date) -> list[OralSlot]:
    """Free slots in the registration's language, in its booking window, for a Paris week."""
    window = booking_window(registration)
    if window is None or window.is_empty:
        return []
    week_start_utc, week_end_utc = week_bounds_utc(monday)
    start = max(window.opens_at, week_start_utc)
    end = min(window.closes_at, week_end_utc - dt.timedelta(microseconds=1))
    if end < start:
        return []
    slots = list(db.session.scalars(_free_slots_query(registration, start, end)))
    return _accredited_on(slots)


def next_free_slot(registration: Registration, after: dt.datetime) -> OralSlot | None:
    """The first free slot after an instant (to jump to the next week with slots)."""
    window = booking_window(registration)
    if window is None or window.is_empty:
        return None
    start = max(window.opens_at, after)
    stmt = _free_slots_query(registration, start, window.closes_at).limit(50)
    slots = _accredited_on(list(db.session.scalars(stmt)))
    return slots[0] if slots else None


def bookable_slot(registration: Registration, slot: OralSlot) -> str | None:
    """Why this slot cannot be booked for this registration (None when it can)."""
    blocker = booking_blocker(registration)
    if blocker:
        return blocker
    window = booking_window(registration)
    now = clock.now()
    if slot.language != registration.session.language:
        return "Ce créneau n'est pas dans la langue de votre certification."
    if not windows.slot_bookable(slot.starts_at, now, registration.written_done_at,
                                 registration.session.written_date,
                                 registration.booking_extension_days) or window is None:
        return "Ce créneau n'est pas dans votre période de réservation."
    if slot.held_until is not None and slot.held_until > now and (
        slot.held_for_registration_id != registration.id
    ):
        return "Ce créneau n'est plus disponible."
    if not _accredited_on([slot]):
        return "Ce créneau n'est plus disponible."
    return None


def book_slot(actor: User, registration: Registration, slot_id: int) -> OralBooking:
    """Book (or move to) a slot; the database guarantees one holder per slot and registration."""
    slot = db.session.get(OralSlot, slot_id)
    if slot is None or _withdrawn(slot):
        raise SlotTaken("Ce créneau n'est plus disponible. Le calendrier a été actualisé.")
    reason = bookable_slot(registration, slot)
    if reason:
        raise OralError(reason)
    now = clock.now()
    previous = active_booking(registration)
    if previous is not None and previous.slot_id == slot.id:
        return previous
    # Read everything before the savepoint: on SQLite a read inside the write transaction
    # pins a snapshot that a concurrent commit makes stale ("database is locked").
    actor_id, registration_id = actor.id, registration.id
    try:
        with db.session.begin_nested():
            if previous is not None:
                _release(previous, "cancelled", now, "Rendez-vous modifié")
                db.session.flush()
            booking = OralBooking(
                slot_id=slot_id, registration_id=registration_id, active_slot_id=slot_id,
                active_registration_id=registration_id, status="booked",
                booked_by_id=actor_id, created_at=now,
            )
            db.session.add(booking)
            db.session.flush()
    except IntegrityError:
        raise SlotTaken(
            "Ce créneau vient d'être réservé par un autre candidat. Le calendrier a été "
            "actualisé : choisissez un autre créneau."
        ) from None
    slot.held_for_registration_id = None
    slot.held_until = None
    set_status(registration, "oral_booked", actor)
    for entry in _waiting_entries(registration):
        entry.status = "closed"
    record(actor, "oral.book", booking, details={
        "slot_id": slot.id, "starts_at": slot.starts_at.isoformat(),
        "previous_booking_id": previous.id if previous else None,
    })
    _send_confirmation(booking, by_partner=actor.role == "partner")
    if previous is not None:
        _offer_to_waitlist(previous.slot)
    db.session.flush()
    return booking


def _release(booking: OralBooking, status: str, now: dt.datetime, reason: str | None) -> None:
    booking.status = status
    booking.active_slot_id = None
    booking.active_registration_id = None
    booking.released_at = now
    booking.release_reason = reason


def cancel_booking(actor: User, registration: Registration, late_ok: bool = False) -> OralBooking:
    """Cancel the registration's booking; after the 24 h lock only with ``late_ok`` (counted)."""
    booking = active_booking(registration)
    if booking is None or registration.status != "oral_booked":
        raise OralError("Aucun rendez-vous à annuler.")
    now = clock.now()
    slot = booking.slot
    if now >= slot.starts_at:
        raise OralError("L'oral a déjà commencé : il ne peut plus être annulé.")
    if is_locked(booking):
        if not late_ok:
            raise OralError(
                "Votre rendez-vous a lieu dans moins de 24 heures : il est verrouillé. "
                "Une annulation maintenant compte l'épreuve comme passée."
            )
        _release(booking, "late_cancelled", now, "Annulé moins de 24 h avant l'oral")
        set_status(registration, "oral_done", actor, reason="Annulation moins de 24 h avant l'oral")
        record(actor, "oral.cancel_late", booking)
    else:
        _release(booking, "cancelled", now, "Annulé par le candidat ou son organisme")
        set_status(registration, "written_done", actor)
        record(actor, "oral.cancel", booking)
    db.session.flush()
    _send_cancellation(booking, late=booking.status == "late_cancelled")
    _offer_to_waitlist(slot)
    db.session.flush()
    return booking


def _waiting_entries(registration: Registration) -> list[OralWaitlistEntry]:
    return list(db.session.scalars(
        select(OralWaitlistEntry).where(
            OralWaitlistEntry.registration_id == registration.id,
            OralWaitlistEntry.status.in_(("waiting", "offered")),
        )
    ))


def join_waitlist(actor: User, registration: Registration) -> OralWaitlistEntry:
    """Ask to be told by email when a slot frees up in the registration's language."""
    if registration.status != "written_done":
        raise OralError("La liste d'attente est ouverte aux candidats qui n'ont pas encore réservé.")
    existing = _waiting_entries(registration)
    if existing:
        return existing[0]
    entry = OralWaitlistEntry(registration_id=registration.id,
                              language=registration.session.language, created_at=clock.now())
    db.session.add(entry)
    db.session.flush()
    record(actor, "oral.waitlist.join", entry)
    return entry


def waitlist_entry(registration: Registration) -> OralWaitlistEntry | None:
    """The registration's open waitlist entry, if any."""
    entries = _waiting_entries(registration)
    return entries[0] if entries else None


def release_registration(registration: Registration, reason: str,
                         now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Free whatever a registration that ends holds in the oral calendar (nothing deleted).

    Its booking is released (kept as history, "cancelled" with ``reason``), its waitlist
    entries are closed, and every slot it held or was offered goes to the next candidate
    waiting in that language. Returns the ids touched, for the caller's audit entry."""
    now = now or clock.now()
    freed: list[OralSlot] = []
    booking = active_booking(registration)
    if booking is not None:
        _release(booking, "cancelled", now, reason)
        freed.append(booking.slot)
    entries = _waiting_entries(registration)
    for entry in entries:
        entry.status = "closed"
    held = list(db.session.scalars(
        select(OralSlot).where(OralSlot.held_for_registration_id == registration.id)))
    for slot in held:
        slot.held_for_registration_id = None
        slot.held_until = None
    db.session.flush()
    for slot in dict.fromkeys([*freed, *held]):
        _offer_to_waitlist(slot, skip={registration.id}, now=now)
    return {"booking_ids": [booking.id] if booking is not None else [],
            "waitlist_ids": [e.id for e in entries], "held_slot_ids": [s.id for s in held]}


def pass_on_lapsed_holds(now: dt.datetime | None = None) -> int:
    """Slots whose waitlist hold ran out unbooked go to the next registration in line.

    The one who let the hold lapse goes back to waiting, keeping their place for the next
    freed slot. Run by the scheduler (``orals.jobs``); returns how many slots were offered
    again.
    """
    now = now or clock.now()
    offered = 0
    lapsed_slots = db.session.scalars(
        select(OralSlot).where(OralSlot.held_until.is_not(None), OralSlot.held_until <= now,
                               OralSlot.starts_at > now).order_by(OralSlot.id)
    ).all()
    for slot in lapsed_slots:
        lapsed = {slot.held_for_registration_id}
        slot.held_for_registration_id = None
        slot.held_until = None
        for entry in db.session.scalars(
            select(OralWaitlistEntry).where(OralWaitlistEntry.offered_slot_id == slot.id,
                                            OralWaitlistEntry.status == "offered")
        ):
            entry.status = "waiting"
            entry.offered_slot_id = None
            record(None, "oral.waitlist.lapsed", entry, details={"slot_id": slot.id})
        db.session.flush()
        if _offer_to_waitlist(slot, skip=lapsed, now=now) is not None:
            offered += 1
    return offered


def _offer_to_waitlist(slot: OralSlot, skip: set[int | None] | None = None,
                       now: dt.datetime | None = None) -> OralWaitlistEntry | None:
    """Hold a freed (or new) slot for the first waitlisted registration that can book it
    (``skip``: registrations that let a hold on it lapse)."""
    now = now or clock.now()
    if slot.starts_at <= now or _withdrawn(slot):
        return None
    if slot.held_until is not None and slot.held_until > now:
        return None
    entries = db.session.scalars(
        select(OralWaitlistEntry)
        .options(joinedload(OralWaitlistEntry.registration))
        .where(OralWaitlistEntry.language == slot.language,
               OralWaitlistEntry.status == "waiting")
        .order_by(OralWaitlistEntry.created_at, OralWaitlistEntry.id)
    )
    for entry in entries:
        registration = entry.registration
        if registration.id in (skip or ()) or bookable_slot(registration, slot) is not None:
            continue
        slot.held_for_registration_id = registration.id
        slot.held_until = min(now + WAITLIST_HOLD, slot.starts_at)
        entry.status = "offered"
        entry.offered_slot_id = slot.id
        entry.offered_at = now
        db.session.flush()
        candidate = registration.candidate
        queue_email(
            candidate.email, "oral_slot_offered", kind="oral_slot_offered",
            key=f"oral-slot-offered:waitlist-{entry.id}:slot-{slot.id}",
            recipient_id=candidate.id, candidate=candidate, slot=slot,
            held_until=slot.held_until,
            language_name=LANGUAGES.get(slot.language, slot.language),
            booking_url=absolute_url("orals.candidate_confirm", registration_id=registration.id,
                                     slot_id=slot.id),
        )
        record(None, "oral.waitlist.offer", entry, details={"slot_id": slot.id})
        return entry
    return None


def bookings_starting_between(start: dt.datetime, end: dt.datetime) -> list[OralBooking]:
    """Active bookings whose oral starts in [start, end) — for the 24 h reminder job."""
    return list(db.session.scalars(
        select(OralBooking)
        .join(OralSlot, OralBooking.slot_id == OralSlot.id)
        .options(joinedload(OralBooking.slot).joinedload(OralSlot.assessor),
                 joinedload(OralBooking.registration).joinedload(Registration.candidate))
        .where(OralBooking.status == "booked", OralBooking.active_slot_id.is_not(None),
               OralSlot.starts_at >= start, OralSlot.starts_at < end)
        .order_by(OralSlot.starts_at)
    ))


# --- email and calendar file -------------------------------------------------------------------


def booking_ics(booking: OralBooking) -> bytes:
    """The .ics invitation of a booking: UTC times, French summary, no video link."""
    slot = booking.slot
    language = LANGUAGES.get(slot.language, slot.language)
    cal = Calendar()
    cal.add("prodid", "-//CLOE Portal//Entretien oral//FR")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"oral-booking-{booking.id}@cloe-portal")
    event.add("sequence", booking.version - 1)
    event.add("dtstamp", clock.now())
    event.add("dtstart", slot.starts_at.astimezone(UTC))
    event.add("dtend", slot.ends_at.astimezone(UTC))
    event.add("summary", f"Entretien oral CLOE — {language}")
    event.add("description",
              "Entretien oral de la certification CLOE par visioconférence (15 à 20 minutes). "
              "Préparez votre pièce d'identité. Le lien de visioconférence vous sera envoyé "
              "par e-mail 24 heures avant le rendez-vous.\n"
              f"Modifier le rendez-vous : {change_url(booking)}")
    event.add("location", "Visioconférence (lien envoyé 24 heures avant)")
    cal.add_component(event)
    return cal.to_ical()


def change_url(booking: OralBooking) -> str:
    """The link the candidate follows to change the booking."""
    return absolute_url("orals.candidate_booking", inscription=booking.registration_id)


def _send_confirmation(booking: OralBooking, by_partner: bool = False,
                       template: str = "oral_booked") -> None:
    registration = booking.registration
    candidate = registration.candidate
    slot = booking.slot
    queue_email(
        candidate.email, template, kind=template,
        key=f"{template.replace('_', '-')}:booking-{booking.id}:v{booking.version}",
        recipient_id=candidate.id,
        attachments=[("cloe-oral.ics", "text/calendar", booking_ics(booking))],
        candidate=candidate, slot=slot, by_partner=by_partner,
        language_name=LANGUAGES.get(slot.language, slot.language),
        lock_at=windows.lock_time(slot.starts_at), change_link=change_url(booking),
    )


def _partner_admins(partner_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == "partner", User.active.is_(True),
                           User.organisation_id == partner_id).order_by(User.id)))


def _send_cancellation(booking: OralBooking, late: bool) -> None:
    """Tell the candidate (and, in copy, the partner's admins) that the oral is cancelled."""
    registration = booking.registration
    slot = booking.slot
    key = f"oral-cancelled:booking-{booking.id}:v{booking.version}"
    # candidate_name: as the registration's partner typed it (the partner copy shows it).
    context = {"candidate": registration.candidate, "slot": slot, "late": late,
               "candidate_name": registration.candidate_name,
               "language_name": LANGUAGES.get(slot.language, slot.language),
               "rebook_link": change_url(booking)}
    queue_email(registration.candidate.email, "oral_cancelled", kind="oral-cancelled", key=key,
                recipient_id=registration.candidate_id, to_partner=False, **context)
    for admin in _partner_admins(registration.partner_id):
        queue_email(admin.email, "oral_cancelled", kind="oral-cancelled-partner",
                    key=f"{key}:partner-{admin.id}", recipient_id=admin.id, to_partner=True,
                    **context)


# --- referent actions ----------------------------------------------------------------------


def reassign_candidates(booking: OralBooking) -> list[User]:
    """Assessors accredited in the booking's language and free at its time."""
    slot = booking.slot
    users = db.session.scalars(
        select(User).join(Accreditation, Accreditation.assessor_id == User.id)
        .where(User.role == "assessor", User.active.is_(True), User.id != slot.assessor_id,
               Accreditation.language == slot.language, Accreditation.status == "accredited",
               Accreditation.validated_on <= clock.today_paris(),
               Accreditation.valid_until >= paris_date(slot.starts_at))
        .order_by(User.last_name, User.first_name)
    ).unique()
    busy = set(db.session.scalars(
        select(OralSlot.assessor_id)
        .join(OralBooking, OralBooking.active_slot_id == OralSlot.id)
        .where(OralSlot.starts_at == slot.starts_at)
    ))
    return [u for u in users if u.id not in busy]


def reassign_blocker(booking: OralBooking, now: dt.datetime | None = None) -> str | None:
    """Why a booked oral cannot go to another assessor now (None when it can)."""
    if booking.status != "booked" or booking.assessment is not None and (
        booking.assessment.validated_at is not None
    ):
        return "Seul un oral réservé et non évalué peut être réattribué."
    if (now or clock.now()) >= booking.slot.ends_at:
        return ("Le créneau de cet oral est passé : il ne peut plus être confié à un autre "
                "évaluateur. Rouvrez la grille ou accordez une force majeure.")
    return None


def reassign_booking(actor: User, booking: OralBooking, assessor: User, reason: str) -> OralBooking:
    """Move a booked oral to another accredited assessor at the same time; tell the candidate."""
    blocker = reassign_blocker(booking)
    if blocker:
        raise OralError(blocker)
    if assessor not in reassign_candidates(booking):
        raise OralError("Cet évaluateur n'est pas habilité dans cette langue ou n'est pas libre.")
    old = booking.slot
    target = db.session.scalar(
        select(OralSlot).where(OralSlot.assessor_id == assessor.id,
                               OralSlot.starts_at == old.starts_at)
    )
    if target is None:
        target = OralSlot(assessor_id=assessor.id, language=old.language,
                          starts_at=old.starts_at, ends_at=old.ends_at, created_at=clock.now())
        db.session.add(target)
        db.session.flush()
    else:
        target.language = old.language
        target.held_until = None
        target.held_for_registration_id = None
    try:
        with db.session.begin_nested():
            booking.active_slot_id = target.id
            booking.slot_id = target.id
            booking.version += 1
            db.session.flush()
    except IntegrityError:
        raise SlotTaken("Le créneau de cet évaluateur vient d'être réservé.") from None
    db.session.refresh(booking)
    record(actor, "oral.reassign", booking, reason=reason,
           details={"from_assessor": old.assessor_id, "to_assessor": assessor.id})
    _send_confirmation(booking, template="oral_reassigned")
    db.session.flush()
    return booking


def grant_force_majeure(actor: User, registration: Registration, reason: str,
                        extension_days: int = 0) -> None:
    """Force majeure with proof: void the booking/outcome and let the candidate book again."""
    if not reason or not reason.strip():
        raise OralError("Indiquez le motif et le justificatif de force majeure.")
    if registration.status not in ("oral_booked", "oral_done"):
        raise OralError("Cette inscription n'a pas d'oral à reprogrammer.")
    outcome = oral_outcome(registration)
    if registration.status == "oral_done" and outcome is not None and outcome.taken:
        raise OralError("L'oral a été passé et évalué : il ne peut pas être reprogrammé.")
    now = clock.now()
    freed = None
    current = active_booking(registration)
    if current is not None:
        freed = current.slot
        _release(current, "voided", now, reason)
    for booking in db.session.scalars(
        select(OralBooking).where(OralBooking.registration_id == registration.id,
                                  OralBooking.status.in_(("booked", "late_cancelled")))
    ):
        booking.status = "voided"
        booking.active_slot_id = None
        booking.active_registration_id = None
        booking.release_reason = reason
    if extension_days:
        registration.booking_extension_days += extension_days
    set_status(registration, "written_done", actor, reason=reason)
    record(actor, "oral.force_majeure", registration, reason=reason,
           details={"extension_days": extension_days})
    db.session.flush()
    if freed is not None and freed.starts_at > now:
        _offer_to_waitlist(freed)


def reopen_blocker(booking: OralBooking, now: dt.datetime | None = None) -> str | None:
    """Why a referent cannot reopen this oral's grid now, in French (None when it can)."""
    now = now or clock.now()
    if booking.status != "booked":
        return "Cet oral n'est plus réservé : sa grille ne peut pas être rouverte."
    if booking.registration.status == "results_issued":
        return "Les résultats de ce candidat sont publiés : la grille ne peut plus être rouverte."
    if booking.registration.status not in ("oral_booked", "oral_done", "awaiting_jury"):
        return "Cette inscription n'a pas de grille d'oral à rouvrir."
    if db.session.scalar(select(Appeal.id).where(
            Appeal.registration_id == booking.registration_id,
            Appeal.status.in_(APPEAL_OPEN_STATUSES)).limit(1)) is not None:
        return ("Une contestation est en cours pour ce candidat : l'oral est réévalué dans le "
                "cadre de la contestation (page Contestations), la grille ne peut pas être "
                "rouverte.")
    state = scoring_state(booking, now)
    if state == "not_open":
        return "L'oral n'a pas encore eu lieu : il n'y a pas de grille à rouvrir."
    assessment = booking.assessment
    if state == "open" and (assessment is None or assessment.validated_at is None):
        return (
            "La grille est encore ouverte à l'évaluateur jusqu'au "
            f"{paris_when(grid_deadline(booking))} : il n'y a rien à rouvrir."
        )
    return None


def _withdraw_draft_decision(actor: User, registration: Registration, reason: str) -> None:
    """A jury decision not yet in a signed PV was taken on the grid being reopened: withdraw
    it, so that the PV never publishes levels the assessor is about to change."""
    review = db.session.scalar(select(JuryReview).where(
        JuryReview.registration_id == registration.id, JuryReview.pv_id.is_(None)))
    if review is None:
        return
    record(actor, "jury.decision.withdrawn", registration, reason=reason, details={
        "decision": review.decision, "levels": review.levels,
        "decided_by_id": review.decided_by_id, "decided_at": review.decided_at.isoformat()})
    db.session.delete(review)


def reopen_assessment(actor: User, booking: OralBooking, reason: str) -> OralAssessment:
    """Give the grid back to its assessor until the end of the next working day.

    Covers a validated grid to correct and a grid whose entry deadline has passed (even one
    never opened); audit-logged with the reason.
    """
    if not reason or not reason.strip():
        raise OralError("Indiquez le motif de la réouverture.")
    now = clock.now()
    blocker = reopen_blocker(booking, now)
    if blocker:
        raise OralError(blocker)
    assessment = assessment_for(booking, booking.slot.assessor)
    was_validated = assessment.validated_at is not None
    assessment.validated_at = None
    assessment.reopened_at = now
    registration = booking.registration
    if registration.status in ("oral_done", "awaiting_jury"):
        set_status(registration, "oral_booked", actor, reason=reason)
    _withdraw_draft_decision(actor, registration, reason)
    record(actor, "oral.assessment.reopen", assessment, reason=reason, details={
        "was_validated": was_validated, "deadline": grid_deadline(booking).isoformat()})
    db.session.flush()
    return assessment


# --- scoring ---------------------------------------------------------------------------------


def may_open(user: User, booking: OralBooking) -> bool:
    """An assessor sees only the orals booked on their own slots."""
    return user.role == "assessor" and booking.slot.assessor_id == user.id


def may_score(user: User, booking: OralBooking) -> bool:
    """Only the booking's assessor, accredited today in its language, may score."""
    return may_open(user, booking) and is_accredited(user.id, booking.slot.language)


def assessment_for(booking: OralBooking, assessor: User) -> OralAssessment:
    """The booking's grid, created empty on first use."""
    if booking.assessment is None:
        booking.assessment = OralAssessment(booking_id=booking.id, assessor_id=assessor.id,
                                            created_at=clock.now())
        db.session.flush()
    return booking.assessment


GRID_CLOSED = "Le délai de saisie est dépassé : demandez au référent de rouvrir la grille."


def grid_deadline(booking: OralBooking) -> dt.datetime:
    """The last instant this oral's attendance and grid can be written."""
    assessment = booking.assessment
    return windows.grid_deadline(booking.slot.starts_at,
                                 assessment.reopened_at if assessment else None)


def scoring_state(booking: OralBooking, now: dt.datetime | None = None) -> windows.ScoringState:
    """Whether attendance and the grid can be written: not_open, open or closed (deadline)."""
    assessment = booking.assessment
    return windows.scoring_state(booking.slot.starts_at, now or clock.now(),
                                 assessment.reopened_at if assessment else None)


def scoring_blocker(booking: OralBooking, now: dt.datetime | None = None) -> str | None:
    """Why attendance and the grid cannot be written now (French), None when they can."""
    state = scoring_state(booking, now)
    if state == "not_open":
        return ("La saisie de la présence et de la grille ouvre au début du créneau, le "
                f"{paris_when(booking.slot.starts_at)} (heure de Paris).")
    if state == "closed":
        return GRID_CLOSED
    return None


def _check_can_score(actor: User, booking: OralBooking) -> OralAssessment:
    if not may_score(actor, booking):
        raise OralError(
            "Vous devez être habilité(e) aujourd'hui dans cette langue pour évaluer cet oral."
        )
    if booking.status != "booked":
        raise OralError("Cet oral n'est plus réservé : il ne peut pas être évalué.")
    if booking.assessment is not None and booking.assessment.validated_at is not None:
        raise OralError("La grille est validée : elle n'est plus modifiable.")
    blocker = scoring_blocker(booking)
    if blocker:
        raise OralError(blocker)
    return assessment_for(booking, actor)


def record_attendance(actor: User, booking: OralBooking, identity_checked: bool | None,
                      attendance: str, arrival: dt.datetime | None = None) -> OralAssessment:
    """Record identity check and attendance; the server applies the 10-minute rule.

    Absent and refused-for-lateness close the oral as not taken (registration oral_done).
    """
    assessment = _check_can_score(actor, booking)
    if attendance not in ATTENDANCE:
        raise OralError("Choisissez la présence du candidat.")
    now = clock.now()
    start = booking.slot.starts_at
    if attendance != "absent":
        if arrival is not None and arrival > now:
            raise OralError("L'heure d'arrivée ne peut pas être dans le futur.")
        # Waiting before the start is being on time: the 10-minute rule counts from the start.
        arrival = max(arrival or now, start)
        allowed = windows.attendance_allowed(start, arrival)
        if attendance in ATTENDED and not allowed:
            raise OralError(
                "Le candidat est arrivé plus de 10 minutes après le début du créneau : il ne "
                "peut pas être admis. Choisissez « Refusé pour retard »."
            )
        if attendance == "late_refused" and allowed:
            raise OralError(
                "Le candidat est arrivé dans les 10 minutes : il doit être admis "
                "(« Arrivé en retard, admis » ou « Présent »)."
            )
        if attendance == "present" and arrival > start + dt.timedelta(minutes=1):
            attendance = "late_admitted"
        if attendance in ATTENDED and not identity_checked:
            raise OralError(
                "Vérifiez la pièce d'identité du candidat avant de commencer l'oral."
            )
    assessment.identity_checked = identity_checked
    assessment.attendance = attendance
    assessment.arrival_at = None if attendance == "absent" else arrival
    assessment.saved_at = now
    if attendance not in ATTENDED:
        assessment.validated_at = now
        set_status(booking.registration, "oral_done", actor,
                   reason=f"Oral non passé : {ATTENDANCE[attendance]}")
    record(actor, "oral.attendance", assessment, details={
        "attendance": attendance, "identity_checked": identity_checked,
        "arrival_at": arrival.isoformat() if arrival and attendance != "absent" else None,
    })
    db.session.flush()
    return assessment


def save_grid(actor: User, booking: OralBooking, levels: dict[str, str | None],
              report: str | None) -> OralAssessment:
    """Autosave: store the criteria levels and report given (partial grids are fine)."""
    assessment = _check_can_score(actor, booking)
    if assessment.attendance not in ATTENDED:
        raise OralError("Enregistrez d'abord la présence du candidat.")
    apply_grid_input(assessment, levels, report)
    assessment.saved_at = clock.now()
    db.session.flush()
    return assessment


def apply_grid_input(grid: object, levels: dict[str, str | None], report: str | None) -> None:
    """Store the criteria levels and report given on a grid (an oral's, or an appeal's
    re-marking); partial input is fine."""
    for criterion in ORAL_CRITERIA:
        if criterion in levels:
            value = levels[criterion] or None
            if value is not None and value not in SUBLEVELS:
                raise OralError("Niveau inconnu.")
            setattr(grid, criterion, value)
    if report is not None:
        report, refusal = clean_labelled(report, "Rapport")
        if refusal:
            raise OralError(refusal)
        grid.report = report or None


def criteria_errors(grid: object) -> dict[str, str]:
    """What the criteria and report of a grid lack before validation (field → French)."""
    errors = {}
    for criterion in ORAL_CRITERIA:
        if getattr(grid, criterion) not in SUBLEVELS:
            errors[criterion] = "Choisissez un niveau pour ce critère."
    length = len((grid.report or "").strip())
    if length < REPORT_MIN_LENGTH:
        errors["report"] = (
            f"Le compte rendu doit compter au moins {REPORT_MIN_LENGTH} caractères "
            f"(actuellement {length})."
        )
    return errors


def grid_errors(assessment: OralAssessment) -> dict[str, str]:
    """What is missing before the grid can be validated (field → French message)."""
    errors = {}
    if assessment.attendance not in ATTENDED:
        errors["attendance"] = "Enregistrez d'abord la présence du candidat."
    return errors | criteria_errors(assessment)


def validate_grid(actor: User, booking: OralBooking) -> OralAssessment:
    """Validate a complete grid: read-only afterwards, registration oral_done."""
    assessment = _check_can_score(actor, booking)
    if grid_errors(assessment):
        raise OralError("La grille est incomplète : complétez les champs signalés.")
    assessment.validated_at = clock.now()
    set_status(booking.registration, "oral_done", actor)
    record(actor, "oral.assessment.validate", assessment,
           details={c: getattr(assessment, c) for c in ORAL_CRITERIA})
    db.session.flush()
    return assessment


# --- what the jury reads ---------------------------------------------------------------------


@dataclass(frozen=True)
class OralOutcome:
    """The oral as the jury sees it; ``taken`` is False for absent, refused, late cancelled."""

    attendance: str  # present / late_admitted / late_refused / absent
    identity_checked: bool | None
    criteria: dict[str, str]  # criterion (rules.cefr.ORAL_CRITERIA) → sub-level
    report: str | None
    validated_at: dt.datetime | None
    assessor: str | None
    assessor_id: int | None
    slot_start: dt.datetime
    cancelled_late: bool = False
    # Set when an appeal's re-marking replaced the first grid (kept for the jury to read).
    first_criteria: dict[str, str] | None = None
    first_assessor: str | None = None
    first_report: str | None = None

    @property
    def remarked(self) -> bool:
        return self.first_criteria is not None

    @property
    def taken(self) -> bool:
        """True when the candidate sat the oral (present or admitted late)."""
        return self.attendance in ATTENDED

    @property
    def attendance_label(self) -> str:
        if self.cancelled_late:
            return "Annulé moins de 24 h avant (compté comme passé, non présenté)"
        return ATTENDANCE.get(self.attendance, self.attendance)


def oral_outcome(registration: Registration) -> OralOutcome | None:
    """The closed oral of a registration (validated grid, absence, late cancellation), or None."""
    booking = latest_booking(registration)
    if booking is None:
        return None
    slot = booking.slot
    assessor = db.session.get(User, slot.assessor_id)
    if booking.status == "late_cancelled":
        return OralOutcome("absent", None, {}, None, booking.released_at, None, None,
                           slot.starts_at, cancelled_late=True)
    assessment = booking.assessment
    if assessment is None or assessment.validated_at is None or assessment.attendance is None:
        return None
    criteria = _criteria_of(assessment) if assessment.attendance in ATTENDED else {}
    outcome = OralOutcome(
        attendance=assessment.attendance,
        identity_checked=assessment.identity_checked,
        criteria=criteria,
        report=assessment.report,
        validated_at=assessment.validated_at,
        assessor=assessor.full_name if assessor else None,
        assessor_id=slot.assessor_id,
        slot_start=slot.starts_at,
    )
    remark = _validated_remark(booking) if outcome.taken else None
    if remark is None:
        return outcome
    # An appeal had the oral re-marked by a second assessor: that grid replaces the first,
    # which stays visible to the jury as history.
    return OralOutcome(
        attendance=outcome.attendance, identity_checked=outcome.identity_checked,
        criteria=_criteria_of(remark), report=remark.report, validated_at=remark.validated_at,
        assessor=remark.assessor.full_name, assessor_id=remark.assessor_id,
        slot_start=slot.starts_at, first_criteria=criteria, first_assessor=outcome.assessor,
        first_report=outcome.report)


def _criteria_of(grid: object) -> dict[str, str]:
    return {c: getattr(grid, c) for c in ORAL_CRITERIA if getattr(grid, c) is not None}


def _validated_remark(booking: OralBooking):  # noqa: ANN202 - an AppealRemark or None
    from cloe_portal.appeals.models import AppealRemark

    return db.session.scalar(select(AppealRemark).where(
        AppealRemark.booking_id == booking.id, AppealRemark.validated_at.is_not(None))
        .order_by(AppealRemark.validated_at.desc()).limit(1))


def languages_for(assessor: User) -> list[str]:
    """Languages an assessor may publish in today."""
    return accredited_languages(assessor.id)
