"""Partner accreditation use cases: submit, audit, commission, listing, suspension (seed §4.2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User, email_exists
from cloe_portal.accounts.services import create_user, send_welcome
from cloe_portal.applications import checks
from cloe_portal.applications.models import (
    DECISIONS,
    DOCUMENT_KINDS,
    OPINIONS,
    ApplicationDocument,
    PartnerApplication,
)
from cloe_portal.audit.services import record
from cloe_portal.core import uploads
from cloe_portal.extensions import db
from cloe_portal.notifications.mail import queue_email


class ApplicationError(Exception):
    """A step refused; the message is French and safe to show."""


DOCUMENT_FOLDER = "applications"


def store_document(application: PartnerApplication, kind: str, filename: str, data: bytes) -> ApplicationDocument:
    """Check and store one file under a random name; keep its SHA-256."""
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"unknown document kind {kind}")
    try:
        saved = uploads.save_private(DOCUMENT_FOLDER, filename, data)
    except uploads.UploadRefused as exc:
        raise ApplicationError(f"{DOCUMENT_KINDS[kind]} : {exc}") from None
    document = ApplicationDocument(
        application=application, kind=kind, original_name=saved.original_name,
        stored_name=saved.stored_name, mimetype=saved.mimetype, size=saved.size,
        sha256=saved.sha256, uploaded_at=clock.now(),
    )
    db.session.add(document)
    return document


def download_name(document: ApplicationDocument) -> str:
    """A safe file name for the download: reference, kind and the extension of the real type."""
    ext = uploads.EXTENSIONS[document.mimetype]
    return f"{document.application.reference}-{document.kind}{ext}"


def submit_application(data: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> PartnerApplication:
    """Record a new application with its documents, give it a reference, email the applicant."""
    if not checks.is_france(data.get("country", "")):
        raise ApplicationError(checks.RULE_FOREIGN)
    if data.get("elearning_share") == 100:
        raise ApplicationError(checks.RULE_ELEARNING)
    missing = [DOCUMENT_KINDS[k] for k in DOCUMENT_KINDS if k not in files]
    if missing:
        raise ApplicationError("Documents manquants : " + ", ".join(missing))
    data = {**data, "country": "France"}
    application = PartnerApplication(status="submitted", submitted_at=clock.now(), **data)
    application.siret = checks.normalise_siret(application.siret)
    application.contact_email = application.contact_email.strip().lower()
    db.session.add(application)
    db.session.flush()
    # The id makes the reference unique without a counter table.
    application.reference = f"CLOE-AP-{clock.today_paris().year}-{application.id:04d}"
    for kind, (filename, content) in files.items():
        store_document(application, kind, filename, content)
    record(None, "application.submitted", application,
           details={"reference": application.reference, "org_name": application.org_name})
    queue_email(application.contact_email, "application_received", kind="application",
                key=f"application-received-{application.id}", application=application)
    db.session.flush()
    return application


def save_audit(
    actor: User,
    application: PartnerApplication,
    checklist: dict[str, dict[str, Any]],
    opinion: str | None,
    reason: str | None,
) -> None:
    """Save the referent's checklist; with an opinion, close the audit and tell the applicant."""
    if application.status != "submitted":
        raise ApplicationError("L'avis a déjà été rendu : la grille d'audit n'est plus modifiable.")
    clean = checks.clean_checklist(checklist)
    application.audit_checklist = clean
    application.auditor_id = actor.id
    reason = (reason or "").strip() or None
    tally = {"conforming": checks.conforming_count(clean), "points": len(clean)}
    if not opinion:
        record(actor, "application.audit_saved", application, details=tally)
        db.session.flush()
        return
    if opinion not in OPINIONS:
        raise ValueError(opinion)
    if opinion == "favourable" and not checks.all_conforming(clean):
        raise ApplicationError(
            "Un avis favorable suppose que chaque point de la grille soit conforme."
        )
    if opinion == "unfavourable" and not reason:
        raise ApplicationError("Motivez l'avis défavorable.")
    application.opinion = opinion
    application.opinion_reason = reason
    application.opinion_at = clock.now()
    application.status = "audited"
    record(actor, f"application.opinion_{opinion}", application, reason=reason, details=tally)
    queue_email(application.contact_email, "application_audited", kind="application",
                key=f"application-audited-{application.id}", application=application)
    db.session.flush()


def record_commission(
    actor: User, application: PartnerApplication, decision: str, decision_date: date, reason: str | None
) -> None:
    """Record the commission's decision (validated / rejected) and email the applicant."""
    if decision not in DECISIONS:
        raise ValueError(decision)
    if application.status != "audited":
        raise ApplicationError("La commission statue sur un dossier dont l'avis a été rendu, et une seule fois.")
    reason = (reason or "").strip() or None
    if decision == "rejected" and not reason:
        raise ApplicationError("Motivez le rejet : le motif est envoyé à l'organisme.")
    if decision_date > clock.today_paris():
        raise ApplicationError("La date de la commission ne peut pas être dans le futur.")
    if application.opinion_at and decision_date < application.opinion_at.date():
        raise ApplicationError("La commission ne peut pas précéder l'avis du référent.")
    application.decision = decision
    application.decision_date = decision_date
    application.decision_reason = reason
    application.decided_by_id = actor.id
    application.decided_at = clock.now()
    application.status = decision
    record(actor, f"application.{decision}", application, reason=reason,
           details={"commission_date": decision_date.isoformat()})
    queue_email(application.contact_email, "application_decision", kind="application",
                key=f"application-decision-{application.id}", application=application)
    db.session.flush()


def add_to_partner_list(actor: User, application: PartnerApplication) -> Organisation:
    """Coordinator: create the partner organisation and its admin account, list it publicly."""
    if actor.role != "coordinator":
        raise ApplicationError("Seul le coordinateur du réseau ajoute un organisme à la liste des partenaires.")
    if application.status != "validated":
        raise ApplicationError("Seule une candidature validée par la commission peut être ajoutée à la liste.")
    if email_exists(application.contact_email):
        raise ApplicationError(
            f"Un compte existe déjà avec l'adresse {application.contact_email} : "
            "l'administrateur du partenaire ne peut pas être créé avec cette adresse."
        )
    now = clock.now()
    auditor = application.auditor
    org = Organisation(
        kind="partner", status="active", name=application.org_name, siret=application.siret,
        address=application.address, postcode=application.postcode, city=application.city,
        website=application.website, contact_email=application.contact_email,
        phone=application.contact_phone,
        referent_centre_id=auditor.organisation_id if auditor else None,
        listed_at=now, created_at=now,
    )
    db.session.add(org)
    db.session.flush()
    admin = create_user(application.contact_email, "partner", application.contact_first_name,
                        application.contact_last_name, org)
    admin.phone = application.contact_phone
    application.organisation_id = org.id
    application.status = "listed"
    record(actor, "application.listed", application, details={"organisation_id": org.id})
    record(actor, "partner.listed", org, details={"application": application.reference})
    send_welcome(admin)
    queue_email(application.contact_email, "application_listed", kind="application",
                key=f"application-listed-{application.id}", application=application, organisation=org)
    db.session.flush()
    return org


# Partnership status after listing (seed §4.3.1: breaches lead to cancellation).
TRANSITION_TO = {"suspend": "suspended", "end": "ended", "reactivate": "active"}
TRANSITION_FROM = {"suspend": ("active",), "end": ("active", "suspended"), "reactivate": ("suspended",)}


def change_partnership(actor: User, org: Organisation, action: str, reason: str) -> None:
    """Suspend, end or reactivate a partnership; the reason is required and logged."""
    if action not in TRANSITION_FROM:
        raise ValueError(action)
    if not org.is_partner or org.status not in TRANSITION_FROM[action]:
        raise ApplicationError("Ce changement n'est pas possible dans l'état actuel du partenariat.")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Le motif est obligatoire.")
    previous = org.status
    org.status = TRANSITION_TO[action]
    org.status_reason = reason
    record(actor, f"partner.{action}", org, reason=reason, details={"from": previous, "to": org.status})
    admins = db.session.scalars(
        db.select(User).where(User.organisation_id == org.id, User.role == "partner", User.active)
    )
    for admin in admins:
        queue_email(admin.email, "application_partnership_status", kind="partnership",
                    recipient_id=admin.id, organisation=org, user=admin, reason=reason)
    db.session.flush()


def listed_partners() -> list[Organisation]:
    """The public list: partners currently accredited, by name."""
    stmt = (
        db.select(Organisation)
        .where(Organisation.kind == "partner", Organisation.status == "active",
               Organisation.listed_at.is_not(None))
        .options(db.joinedload(Organisation.referent_centre))
        .order_by(Organisation.name)
    )
    return list(db.session.scalars(stmt))
