"""An appeal against a published result, and the second assessor's blind re-marking of the
oral it may lead to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db
from cloe_portal.orals.models import GridCriteria
from cloe_portal.sessions.models import ExamSession, Registration

APPEAL_GROUNDS = {
    "written_incident": "Incident pendant le test écrit",
    "oral_conduct": "Déroulement de l'oral",
    "score": "Contestation de la note",
    "other": "Autre motif",
}
# filed → (remark →) jury → closed, or filed → closed.
APPEAL_STATUSES = {
    "filed": "À instruire",
    "remark": "Oral confié à un second évaluateur",
    "jury": "Devant le jury",
    "closed": "Clos",
}
APPEAL_OUTCOMES = {
    "rejected": "Rejeté",
    "rescored": "Écrit recorrigé",
    "remarked": "Oral réévalué",
    "retake": "Reprise gratuite accordée",
}
OPEN_STATUSES = ("filed", "remark", "jury")


class Appeal(db.Model):
    """A candidate's or its partner's appeal against a published result (one per
    registration), and what the referent and the jury decided."""

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), unique=True)
    # The result contested (the one in force when filed).
    result_id: Mapped[int] = mapped_column(ForeignKey("result.id"))
    # Denormalised for ownership checks and the dashboard.
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_session.id"), index=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    ground: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment_stored: Mapped[str | None] = mapped_column(String(64), unique=True)
    attachment_mime: Mapped[str | None] = mapped_column(String(40))
    attachment_size: Mapped[int | None] = mapped_column()
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="filed", index=True)
    outcome: Mapped[str | None] = mapped_column(String(12))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    second_assessor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"),
                                                           index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Written re-scoring: section scores; oral re-marking: the 5 criteria (old → new).
    scores_before: Mapped[dict | None] = mapped_column(JSON)
    scores_after: Mapped[dict | None] = mapped_column(JSON)
    result_changed: Mapped[bool | None] = mapped_column()
    sent_to_jury_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_id: Mapped[int | None] = mapped_column(ForeignKey("jury_review.id"))
    new_result_id: Mapped[int | None] = mapped_column(ForeignKey("result.id"))
    retake_registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    registration: Mapped[Registration] = relationship(foreign_keys=[registration_id])
    session: Mapped[ExamSession] = relationship()
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    second_assessor: Mapped[User | None] = relationship(foreign_keys=[second_assessor_id])
    retake_registration: Mapped[Registration | None] = relationship(
        foreign_keys=[retake_registration_id])
    remark: Mapped[AppealRemark | None] = relationship(back_populates="appeal", uselist=False)

    @property
    def ground_label(self) -> str:
        return APPEAL_GROUNDS.get(self.ground, self.ground)

    @property
    def status_label(self) -> str:
        return APPEAL_STATUSES.get(self.status, self.status)

    @property
    def outcome_label(self) -> str:
        return APPEAL_OUTCOMES.get(self.outcome or "", "En cours")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AppealRemark(GridCriteria, db.Model):
    """The second assessor's grid for an appeal's oral, scored without seeing the first."""

    __tablename__ = "appeal_remark"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"), unique=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("oral_booking.id"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    appeal: Mapped[Appeal] = relationship(back_populates="remark")
    assessor: Mapped[User] = relationship()
