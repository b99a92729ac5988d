"""Access extensions: a partner asks for more days, a referent grants (maybe fewer) or refuses.

Seed 004 tells a candidate whose oral booking period is over to "contact your training
organisation to extend access"; the organisation asks here. Granted days are added to the
registration's ``window_extension_days`` (written test, through ``written.services.extend_window``)
or ``booking_extension_days`` (oral booking), which ``rules.windows`` adds to the deadline.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case
from sqlalchemy.exc import IntegrityError

from cloe_portal import clock
from cloe_portal.access_extensions.models import (
    EXTENSION_WINDOWS,
    MAX_EXTENSION_DAYS,
    MIN_EXTENSION_DAYS,
    AccessExtensionRequest,
)
from cloe_portal.accounts.models import User
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.partners.contacts import centre_staff, partner_admins
from cloe_portal.partners.scope import may_see_partner, partner_filter
from cloe_portal.rules.text import clean_labelled
from cloe_portal.rules.windows import booking_window, written_window
from cloe_portal.sessions.models import Registration

BEFORE_WRITTEN = ("enrolled", "identity_done")
BOOKING_OPEN = ("written_done", "oral_booked")


class ExtensionError(Exception):
    """A request or decision refused; the French message is safe to show (beside ``field``)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def may_see(user: User, item: AccessExtensionRequest) -> bool:
    """The partner that asked, the referents of its centre, the coordinator."""
    return may_see_partner(user, item.partner_id)


def may_decide(user: User, item: AccessExtensionRequest) -> bool:
    """Referents of the partner's centre and the coordinator decide."""
    return user.role in ("referent", "coordinator") and may_see(user, item)


def window_problem(registration: Registration, window: str) -> str | None:
    """Why this window of the registration cannot be extended now, in French (None when it can)."""
    if window not in EXTENSION_WINDOWS:
        return "Choisissez l'accès à prolonger."
    if window == "written":
        if registration.status not in BEFORE_WRITTEN:
            return ("Le test écrit de ce candidat est terminé ou son inscription est close : "
                    "l'accès au test écrit ne peut plus être prolongé.")
        return None
    if registration.status in BEFORE_WRITTEN:
        return ("Le candidat n'a pas encore terminé son test écrit : la réservation de l'oral "
                "s'ouvre après, prolongez plutôt l'accès au test écrit.")
    if registration.status not in BOOKING_OPEN or registration.written_done_at is None:
        return ("L'oral de ce candidat a eu lieu ou son inscription est close : la période de "
                "réservation ne peut plus être prolongée.")
    return None


def closes_at(registration: Registration, window: str) -> datetime | None:
    """The window's last open instant today (None for a booking window not yet opened)."""
    if window == "written":
        return written_window(registration.session.written_date,
                              registration.window_extension_days or 0).closes_at
    if registration.written_done_at is None:
        return None
    return booking_window(registration.written_done_at, registration.session.written_date,
                          registration.booking_extension_days or 0).closes_at


def pending_for(registration: Registration, window: str) -> AccessExtensionRequest | None:
    """The registration's request on this window still waiting for a decision."""
    return db.session.scalars(db.select(AccessExtensionRequest).where(
        AccessExtensionRequest.registration_id == registration.id,
        AccessExtensionRequest.window == window,
        AccessExtensionRequest.status == "pending")).first()


def _days(days: int | None, most: int) -> int:
    if days is None or not MIN_EXTENSION_DAYS <= days <= most:
        raise ExtensionError(f"Indiquez un nombre de jours entre {MIN_EXTENSION_DAYS} et {most}.",
                             field="days")
    return days


def _text(value: str | None, label: str, field: str, required_message: str | None) -> str | None:
    text, refusal = clean_labelled(value, label)
    if refusal:
        raise ExtensionError(refusal, field=field)
    if not text and required_message:
        raise ExtensionError(required_message, field=field)
    return text or None


def request_extension(actor: User, registration: Registration, window: str, days: int | None,
                      reason: str | None) -> AccessExtensionRequest:
    """A partner asks for 1–90 more days on one window of one of its registrations."""
    if actor.role != "partner" or actor.organisation_id != registration.partner_id:
        raise ExtensionError("Seul l'organisme qui a inscrit le candidat peut demander une prolongation.")
    problem = window_problem(registration, window)
    if problem:
        raise ExtensionError(problem, field="window")
    days = _days(days, MAX_EXTENSION_DAYS)
    reason = _text(reason, "Motif", "reason", "Indiquez le motif de la demande.")
    if pending_for(registration, window) is not None:
        raise ExtensionError("Une demande de prolongation de cet accès attend déjà la décision du "
                             "CEL : retirez-la pour en faire une autre.", field="window")
    item = AccessExtensionRequest(
        registration_id=registration.id, partner_id=registration.partner_id, window=window,
        days_requested=days, reason=reason, status="pending", requested_by_id=actor.id,
        created_at=clock.now(), closes_before=closes_at(registration, window))
    try:
        with db.session.begin_nested():
            db.session.add(item)
            db.session.flush()
    except IntegrityError:
        # Another submit of the same request won the race (unique pending index).
        raise ExtensionError("Une demande de prolongation de cet accès attend déjà la décision du "
                             "CEL.", field="window") from None
    record(actor, "access_extension.requested", item, reason=reason,
           details={"registration_id": registration.id, "window": window, "days": days,
                    "closes_at": _iso(item.closes_before)})
    _notify_referents(item)
    db.session.flush()
    return item


def withdraw(actor: User, item: AccessExtensionRequest) -> None:
    """The partner takes back a request still pending."""
    if actor.role != "partner" or actor.organisation_id != item.partner_id:
        raise ExtensionError("Seul l'organisme qui a fait la demande peut la retirer.")
    if item.status != "pending":
        raise ExtensionError("Cette demande a déjà été traitée : elle ne peut plus être retirée.")
    item.status = "withdrawn"
    item.withdrawn_at = clock.now()
    record(actor, "access_extension.withdrawn", item,
           details={"registration_id": item.registration_id, "window": item.window,
                    "status": {"from": "pending", "to": "withdrawn"}})
    db.session.flush()


def decide(actor: User, item: AccessExtensionRequest, grant: bool, days: int | None,
           comment: str | None) -> None:
    """Grant up to the days asked (added to the window's extension) or refuse with a comment."""
    if not may_decide(actor, item):
        raise ExtensionError("Seul un référent du centre qui suit ce partenaire peut décider.")
    if item.status == "withdrawn":
        raise ExtensionError("Le partenaire a retiré cette demande : il n'y a plus rien à décider.")
    if item.status != "pending":
        raise ExtensionError("Cette demande a déjà été traitée.")
    comment = _text(comment, "Commentaire", "comment",
                    None if grant else "Expliquez le refus : le commentaire est obligatoire.")
    registration = item.registration
    before_days = _extension_days(registration, item.window)
    item.closes_before = closes_at(registration, item.window)
    if grant:
        days = _days(days, item.days_requested)
        problem = window_problem(registration, item.window)
        if problem:
            raise ExtensionError(problem)
        _apply(actor, item, days, comment)
        item.days_granted = days
        item.closes_after = closes_at(registration, item.window)
    item.status = "granted" if grant else "refused"
    item.comment = comment
    item.decided_by_id = actor.id
    item.decided_at = clock.now()
    record(actor, f"access_extension.{item.status}", item, reason=comment,
           details={"registration_id": registration.id, "window": item.window,
                    "days_requested": item.days_requested, "days_granted": item.days_granted,
                    "status": {"from": "pending", "to": item.status},
                    "extension_days": {"from": before_days,
                                       "to": _extension_days(registration, item.window)},
                    "closes_at": {"from": _iso(item.closes_before),
                                  "to": _iso(item.closes_after or item.closes_before)}})
    _notify_decision(item)
    db.session.flush()


def _extension_days(registration: Registration, window: str) -> int:
    if window == "written":
        return registration.window_extension_days or 0
    return registration.booking_extension_days or 0


def _apply(actor: User, item: AccessExtensionRequest, days: int, comment: str | None) -> None:
    """Add the granted days to the registration's window (each window keeps its own audit)."""
    from cloe_portal.written.services import WrittenError, extend_window

    registration = item.registration
    reason = f"Demande de prolongation n° {item.id}" + (f" : {comment}" if comment else "")
    if item.window == "written":
        try:
            extend_window(registration, actor, days, reason)
        except WrittenError as exc:
            raise ExtensionError(str(exc), field="days") from None
        return
    before = registration.booking_extension_days or 0
    registration.booking_extension_days = before + days
    record(actor, "oral.booking_window_extended", registration, reason=reason,
           details={"days": days, "total": {"from": before, "to": registration.booking_extension_days}})


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# --- lists -----------------------------------------------------------------------------------


def requests_for(registration: Registration) -> list[AccessExtensionRequest]:
    """Every request made for a registration, newest first."""
    return list(db.session.scalars(
        db.select(AccessExtensionRequest)
        .where(AccessExtensionRequest.registration_id == registration.id)
        .order_by(AccessExtensionRequest.created_at.desc(), AccessExtensionRequest.id.desc())))


def queue(user: User, status: str | None = None,
          partner_id: int | None = None) -> list[AccessExtensionRequest]:
    """The requests the user may see: pending first (oldest first), then the others (newest first)."""
    stmt = (
        db.select(AccessExtensionRequest)
        .where(partner_filter(user, AccessExtensionRequest.partner_id))
        .options(db.joinedload(AccessExtensionRequest.registration).joinedload(Registration.candidate),
                 db.joinedload(AccessExtensionRequest.registration).joinedload(Registration.partner),
                 db.joinedload(AccessExtensionRequest.registration).joinedload(Registration.session))
        .order_by(case((AccessExtensionRequest.status == "pending", 0), else_=1),
                  case((AccessExtensionRequest.status == "pending", AccessExtensionRequest.created_at),
                       else_=None),
                  AccessExtensionRequest.created_at.desc(), AccessExtensionRequest.id.desc())
    )
    if status:
        stmt = stmt.where(AccessExtensionRequest.status == status)
    if partner_id:
        stmt = stmt.where(AccessExtensionRequest.partner_id == partner_id)
    return list(db.session.scalars(stmt).unique())


def pending_for_user(user: User) -> list[AccessExtensionRequest]:
    """Requests waiting for this referent's decision (all of them for the coordinator)."""
    return queue(user, status="pending")


# --- personal data (privacy export and erasure) -----------------------------------------------


ERASED = "[effacé]"


def for_registrations(registration_ids: set[int] | list[int]) -> list[AccessExtensionRequest]:
    """The requests made for these registrations (a candidate's export)."""
    if not registration_ids:
        return []
    return list(db.session.scalars(db.select(AccessExtensionRequest).where(
        AccessExtensionRequest.registration_id.in_(registration_ids)).order_by(AccessExtensionRequest.id)))


def erase_for(registration_ids: set[int] | list[int]) -> int:
    """Blank the reasons and comments (health, family…) of an erased candidate's requests."""
    items = for_registrations(registration_ids)
    for item in items:
        item.reason = ERASED
        item.comment = None
    return len(items)


# --- emails ----------------------------------------------------------------------------------


def _link(endpoint: str, **values: object) -> str:
    from cloe_portal.results.services import absolute_url

    return absolute_url(endpoint, **values)


def _notify_referents(item: AccessExtensionRequest) -> None:
    """Tell the referents of the partner's centre that a request waits for them."""
    from cloe_portal.notifications.mail import queue_email

    registration = item.registration
    for person in centre_staff(registration.partner):
        queue_email(person.email, "extension_requested", kind="extension-requested",
                    key=f"extension-requested:{item.id}:registration-{registration.id}:user-{person.id}", recipient_id=person.id,
                    item=item, registration=registration,
                    link=_link("access_extensions.detail", request_id=item.id))


def _notify_decision(item: AccessExtensionRequest) -> None:
    """The partner hears the decision; the candidate hears of a grant and the new deadline."""
    from cloe_portal.notifications.mail import queue_email

    registration = item.registration
    link = _link("access_extensions.detail", request_id=item.id)
    for person in partner_admins(item.partner_id):
        queue_email(person.email, "extension_decision", kind="extension-decision",
                    key=f"extension-decision:{item.id}:registration-{registration.id}:user-{person.id}", recipient_id=person.id,
                    item=item, registration=registration, link=link)
    if item.status == "granted":
        candidate = registration.candidate
        target = "written.overview" if item.window == "written" else "orals.candidate_booking"
        queue_email(candidate.email, "extension_granted", kind="extension-granted",
                    key=f"extension-granted:{item.id}:registration-{registration.id}", recipient_id=candidate.id,
                    item=item, registration=registration, candidate=candidate,
                    link=_link(target, inscription=registration.id))
