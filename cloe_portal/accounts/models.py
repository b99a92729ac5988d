"""Organisations (CEL centres, partners) and users with one role each."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cloe_portal import clock
from cloe_portal.core.types import UTCDateTime
from cloe_portal.extensions import db

ROLES = ("coordinator", "referent", "partner", "assessor", "candidate")
ROLE_LABELS_FR = {
    "coordinator": "Coordinateur réseau",
    "referent": "Référent CEL",
    "partner": "Organisme partenaire",
    "assessor": "Évaluateur",
    "candidate": "Candidat",
}
ORG_KINDS = ("cel", "partner")
# applicant → active (validated and listed) → suspended / ended
PARTNER_STATUSES = ("applicant", "active", "suspended", "ended", "rejected")
PARTNER_STATUS_LABELS_FR = {
    "applicant": "Candidature en cours",
    "active": "Habilité",
    "suspended": "Suspendu",
    "ended": "Partenariat terminé",
    "rejected": "Refusé",
}


class Organisation(db.Model):
    """A CEL centre (referent) or a partner training organisation."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str | None] = mapped_column(String(14))
    address: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(300))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    # A partner is followed by one CEL centre (its referent centre).
    referent_centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id"), index=True
    )
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    referent_centre: Mapped[Organisation | None] = relationship(remote_side=[id])

    @property
    def is_partner(self) -> bool:
        return self.kind == "partner"

    @property
    def can_create_sessions(self) -> bool:
        """Only an accredited (active) partner creates sessions."""
        return self.kind == "partner" and self.status == "active"

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name!r}>"


class User(UserMixin, db.Model):
    """A person with exactly one role, attached to an organisation (candidates: their partner)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str | None] = mapped_column(String(30))
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped whenever the password changes: invalidates reset links and other sessions.
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Second factor (TOTP, RFC 6238): the confirmed secret, the one being enrolled, and the
    # last time step accepted (a code is good once).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    organisation: Mapped[Organisation | None] = relationship()

    # The raw key of the login session this object was loaded with (or just opened): what
    # Flask-Login keeps in the cookie. Never stored; the database keeps only its hash.
    # Plain attributes (not annotated: declarative would try to map them).
    session_key = None  # str | None
    login_session = None  # UserSession | None

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def totp_enabled(self) -> bool:
        return self.totp_secret is not None

    def get_id(self) -> str:
        """Flask-Login's id: the key of this user's server-side session (see user_sessions)."""
        if not self.session_key:
            raise RuntimeError("open a login session (user_sessions.open_session) before login_user")
        return self.session_key

    # Flask-Login's UserMixin compares get_id(): compare the person instead.
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()

    @property
    def role_label(self) -> str:
        return ROLE_LABELS_FR.get(self.role, self.role)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role} {self.email}>"


class UserSession(db.Model):
    """One login: the cookie holds a random key, the server its SHA-256 (ASVS V3.3)."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # logout, password, deactivated, ended_by_user, ended_by_staff, second_factor_reset, erased
    revoke_reason: Mapped[str | None] = mapped_column(String(30))

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id} revoked={self.revoke_reason}>"


class RecoveryCode(db.Model):
    """A single-use second-factor recovery code, argon2-hashed like a password."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def normalise_email(email: str) -> str:
    """Emails are unique case-insensitively: store them lower-cased and stripped."""
    return (email or "").strip().lower()


def email_exists(email: str) -> bool:
    """True when a user already has this email."""
    stmt = db.select(func.count(User.id)).where(User.email == normalise_email(email))
    return db.session.scalar(stmt) > 0
