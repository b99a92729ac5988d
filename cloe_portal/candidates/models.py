"""What a candidate gives before the written test: identity (Caisse des Dépôts), photos,
and the practice answers of "Réussir CLOE"."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db

GENDERS = {"F": "Femme", "M": "Homme"}
PHOTO_KINDS = {"face": "Photo du visage", "id_document": "Photo de la pièce d'identité"}


class CandidateIdentity(db.Model):
    """A candidate's civil identity as the Caisse des Dépôts needs it (arrêté du 21 mai 2021).

    One row per user holding the latest data; each written attempt keeps a snapshot.
    """

    __tablename__ = "candidate_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    birth_name: Mapped[str] = mapped_column(String(120))
    usage_name: Mapped[str | None] = mapped_column(String(120))
    first_names: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    birth_city: Mapped[str] = mapped_column(String(120))
    birth_department: Mapped[str | None] = mapped_column(String(3))
    birth_country: Mapped[str] = mapped_column(String(80), default="France")
    gender: Mapped[str] = mapped_column(String(1))
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(80), default="France")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    user: Mapped[User] = relationship()

    def snapshot(self) -> dict:
        """The identity as plain JSON (kept on the attempt when the test starts)."""
        return {
            "birth_name": self.birth_name,
            "usage_name": self.usage_name,
            "first_names": self.first_names,
            "birth_date": self.birth_date.isoformat(),
            "birth_city": self.birth_city,
            "birth_department": self.birth_department,
            "birth_country": self.birth_country,
            "gender": self.gender,
            "email": self.email,
            "address": self.address,
            "postcode": self.postcode,
            "city": self.city,
            "country": self.country,
            "recorded_at": self.updated_at.isoformat(),
        }


class CandidatePhoto(db.Model):
    """A face or ID document photo taken before the test, stored privately (UPLOAD_DIR)."""

    __tablename__ = "candidate_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column()
    source: Mapped[str] = mapped_column(String(10), default="webcam")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Set when the file was deleted (evidence retention, see cloe_portal/privacy); the row and
    # its SHA-256 stay so the jury's decision remains provable.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def kind_label(self) -> str:
        return PHOTO_KINDS.get(self.kind, self.kind)


class PracticeAnswer(db.Model):
    """One answer in "Réussir CLOE" practice (never part of a certification)."""

    __tablename__ = "practice_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    skill: Mapped[str] = mapped_column(String(16))
    response: Mapped[object | None] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
