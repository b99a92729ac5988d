"""The jury's review of each candidate and the session's procès-verbal (PV).

A session may have several PVs: candidates of one session finish their orals on different
days and each must have results within 3 working days, so a PV covers the decisions taken
since the previous one and is numbered within the session (PV n° 1, n° 2 …).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db
from cloe_portal.sessions.models import ExamSession, Registration

DECISIONS = {"validated": "Résultat validé", "cancelled": "Résultat annulé"}


class ProcesVerbal(db.Model):
    """A signed procès-verbal of a session's jury: frozen, stored as PDF with its SHA-256."""

    __tablename__ = "jury_pv"
    __table_args__ = (UniqueConstraint("session_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_session.id"), index=True)
    number: Mapped[int] = mapped_column()
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signer_name: Mapped[str] = mapped_column(String(200))
    confirmation: Mapped[str] = mapped_column(String(40))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str] = mapped_column(String(64))

    session: Mapped[ExamSession] = relationship()
    signed_by: Mapped[User] = relationship()
    reviews: Mapped[list[JuryReview]] = relationship(back_populates="pv",
                                                      order_by="JuryReview.id")


class JuryReview(db.Model):
    """The jury's checks and decision for one registration (changeable until the PV is signed).

    A registration has one review per passage before the jury: the first, then one for each
    appeal that changed its result (history kept; the latest is the one that stands)."""

    __tablename__ = "jury_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_session.id"), index=True)
    identity_ok: Mapped[bool] = mapped_column()
    written_ok: Mapped[bool] = mapped_column()
    oral_ok: Mapped[bool] = mapped_column()
    fraud: Mapped[bool] = mapped_column(default=False)
    fraud_description: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    # Levels as computed when deciding (written scores, oral criteria, Écrit/Oral/Global).
    levels: Mapped[dict | None] = mapped_column(JSON)
    certificate: Mapped[bool] = mapped_column(default=False)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    pv_id: Mapped[int | None] = mapped_column(ForeignKey("jury_pv.id"), index=True)

    registration: Mapped[Registration] = relationship()
    decided_by: Mapped[User] = relationship()
    pv: Mapped[ProcesVerbal | None] = relationship(back_populates="reviews")

    @property
    def decision_label(self) -> str:
        return DECISIONS.get(self.decision, self.decision)

    @property
    def frozen(self) -> bool:
        """True once a signed PV holds this decision."""
        return self.pv_id is not None
