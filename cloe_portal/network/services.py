"""CEL centres and referents (coordinator), followed partners, and what needs action."""

from __future__ import annotations

from dataclasses import dataclass, field

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.accounts.services import create_user, send_welcome
from cloe_portal.accounts.user_sessions import revoke_all
from cloe_portal.audit.services import record
from cloe_portal.extensions import db


class NetworkError(Exception):
    """A step refused; the message is French and safe to show."""


def follows(user: User, org: Organisation) -> bool:
    """Coordinator: every partner; referent: the partners its centre follows."""
    if not org.is_partner:
        return False
    return user.role == "coordinator" or (
        user.role == "referent" and org.referent_centre_id == user.organisation_id
    )


def followed_partners(user: User) -> list[Organisation]:
    """Partners the user follows (all for the coordinator), by name."""
    stmt = db.select(Organisation).where(Organisation.kind == "partner",
                                         Organisation.status != "applicant")
    if user.role != "coordinator":
        stmt = stmt.where(Organisation.referent_centre_id == user.organisation_id)
    return list(db.session.scalars(stmt.order_by(Organisation.name)))


def centres() -> list[Organisation]:
    """CEL centres by name."""
    return list(db.session.scalars(
        db.select(Organisation).where(Organisation.kind == "cel").order_by(Organisation.name)
    ))


def create_centre(actor: User, name: str, city: str, postcode: str, address: str | None,
                  contact_email: str | None) -> Organisation:
    """Coordinator: add a CEL centre."""
    org = Organisation(kind="cel", status="active", name=name.strip(), city=city.strip(),
                       postcode=postcode.strip(), address=(address or "").strip() or None,
                       contact_email=(contact_email or "").strip() or None, created_at=clock.now())
    db.session.add(org)
    db.session.flush()
    record(actor, "centre.created", org)
    return org


def create_referent(actor: User, centre: Organisation, email: str, first_name: str,
                    last_name: str) -> User:
    """Coordinator: create a referent of a centre and send the first-login email."""
    if centre.kind != "cel":
        raise NetworkError("Un référent appartient à un centre CEL.")
    user = create_user(email, "referent", first_name, last_name, centre)
    record(actor, "referent.created", user, details={"summary": centre.name})
    send_welcome(user)
    return user


def may_set_active(actor: User, user: User) -> bool:
    """Coordinator: any account but its own; referent: assessors of its centre."""
    if user.id == actor.id or user.role == "coordinator":
        return False
    if actor.role == "coordinator":
        return True
    return actor.role == "referent" and user.role == "assessor" and (
        user.organisation_id == actor.organisation_id
    )


def set_active(actor: User, user: User, active: bool, reason: str) -> None:
    """Deactivate (or reactivate) an account; the person can no longer log in."""
    if not may_set_active(actor, user):
        raise NetworkError("Vous ne pouvez pas modifier ce compte.")
    reason = (reason or "").strip()
    if not reason:
        raise NetworkError("Le motif est obligatoire.")
    user.active = active
    if not active:  # every open session ends now, and stays ended if the account comes back
        revoke_all(user, "deactivated")
    record(actor, "account.reactivated" if active else "account.deactivated", user, reason=reason)
    db.session.flush()


@dataclass
class HomeSummary:
    """What a referent or the coordinator has to act on."""

    to_audit: list = field(default_factory=list)
    to_decide: list = field(default_factory=list)
    to_list: list = field(default_factory=list)
    accommodations: list = field(default_factory=list)
    expiring: list = field(default_factory=list)
    expired: list = field(default_factory=list)
    partners: list = field(default_factory=list)
    suspended_tests: list = field(default_factory=list)
    audits_due: list = field(default_factory=list)


def home_summary(user: User) -> HomeSummary:
    """Applications to audit / decide / list, pending accommodations, assessors expiring,
    written tests suspended after repeated incidents, partners' follow-up audits due."""
    from cloe_portal.accommodations.services import queue
    from cloe_portal.applications.models import PartnerApplication
    from cloe_portal.assessors.services import expiry_watch
    from cloe_portal.partner_audits.services import audits_due
    from cloe_portal.written.services import suspended_attempts

    apps = list(db.session.scalars(
        db.select(PartnerApplication)
        .where(PartnerApplication.status.in_(("submitted", "audited", "validated")))
        .order_by(PartnerApplication.submitted_at)
    ))
    expiring, expired = expiry_watch(
        clock.today_paris(), None if user.role == "coordinator" else user.organisation_id
    )
    return HomeSummary(
        to_audit=[a for a in apps if a.status == "submitted"],
        to_decide=[a for a in apps if a.status == "audited"],
        to_list=[a for a in apps if a.status == "validated"],
        accommodations=[r for r in queue(user) if r.status == "pending"],
        expiring=expiring,
        expired=expired,
        partners=followed_partners(user),
        suspended_tests=suspended_attempts(user),
        audits_due=audits_due(user, clock.today_paris()),
    )
