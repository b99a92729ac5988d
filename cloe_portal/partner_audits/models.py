"""A follow-up audit of a partner: the accreditation grid checked again, and its outcome."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db
from cloe_portal.rules.partner_audits import OUTCOMES


class PartnerAudit(db.Model):
    """Opened by a referent, filled in, then closed with an outcome (read-only afterwards)."""

    __tablename__ = "partner_audit"
    # One audit in progress per partner, even when two referents click at once.
    __table_args__ = (
        Index("uq_partner_audit_open", "organisation_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    checklist: Mapped[dict] = mapped_column(JSON, default=dict)  # key → {ok, note}
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # The outcome, set when the audit is closed
    audit_date: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(24))
    summary: Mapped[str | None] = mapped_column(Text)
    actions: Mapped[str | None] = mapped_column(Text)
    actions_deadline: Mapped[date | None] = mapped_column(Date)
    next_audit_on: Mapped[date | None] = mapped_column(Date)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    opened_by: Mapped[User] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome or "", "")
