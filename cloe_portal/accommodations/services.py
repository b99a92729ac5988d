"""The referent's decisions on accommodation requests (seed §3.7)."""

from __future__ import annotations

from sqlalchemy import case

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.sessions.models import AccommodationRequest, Registration


class AccommodationError(Exception):
    """A decision refused; the message is French and safe to show."""


def may_decide(user: User, request: AccommodationRequest) -> bool:
    """Coordinator: every request; referent: requests of the partners its centre follows."""
    if user.role == "coordinator":
        return True
    partner = request.registration.partner
    return user.role == "referent" and partner is not None and (
        partner.referent_centre_id == user.organisation_id
    )


def queue(user: User, partner_id: int | None = None) -> list[AccommodationRequest]:
    """Requests the user decides: pending first (oldest first), then decided (newest first)."""
    stmt = (
        db.select(AccommodationRequest)
        .join(Registration, AccommodationRequest.registration_id == Registration.id)
        .join(Organisation, Registration.partner_id == Organisation.id)
        .options(
            db.joinedload(AccommodationRequest.registration).joinedload(Registration.candidate),
            db.joinedload(AccommodationRequest.registration).joinedload(Registration.partner),
            db.joinedload(AccommodationRequest.registration).joinedload(Registration.session),
        )
        .order_by(
            case((AccommodationRequest.status == "pending", 0), else_=1),
            case((AccommodationRequest.status == "pending", AccommodationRequest.created_at), else_=None),
            AccommodationRequest.decided_at.desc(),
            AccommodationRequest.id,
        )
    )
    if user.role != "coordinator":
        stmt = stmt.where(Organisation.referent_centre_id == user.organisation_id)
    if partner_id:
        stmt = stmt.where(Registration.partner_id == partner_id)
    return list(db.session.scalars(stmt).unique())


def pending_count(user: User) -> int:
    """How many requests wait for this user's decision."""
    return sum(1 for r in queue(user) if r.status == "pending")


def decide(actor: User, request: AccommodationRequest, approve: bool, comment: str | None) -> None:
    """Approve or refuse a request (a comment is required to refuse); audit-logged."""
    if request.status != "pending":
        raise AccommodationError("Cette demande a déjà été traitée.")
    comment = (comment or "").strip() or None
    if not approve and not comment:
        raise AccommodationError("Expliquez le refus : le commentaire est obligatoire.")
    request.status = "approved" if approve else "refused"
    request.decided_by_id = actor.id
    request.decided_at = clock.now()
    request.comment = comment
    record(actor, f"accommodation.{request.status}", request, reason=comment,
           details={"kind": request.kind, "registration_id": request.registration_id})
    db.session.flush()
