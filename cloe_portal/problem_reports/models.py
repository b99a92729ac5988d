"""A partner's report of a problem or non-conformity, its optional attachment and its thread."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db
from cloe_portal.sessions.models import ExamSession, Registration

REPORT_KINDS = {
    "technical": "Incident technique",
    "fraud": "Comportement du candidat / suspicion de fraude",
    "administrative": "Question administrative",
    "non_conformity": "Non-conformité",
    "other": "Autre",
}
# new → in_progress (a referent took it up) → closed; a referent may reopen a closed report.
REPORT_STATUSES = {"new": "Nouveau", "in_progress": "En cours", "closed": "Clos"}
ATTACHMENT_FOLDER = "problem_reports"


class ProblemReport(db.Model):
    """What a partner alerts its referent about (seed 000 §2.2), optionally about one
    registration or session of its own."""

    __tablename__ = "problem_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(20))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("exam_session.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="new", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Last message or status change: the queue shows the liveliest first among equals.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # One optional attachment, stored privately like application documents (core.uploads).
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment_stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    attachment_mimetype: Mapped[str | None] = mapped_column(String(40))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))

    partner: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship()
    registration: Mapped[Registration | None] = relationship()
    session: Mapped[ExamSession | None] = relationship()
    messages: Mapped[list[ProblemReportMessage]] = relationship(
        back_populates="report", order_by="ProblemReportMessage.id")

    @property
    def kind_label(self) -> str:
        return REPORT_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return REPORT_STATUSES.get(self.status, self.status)


class ProblemReportMessage(db.Model):
    """One reply in a report's thread, by the partner or a referent."""

    __tablename__ = "problem_report_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("problem_report.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # True for the CEL side (referent, coordinator): the thread says who answered.
    from_staff: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    report: Mapped[ProblemReport] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
