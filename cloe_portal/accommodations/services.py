"""Accommodation requests (seed §3.7): asked at enrolment or later by the partner, decided by the referent."""

from __future__ import annotations

from sqlalchemy import case

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.partners.contacts import centre_staff, partner_admins
from cloe_portal.rules.text import clean_labelled
from cloe_portal.sessions.models import ACCOMMODATION_KINDS, AccommodationRequest, Registration

BEFORE_WRITTEN = ("enrolled", "identity_done")


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
           details={"kind": request.kind, "registration_id": request.registration_id,
                    "status": {"from": "pending", "to": request.status}})
    _notify_decision(request)
    db.session.flush()


# --- asked by the partner after enrolment ---------------------------------------------------


def request_problem(registration: Registration) -> str | None:
    """Why no accommodation can be asked for this registration any more (None when it can)."""
    from cloe_portal.written.services import attempt_for

    if registration.status not in BEFORE_WRITTEN or attempt_for(registration) is not None:
        return ("Le candidat a commencé ou terminé son test écrit : un aménagement se demande "
                "avant le début du test écrit.")
    return None


def add_request(actor: User, registration: Registration, kind: str,
                details: str | None) -> AccommodationRequest:
    """The partner asks an accommodation for an enrolled candidate, before its written test."""
    if actor.role != "partner" or actor.organisation_id != registration.partner_id:
        raise AccommodationError("Seul l'organisme qui a inscrit le candidat peut demander un aménagement.")
    problem = request_problem(registration)
    if problem:
        raise AccommodationError(problem)
    if kind not in ACCOMMODATION_KINDS:
        raise AccommodationError("Choisissez l'aménagement demandé.")
    if any(a.kind == kind and a.status in ("pending", "approved") for a in registration.accommodations):
        raise AccommodationError("Cet aménagement est déjà demandé ou accordé pour ce candidat.")
    details, refusal = clean_labelled(details, "Justification")
    if refusal:
        raise AccommodationError(refusal)
    if not details:
        raise AccommodationError("Justifiez la demande (situation du candidat, justificatif reçu).")
    item = AccommodationRequest(registration=registration, kind=kind, status="pending",
                                details=details, created_at=clock.now())
    db.session.add(item)
    db.session.flush()
    record(actor, "accommodation.requested", item, reason=details,
           details={"kind": kind, "registration_id": registration.id, "after_enrolment": True,
                    "status": {"from": None, "to": "pending"}})
    _notify_referents(item)
    db.session.flush()
    return item


def _link(endpoint: str, **values: object) -> str:
    from cloe_portal.results.services import absolute_url

    return absolute_url(endpoint, **values)


def _notify_referents(item: AccommodationRequest) -> None:
    """Tell the referents of the partner's centre that a request joined their queue."""
    from cloe_portal.notifications.mail import queue_email

    registration = item.registration
    for person in centre_staff(registration.partner):
        queue_email(person.email, "accommodation_requested", kind="accommodation-requested",
                    key=f"accommodation-requested:{item.id}:registration-{registration.id}:user-{person.id}",
                    recipient_id=person.id, item=item, registration=registration,
                    link=_link("accommodations.detail", request_id=item.id))


def _notify_decision(item: AccommodationRequest) -> None:
    """The partner's admins and the candidate hear the referent's decision."""
    from cloe_portal.notifications.mail import queue_email

    registration = item.registration
    people = [(p, True) for p in partner_admins(registration.partner_id)]
    people.append((registration.candidate, False))
    for person, to_partner in people:
        queue_email(person.email, "accommodation_decision", kind="accommodation-decision",
                    key=f"accommodation-decision:{item.id}:registration-{registration.id}:user-{person.id}",
                    recipient_id=person.id, item=item, registration=registration,
                    to_partner=to_partner)
