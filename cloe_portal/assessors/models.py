"""Assessor profile (video link) and accreditation per language."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db

ACCREDITATION_YEARS = 2


class AssessorProfile(db.Model):
    """What an assessor needs beyond the account: the video-conference link."""

    __tablename__ = "assessor_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    video_link: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()


class Accreditation(db.Model):
    """One accreditation cycle of an assessor in one language: training, validation, validity."""

    __tablename__ = "accreditation"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    language: Mapped[str] = mapped_column(String(2), index=True)
    training_date: Mapped[date | None] = mapped_column(Date)
    training_mode: Mapped[str | None] = mapped_column(String(16))  # in_person / remote
    # Set by a successful role-play validation; valid 2 years from that date.
    validated_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="in_training")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    assessor: Mapped[User] = relationship()

    def is_valid_on(self, day: date) -> bool:
        """Accredited on `day` (inclusive of the last valid day)."""
        return (
            self.status == "accredited"
            and self.validated_on is not None
            and self.valid_until is not None
            and self.validated_on <= day <= self.valid_until
        )


def is_accredited(assessor_id: int, language: str, day: date | None = None) -> bool:
    """True when the assessor is accredited in `language` on `day` (today in Paris by default)."""
    day = day or clock.today_paris()
    stmt = db.select(Accreditation).where(
        Accreditation.assessor_id == assessor_id,
        Accreditation.language == language,
        Accreditation.status == "accredited",
        Accreditation.validated_on <= day,
        Accreditation.valid_until >= day,
    )
    return db.session.scalars(stmt).first() is not None


def accredited_languages(assessor_id: int, day: date | None = None) -> list[str]:
    """Languages the assessor may be booked and score in on `day`."""
    day = day or clock.today_paris()
    stmt = db.select(Accreditation.language).where(
        Accreditation.assessor_id == assessor_id,
        Accreditation.status == "accredited",
        Accreditation.validated_on <= day,
        Accreditation.valid_until >= day,
    )
    return sorted(set(db.session.scalars(stmt)))


class ValidationAttempt(db.Model):
    """One role-play validation of an accreditation cycle (seed §4.5: at most two per training)."""

    __tablename__ = "accreditation_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    accreditation_id: Mapped[int] = mapped_column(ForeignKey("accreditation.id"), index=True)
    attempted_on: Mapped[date] = mapped_column(Date)
    passed: Mapped[bool] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    accreditation: Mapped[Accreditation] = relationship()
