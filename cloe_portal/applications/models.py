"""Partner applications (seed §4.2) and the documents sent with them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db

# submitted → audited (opinion given) → validated / rejected (commission) → listed (coordinator)
APPLICATION_STATUSES = {
    "submitted": "En attente d'audit",
    "audited": "Avis rendu — en attente de la commission",
    "validated": "Validée par la commission — à inscrire sur la liste",
    "rejected": "Rejetée par la commission",
    "listed": "Inscrit sur la liste des partenaires",
}
OPINIONS = {"favourable": "Favorable", "unfavourable": "Défavorable"}
DECISIONS = {"validated": "Validée", "rejected": "Rejetée"}
TEACHING_FORMATS = {
    "individual": "Cours individuels avec formateur (présentiel)",
    "group": "Cours collectifs avec formateur (présentiel)",
    "virtual_class": "Classe virtuelle ou visioconférence avec formateur",
    "blended": "Formation mixte (formateur + e-learning)",
    "elearning": "E-learning (modules en autonomie)",
}
DOCUMENT_KINDS = {
    "qualiopi": "Certificat Qualiopi",
    "programme": "Exemple de programme de formation",
    "establishment": "Justificatif d'implantation en France",
    "agreement": "Convention de partenariat signée",
}


class PartnerApplication(db.Model):
    """A training organisation's request to become a CLOE partner, and its audit trail."""

    __tablename__ = "partner_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    # Organisation identity
    org_name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14), index=True)
    address: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(60), default="France")
    website: Mapped[str] = mapped_column(String(300))
    founded_year: Mapped[int] = mapped_column(Integer)
    staff_count: Mapped[int] = mapped_column(Integer)
    # Contact (becomes the partner admin account on listing)
    contact_first_name: Mapped[str] = mapped_column(String(120))
    contact_last_name: Mapped[str] = mapped_column(String(120))
    contact_role: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(30))
    # Offer
    volumes: Mapped[dict] = mapped_column(JSON, default=dict)  # {"en": 120, ...} per year
    elearning_share: Mapped[int] = mapped_column(Integer)
    teaching_formats: Mapped[list] = mapped_column(JSON, default=list)
    trainer_count: Mapped[int] = mapped_column(Integer)
    satisfaction_rate: Mapped[int] = mapped_column(Integer)
    positioning_process: Mapped[str] = mapped_column(Text)
    certified_rate: Mapped[int] = mapped_column(Integer)
    follow_up_process: Mapped[str] = mapped_column(Text)
    human_led_commitment: Mapped[bool] = mapped_column(default=False)
    charter_acknowledged: Mapped[list] = mapped_column(JSON, default=list)  # criteria numbers 1–10
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Referent's audit
    audit_checklist: Mapped[dict] = mapped_column(JSON, default=dict)  # key → {ok, note}
    auditor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    opinion: Mapped[str | None] = mapped_column(String(16))
    opinion_reason: Mapped[str | None] = mapped_column(Text)
    opinion_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Commission
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Listing
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))

    auditor: Mapped[User | None] = relationship(foreign_keys=[auditor_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    organisation: Mapped[Organisation | None] = relationship()
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.id"
    )

    @property
    def status_label(self) -> str:
        return APPLICATION_STATUSES.get(self.status, self.status)

    @property
    def contact_name(self) -> str:
        return f"{self.contact_first_name} {self.contact_last_name.upper()}"


class ApplicationDocument(db.Model):
    """An uploaded file: stored outside static/ under a random name, with its SHA-256."""

    __tablename__ = "application_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("partner_application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    mimetype: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    application: Mapped[PartnerApplication] = relationship(back_populates="documents")

    @property
    def kind_label(self) -> str:
        return DOCUMENT_KINDS.get(self.kind, self.kind)
