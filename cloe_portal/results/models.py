"""Issued results: the attestation of each validated candidate, the certificates, and the
hash-chained ledger that makes issued certificates tamper-evident."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db
from cloe_portal.sessions.models import Registration

LEDGER_KINDS = {"issue": "Délivrance", "revoke": "Révocation"}


class Result(db.Model):
    """A validated candidate's published result and attestation (online for 3 years)."""

    __tablename__ = "result"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A registration keeps every result it was issued: a reissue (identity rectified, appeal)
    # adds a row and marks the previous one replaced; the current one has replaced_at NULL.
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    # Denormalised so that ownership checks and lists need no join.
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("jury_review.id"), index=True)
    global_level: Mapped[str] = mapped_column(String(3))
    ecrit_level: Mapped[str] = mapped_column(String(3))
    oral_level: Mapped[str] = mapped_column(String(3))
    levels: Mapped[dict] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    available_until: Mapped[datetime] = mapped_column(UTCDateTime())
    attestation_pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    attestation_sha256: Mapped[str] = mapped_column(String(64))
    # The holder's name as the attestation prints it (NULL on rows issued before it was kept).
    holder_name: Mapped[str | None] = mapped_column(String(250))
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("result.id"))
    replace_reason: Mapped[str | None] = mapped_column(Text)

    registration: Mapped[Registration] = relationship()
    certificate: Mapped[Certificate | None] = relationship(back_populates="result",
                                                           uselist=False)
    replaced_by: Mapped[Result | None] = relationship(remote_side=[id], foreign_keys=[replaced_by_id])

    @property
    def replaced(self) -> bool:
        return self.replaced_at is not None


class Certificate(db.Model):
    """A Certificat CLOE: valid for life, verifiable by its number, revocable (never deleted)."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("result.id"), unique=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(250))
    level: Mapped[str] = mapped_column(String(2))
    global_sublevel: Mapped[str] = mapped_column(String(3))
    language: Mapped[str] = mapped_column(String(2))
    certified_on: Mapped[date] = mapped_column(Date, index=True)
    centre_name: Mapped[str] = mapped_column(String(250))
    # The canonical data hashed into the ledger (what the PDF states).
    data: Mapped[dict] = mapped_column(JSON)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Set when the certificate was revoked because it was reissued under a new number.
    replaced_by_number: Mapped[str | None] = mapped_column(String(40))

    result: Mapped[Result] = relationship(back_populates="certificate")
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class LedgerEntry(db.Model):
    """One append-only entry of the certificate ledger; each hashes the one before it."""

    __tablename__ = "certificate_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    certificate_number: Mapped[str] = mapped_column(String(40), index=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    data_sha256: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    @property
    def kind_label(self) -> str:
        return LEDGER_KINDS.get(self.kind, self.kind)


# The civil-status fields of CandidateIdentity that the documents and the CDC export print.
CIVIL_STATUS_FIELDS = ("birth_name", "usage_name", "first_names", "gender", "birth_date",
                       "birth_city", "birth_department", "birth_country")


class IdentityRectification(db.Model):
    """A referent's correction of a candidate's civil status after the fact, with its evidence
    (stored privately under UPLOAD_DIR) and the documents it reissued."""

    __tablename__ = "identity_rectification"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[dict] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)
    # [{"result_id": old, "new_result_id": new, "old_number": …, "new_number": …}]
    reissued: Mapped[list | None] = mapped_column(JSON)
    evidence_name: Mapped[str] = mapped_column(String(255))
    evidence_stored: Mapped[str] = mapped_column(String(64), unique=True)
    evidence_mime: Mapped[str] = mapped_column(String(40))
    evidence_size: Mapped[int] = mapped_column()
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    candidate: Mapped[User] = relationship(foreign_keys=[candidate_id])
    actor: Mapped[User] = relationship(foreign_keys=[actor_id])
