"""Start, read and move the demo clock (never in production)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.audit.services import record
from cloe_portal.democlock.models import DemoClock
from cloe_portal.extensions import db
from cloe_portal.orals.models import OralBooking, OralSlot
from cloe_portal.partners.scope import partner_filter
from cloe_portal.sessions.models import Registration

# How often a process reads the offset again (another worker may have moved the clock).
REFRESH_SECONDS = 1.0
MAX_JUMP = timedelta(days=400)

_last_refresh = float("-inf")
_applied_origin: str | None = None


class DemoClockError(Exception):
    """A move the demo clock refuses; the message is French and safe to show."""


def reset_cache() -> None:
    """Forget what this process read (tests; a new database)."""
    global _last_refresh, _applied_origin
    _last_refresh = float("-inf")
    _applied_origin = None
    clock.set_offset(timedelta(0))


def _row() -> DemoClock | None:
    return db.session.get(DemoClock, 1)


def _save(offset: timedelta, origin: str | None) -> DemoClock:
    row = _row()
    if row is None:
        row = DemoClock(id=1)
        db.session.add(row)
    row.offset_seconds = offset.total_seconds()
    row.origin = origin
    row.updated_at = clock.real_now()
    db.session.flush()
    clock.set_offset(offset)
    return row


def start_from(origin: str) -> None:
    """Start the clock at CLOE_FAKE_NOW, unless it already started from that value."""
    global _applied_origin
    row = _row()
    if row is None or row.origin != origin:
        _save(clock.parse_paris(origin) - clock.real_now(), origin)
        db.session.commit()
    else:
        clock.set_offset(timedelta(seconds=row.offset_seconds))
    _applied_origin = origin


def refresh(fake_now: str | None = None, force: bool = False) -> None:
    """Read the offset again (at most once a second unless forced); start it if configured."""
    global _last_refresh
    if not force and time.monotonic() - _last_refresh < REFRESH_SECONDS:
        return
    _last_refresh = time.monotonic()
    try:
        if fake_now and _applied_origin != fake_now:
            start_from(fake_now)
            return
        row = _row()
    except SQLAlchemyError:  # the table does not exist yet (before `flask db upgrade`)
        db.session.rollback()
        return
    clock.set_offset(timedelta(seconds=row.offset_seconds) if row is not None else timedelta(0))


def move_to(actor: User, target: datetime) -> None:
    """Move the clock forward to `target` (never back: nothing may happen before its cause)."""
    current = clock.now()
    if target <= current:
        raise DemoClockError(
            "L'horloge de démonstration ne recule pas : choisissez un moment postérieur à "
            "l'heure simulée actuelle.")
    if target - current > MAX_JUMP:
        raise DemoClockError("Avancez de 400 jours au plus à la fois.")
    row = _row()
    _save(target - clock.real_now(), row.origin if row is not None else None)
    record(actor, "demo_clock.moved", object_type="demo_clock", object_id=1,
           details={"from": current.isoformat(timespec="seconds"),
                    "to": target.isoformat(timespec="seconds")})


def move_forward(actor: User, delta: timedelta) -> None:
    """Move the clock forward by `delta`."""
    if delta <= timedelta(0):
        raise DemoClockError("Indiquez une durée positive.")
    move_to(actor, clock.now() + delta)


def upcoming_orals(user: User, limit: int = 8) -> list[tuple[int, datetime, str, str]]:
    """The next booked orals of the user's centre (booking id, start, candidate, assessor)."""
    candidate = db.aliased(User)
    assessor = db.aliased(User)
    rows = db.session.execute(
        db.select(OralBooking.id, OralSlot.starts_at, candidate.first_name, candidate.last_name,
                  assessor.first_name, assessor.last_name)
        .join(OralSlot, OralSlot.id == OralBooking.slot_id)
        .join(Registration, Registration.id == OralBooking.registration_id)
        .join(candidate, candidate.id == Registration.candidate_id)
        .join(assessor, assessor.id == OralSlot.assessor_id)
        .where(OralBooking.status == "booked", OralSlot.starts_at > clock.now(),
               partner_filter(user, Registration.partner_id))
        .order_by(OralSlot.starts_at, OralBooking.id)
        .limit(limit)
    )
    return [(bid, start, f"{cf} {cl.upper()}", f"{af} {al.upper()}")
            for bid, start, cf, cl, af, al in rows]
