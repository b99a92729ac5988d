"""Oral slots, bookings, the assessor's scoring grid and the waitlist.

No double booking is enforced by the database, not only in Python: a booking that holds
its slot copies the slot id into ``active_slot_id`` (unique), and the registration id
into ``active_registration_id`` (unique). Released bookings set both to NULL, and NULLs
never collide (SQLite and PostgreSQL alike), so the history stays in the same table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db
from cloe_portal.sessions.models import Registration

# booked: holds the slot (upcoming, or taken place); cancelled: released in time by the
# candidate/partner; late_cancelled: released after the 24 h lock (counts as taken);
# voided: released by a referent's force-majeure decision.
BOOKING_STATUSES = {
    "booked": "Réservé",
    "cancelled": "Annulé",
    "late_cancelled": "Annulé moins de 24 h avant (compté comme passé)",
    "voided": "Annulé pour force majeure",
}
ATTENDANCE = {
    "present": "Présent",
    "late_admitted": "Arrivé en retard, admis (10 minutes au plus)",
    "late_refused": "Refusé pour retard (plus de 10 minutes)",
    "absent": "Absent",
}
ATTENDED = ("present", "late_admitted")
WAITLIST_STATUSES = {"waiting": "En attente", "offered": "Créneau proposé", "closed": "Terminé"}


class OralSlot(db.Model):
    """A 30-minute slot an assessor offers in one language (stored in UTC)."""

    __tablename__ = "oral_slot"
    __table_args__ = (
        UniqueConstraint("assessor_id", "starts_at"),
        Index("ix_oral_slot_language_starts_at", "language", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A freed slot is offered to the first waitlisted registration until held_until.
    held_for_registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"))
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the assessor removes a slot that past bookings still point at (history).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    assessor: Mapped[User] = relationship()
    active_booking: Mapped[OralBooking | None] = relationship(
        primaryjoin="OralSlot.id == foreign(OralBooking.active_slot_id)",
        viewonly=True,
        uselist=False,
    )


class OralBooking(db.Model):
    """A registration's booking of a slot; kept after release as history."""

    __tablename__ = "oral_booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("oral_slot.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    # Set while the booking holds its slot / its registration; NULL once released.
    active_slot_id: Mapped[int | None] = mapped_column(ForeignKey("oral_slot.id"), unique=True)
    active_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default="booked", index=True)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Incremented on every change the candidate is told about (email keys).
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    release_reason: Mapped[str | None] = mapped_column(Text)

    slot: Mapped[OralSlot] = relationship(foreign_keys=[slot_id])
    registration: Mapped[Registration] = relationship(foreign_keys=[registration_id])
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])
    assessment: Mapped[OralAssessment | None] = relationship(
        back_populates="booking", uselist=False
    )

    @property
    def status_label(self) -> str:
        return BOOKING_STATUSES.get(self.status, self.status)


class GridCriteria:
    """The 5 criteria of a scoring grid, one CEFR sub-level (A0 … C2) each, in the order of
    rules.cefr.ORAL_CRITERIA, and the report (an oral's grid, an appeal's second grid)."""

    range: Mapped[str | None] = mapped_column(String(3))
    accuracy: Mapped[str | None] = mapped_column(String(3))
    fluency: Mapped[str | None] = mapped_column(String(3))
    pronunciation: Mapped[str | None] = mapped_column(String(3))
    interaction: Mapped[str | None] = mapped_column(String(3))
    report: Mapped[str | None] = mapped_column(Text)


class OralAssessment(GridCriteria, db.Model):
    """The assessor's grid for one booking: attendance, the 5 criteria, the report."""

    __tablename__ = "oral_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("oral_booking.id"), unique=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    identity_checked: Mapped[bool | None] = mapped_column()
    attendance: Mapped[str | None] = mapped_column(String(16))
    arrival_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by a referent's reopening (validated grid, or the entry deadline passed): the
    # assessor then has until the end of the next working day (rules.windows.grid_deadline).
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    booking: Mapped[OralBooking] = relationship(back_populates="assessment")
    assessor: Mapped[User] = relationship()

    @property
    def attendance_label(self) -> str:
        return ATTENDANCE.get(self.attendance or "", "Non renseignée")


class OralWaitlistEntry(db.Model):
    """A registration waiting to be told when a slot in its language frees up."""

    __tablename__ = "oral_waitlist"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    language: Mapped[str] = mapped_column(String(2), index=True)
    status: Mapped[str] = mapped_column(String(12), default="waiting", index=True)
    offered_slot_id: Mapped[int | None] = mapped_column(ForeignKey("oral_slot.id"))
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    registration: Mapped[Registration] = relationship()
