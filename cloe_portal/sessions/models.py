"""Exam sessions created by partners, and one registration per candidate attempt."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db

SESSION_KINDS = {"individual": "Individuelle", "group": "Groupe"}
FUNDINGS = {"cpf": "CPF", "other": "Autre financement"}
CPF_MIN_TRAINING_HOURS = 7  # seed 000 §1.3: CPF-funded CLOE needs ≥ 7 h of prior training

# The candidate pipeline (partner dashboard), in order.
REGISTRATION_STATUSES = (
    "enrolled",
    "identity_done",
    "written_done",
    "oral_booked",
    "oral_done",
    "awaiting_jury",
    "results_issued",
    "cancelled",
    "withdrawn",
)
# A registration in one of these is history: the candidate's home lists it apart.
CLOSED_STATUSES = ("results_issued", "cancelled", "withdrawn")
# Ended without results: not counted among a session's or a partner's candidates under way.
DROPPED_STATUSES = ("cancelled", "withdrawn")
REGISTRATION_STATUS_LABELS_FR = {
    "enrolled": "Inscrit",
    "identity_done": "Identité renseignée",
    "written_done": "Écrit terminé",
    "oral_booked": "Oral réservé",
    "oral_done": "Oral passé",
    "awaiting_jury": "En attente du jury",
    "results_issued": "Résultats publiés",
    "cancelled": "Annulé",
    "withdrawn": "Retirée",
}

# Why a partner withdraws a candidate before the written test ("other" needs a text).
WITHDRAWAL_REASONS = {
    "abandon": "Abandon",
    "illness": "Maladie",
    "funding_refused": "Financement refusé",
    "other": "Autre",
}

ACCOMMODATION_KINDS = {
    "extra_time": "Temps majoré d'un tiers (test écrit)",
    "secretary": "Secrétaire",
    "interpreter": "Interprète",
    "written_oral_questions": "Questions de l'oral remises par écrit",
}
ACCOMMODATION_STATUSES = {"pending": "En attente", "approved": "Accordé", "refused": "Refusé",
                          "withdrawn": "Retirée par l'organisme"}


class ExamSession(db.Model):
    """A partner's individual or group session: language, optional domain, written test date."""

    __tablename__ = "exam_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="group")
    language: Mapped[str] = mapped_column(String(2), index=True)
    domain: Mapped[str | None] = mapped_column(String(80))
    written_date: Mapped[date] = mapped_column(Date, index=True)
    # Bumped each time the written date moves: the window emails (access open, closing
    # reminders) are keyed on it, so candidates hear about the new window too.
    date_version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    partner: Mapped[Organisation] = relationship()
    registrations: Mapped[list[Registration]] = relationship(back_populates="session")


class Registration(db.Model):
    """One candidate's attempt at CLOE in a session (a retake is a new registration)."""

    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("session_id", "candidate_id"),
        Index("ix_registration_partner_status", "partner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_session.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Denormalised from the session so that per-partner queries need no join.
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    target_level: Mapped[str] = mapped_column(String(2))
    training_hours: Mapped[float] = mapped_column(Numeric(6, 1))
    funding: Mapped[str] = mapped_column(String(8), default="cpf")
    cpf_file_number: Mapped[str | None] = mapped_column(String(40), index=True)
    # The names the partner typed at enrolment. A candidate enrolled by two partners has one
    # account (named by the first enrolment); each partner is shown what it typed itself.
    # None for rows made before this column: the account's names stand in.
    first_name: Mapped[str | None] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120))
    # Declared by the partner at enrolment (bulk import column); the identity form confirms it.
    birth_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="enrolled", index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Referent decisions that move the deadlines (days added).
    window_extension_days: Mapped[int] = mapped_column(default=0)
    booking_extension_days: Mapped[int] = mapped_column(default=0)
    written_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    # Set when the partner withdraws the candidate before the written test (WITHDRAWAL_REASONS).
    withdrawal_reason: Mapped[str | None] = mapped_column(String(20))
    withdrawal_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    session: Mapped[ExamSession] = relationship(back_populates="registrations")
    candidate: Mapped[User] = relationship(foreign_keys=[candidate_id])
    partner: Mapped[Organisation] = relationship(foreign_keys=[partner_id])
    accommodations: Mapped[list[AccommodationRequest]] = relationship(
        back_populates="registration", order_by="AccommodationRequest.id"
    )

    @property
    def status_label(self) -> str:
        return REGISTRATION_STATUS_LABELS_FR.get(self.status, self.status)

    @property
    def withdrawal_label(self) -> str | None:
        """The withdrawal reason as the partner chose it, with its text (None if not withdrawn)."""
        if self.withdrawal_reason is None:
            return None
        label = WITHDRAWAL_REASONS.get(self.withdrawal_reason, self.withdrawal_reason)
        return f"{label} — {self.withdrawal_note}" if self.withdrawal_note else label

    @property
    def candidate_first_name(self) -> str:
        """The first name as the registration's partner typed it (else the account's)."""
        return self.first_name if self.first_name is not None else self.candidate.first_name

    @property
    def candidate_last_name(self) -> str:
        """The last name as the registration's partner typed it (else the account's)."""
        return self.last_name if self.last_name is not None else self.candidate.last_name

    @property
    def candidate_name(self) -> str:
        """The candidate's name for partner-facing pages: what this partner typed."""
        return f"{self.candidate_first_name} {self.candidate_last_name.upper()}".strip()

    @property
    def is_closed(self) -> bool:
        """Results issued, cancelled or withdrawn: nothing is left to do for this registration."""
        return self.status in CLOSED_STATUSES

    def approved(self, kind: str) -> bool:
        """True when the referent approved this accommodation for the registration."""
        return any(a.kind == kind and a.status == "approved" for a in self.accommodations)


class AccommodationRequest(db.Model):
    """An accommodation asked at enrolment (seed §3.7), decided by a referent."""

    __tablename__ = "accommodation_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    details: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    registration: Mapped[Registration] = relationship(back_populates="accommodations")

    @property
    def kind_label(self) -> str:
        return ACCOMMODATION_KINDS.get(self.kind, self.kind)
