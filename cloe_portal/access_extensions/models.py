"""A partner's request for more days on a registration's written-test or oral-booking window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db
from cloe_portal.sessions.models import Registration

# Which deadline the request moves: the 30-day written window, or the oral booking window
# (rules.windows.written_window / booking_window, each with its extension days).
EXTENSION_WINDOWS = {
    "written": "Accès au test écrit",
    "booking": "Réservation de l'oral",
}
EXTENSION_STATUSES = {
    "pending": "En attente",
    "granted": "Accordée",
    "refused": "Refusée",
    "withdrawn": "Retirée",
}
MIN_EXTENSION_DAYS = 1
MAX_EXTENSION_DAYS = 90

_PENDING = text("status = 'pending'")


class AccessExtensionRequest(db.Model):
    """Asked by a partner for one of its registrations, granted (maybe fewer days) or refused."""

    __tablename__ = "access_extension_request"
    __table_args__ = (
        # One pending request per registration and window, even under two racing submits.
        Index("uq_access_extension_request_pending", "registration_id", "access_window", unique=True,
              sqlite_where=_PENDING, postgresql_where=_PENDING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    # Denormalised from the registration: scope queries (partner, referent centre) need no join.
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # "written" or "booking" (the column is not named "window": a reserved word in SQL).
    window: Mapped[str] = mapped_column("access_window", String(8))
    days_requested: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    days_granted: Mapped[int | None] = mapped_column()
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The window's last open instant before and after the decision (shown to both sides).
    closes_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    registration: Mapped[Registration] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def window_label(self) -> str:
        return EXTENSION_WINDOWS.get(self.window, self.window)

    @property
    def status_label(self) -> str:
        return EXTENSION_STATUSES.get(self.status, self.status)
