"""EDOF uploads (history kept) and the CPF files of each upload."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db
from cloe_portal.sessions.models import Registration

MATCH_KINDS = {"cpf": "N° de dossier CPF", "name": "Nom, prénom et dates"}


class EdofUpload(db.Model):
    """One uploaded extract: who, when, which file; the month's current one is the latest."""

    __tablename__ = "edof_upload"
    __table_args__ = (Index("ix_edof_upload_partner_month", "partner_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # First day of the month the extract is for.
    month: Mapped[date] = mapped_column(Date)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    file_format: Mapped[str] = mapped_column(String(8))
    row_count: Mapped[int] = mapped_column(default=0)
    matched_count: Mapped[int] = mapped_column(default=0)
    # Set when a later upload for the same month replaced this one's rows.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    partner: Mapped[Organisation] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
    rows: Mapped[list[EdofFile]] = relationship(
        back_populates="upload", order_by="EdofFile.line", cascade="all, delete-orphan"
    )

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class EdofFile(db.Model):
    """One CPF training file (a row of an extract), matched to a registration when possible."""

    __tablename__ = "edof_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("edof_upload.id"), index=True)
    line: Mapped[int]
    file_number: Mapped[str] = mapped_column(String(40), index=True)
    last_name: Mapped[str] = mapped_column(String(120))
    first_name: Mapped[str] = mapped_column(String(120))
    training_title: Mapped[str] = mapped_column(String(300))
    certif_code: Mapped[str | None] = mapped_column(String(60))
    certif_title: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str | None] = mapped_column(String(80))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    match_kind: Mapped[str | None] = mapped_column(String(8))

    upload: Mapped[EdofUpload] = relationship(back_populates="rows")
    registration: Mapped[Registration | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"
