"""Personal data: evidence retention, a candidate's data export, erasure.

Decisions written down here (see docs/retention.md for the table):
- Proctoring evidence (face and ID document photos, the written test's integrity log) is
  needed until the jury decides. ``EVIDENCE_RETENTION_DAYS`` (default 90) after the PV
  covering the registration is signed, the job ``evidence-purge`` deletes the photo files
  and the integrity events. The photo rows stay with their SHA-256 and ``purged_at``; the
  integrity log is replaced by the SHA-256 of its canonical JSON (kept on
  ``EvidencePurge``). The decision, the scores and the proctoring verdict are untouched.
  Photos taken without a registration before the PV was signed go with it.
- The purge runs for validated and cancelled decisions alike. A signed PV can no longer
  change, so the evidence has served its purpose either way.
- Erasure is allowed once every registration is closed and its 3 years are over
  (``Result.available_until``; a cancelled decision: 3 years after its PV; a registration
  closed before the jury: 3 years after its last status change). What certificate
  verification needs is kept as issued: the ``certificate`` row (number, holder's name,
  level, language, date, centre, its canonical data and PDF) and the ledger. Both are
  hashed into the ledger, so changing them would break ``flask verify-ledger``. Signed PV
  PDFs are kept unchanged too: they are the jury's legal record and are hashed.
- The written responses (item code, answer, score) are kept without anything that names
  the candidate. They back the scores and the item statistics.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import and_, delete, exists, func, inspect, or_, select
from sqlalchemy.orm import aliased, joinedload

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.accounts.user_sessions import forget_sessions
from cloe_portal.audit.models import AuditEntry
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.jury.models import JuryReview, ProcesVerbal
from cloe_portal.partners.scope import may_see_partner, partner_filter
from cloe_portal.privacy.models import CandidateErasure, EvidencePurge
from cloe_portal.sessions.models import CLOSED_STATUSES, Registration

DEFAULT_RETENTION_DAYS = 90
RESULTS_YEARS = 3
ERASED_DOMAIN = "efface.invalid"  # RFC 2606: .invalid never delivers
REDACTED_BODY = "Contenu effacé le {day} (effacement des données personnelles du candidat)."


class PrivacyError(Exception):
    """A refused privacy action, with the French message shown to the referent."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def retention_days() -> int:
    """Days after the PV signature before the proctoring evidence is purged."""
    return int(current_app.config.get("EVIDENCE_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_jsonable).encode()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return clock.as_utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return None
    return value


def add_years(moment: dt.datetime, years: int) -> dt.datetime:
    from cloe_portal.results.services import add_years as results_add_years

    return results_add_years(moment, years)


# --- who may see what ----------------------------------------------------------------------------


def may_manage_candidate(user: User, candidate: User) -> bool:
    """Coordinator: every candidate; a referent: candidates whose every registration is with a
    partner its centre follows (the export and erasure cover the whole person, so a candidate
    also enrolled with a partner of another centre is left to the coordinator)."""
    if candidate.role != "candidate":
        return False
    if user.role == "coordinator":
        return True
    if user.role != "referent" or not user.organisation_id:
        return False
    partner_ids = set(db.session.scalars(select(Registration.partner_id).where(
        Registration.candidate_id == candidate.id)))
    if not partner_ids and candidate.organisation_id is not None:
        partner_ids = {candidate.organisation_id}
    return bool(partner_ids) and all(may_see_partner(user, p) for p in partner_ids)


# --- evidence purge ---------------------------------------------------------------------------


def _signed_unpurged():  # noqa: ANN202 - a Select
    """Each registration's latest signed review whose evidence is still stored; a
    registration with an appeal under way keeps its evidence (the case needs it)."""
    from cloe_portal.appeals.models import OPEN_STATUSES, Appeal

    later = aliased(JuryReview)
    return (select(JuryReview, ProcesVerbal)
            .join(ProcesVerbal, ProcesVerbal.id == JuryReview.pv_id)
            .outerjoin(EvidencePurge, EvidencePurge.registration_id == JuryReview.registration_id)
            .where(EvidencePurge.id.is_(None),
                   ~exists().where(later.registration_id == JuryReview.registration_id,
                                   later.pv_id.is_not(None), later.id > JuryReview.id),
                   ~exists().where(Appeal.registration_id == JuryReview.registration_id,
                                   Appeal.status.in_(OPEN_STATUSES))))


def purge_due(now: dt.datetime | None = None) -> int:
    """Purge every registration whose PV was signed at least the retention days ago.

    Returns the number of candidate files purged (0 on a second run: idempotent).
    """
    now = now or clock.now()
    days = retention_days()
    rows = db.session.execute(
        _signed_unpurged().where(ProcesVerbal.signed_at <= now - dt.timedelta(days=days))
        .order_by(ProcesVerbal.signed_at, JuryReview.id)).all()
    for review, pv in rows:
        purge_registration(review.registration, pv, now, days)
    return len(rows)


def _evidence_photos(registration: Registration, before: dt.datetime) -> list:
    from cloe_portal.candidates.models import CandidatePhoto

    return list(db.session.scalars(
        select(CandidatePhoto).where(
            CandidatePhoto.user_id == registration.candidate_id,
            or_(CandidatePhoto.registration_id == registration.id,
                and_(CandidatePhoto.registration_id.is_(None),
                     CandidatePhoto.created_at <= before)))
        .order_by(CandidatePhoto.id)))


def _delete_photo_file(photo: Any) -> bool:
    """Delete a photo's file; True if it was there."""
    from cloe_portal.candidates.services import photo_path

    path = photo_path(photo)
    found = path.exists()
    path.unlink(missing_ok=True)
    return found


def integrity_log_json(events: list) -> list[dict]:
    """The integrity log in the canonical form that is hashed before deletion."""
    return [{"at": _jsonable(e.at), "kind": e.kind, "sequence": e.sequence,
             "details": e.details} for e in events]


def purge_registration(registration: Registration, pv: ProcesVerbal | None,
                       now: dt.datetime | None = None, days: int | None = None) -> EvidencePurge:
    """Delete a registration's photo files and integrity log; keep their SHA-256."""
    from cloe_portal.written.models import IntegrityEvent, WrittenAttempt

    now = now or clock.now()
    days = retention_days() if days is None else days
    photos = []
    for photo in _evidence_photos(registration, pv.signed_at if pv else now):
        if photo.purged_at is not None:
            continue
        found = _delete_photo_file(photo)
        photo.purged_at = now
        photos.append({"id": photo.id, "kind": photo.kind, "sha256": photo.sha256,
                       "size_bytes": photo.size_bytes, "created_at": _jsonable(photo.created_at),
                       "file_found": found})
    # Every attempt of the registration: one cancelled for force majeure is kept too.
    attempts = list(db.session.scalars(select(WrittenAttempt).where(
        WrittenAttempt.registration_id == registration.id).order_by(WrittenAttempt.id)))
    events_count, events_sha = 0, None
    if attempts:
        ids = [attempt.id for attempt in attempts]
        events = list(db.session.scalars(select(IntegrityEvent).where(
            IntegrityEvent.attempt_id.in_(ids)).order_by(IntegrityEvent.id)))
        events_count = len(events)
        if events:
            events_sha = _sha256(_canonical(integrity_log_json(events)))
            db.session.execute(delete(IntegrityEvent).where(IntegrityEvent.attempt_id.in_(ids)))
            for attempt in attempts:
                db.session.expire(attempt, ["events"])
    purge = EvidencePurge(registration_id=registration.id,
                          candidate_id=registration.candidate_id,
                          pv_id=pv.id if pv else None, purged_at=now, retention_days=days,
                          photos=photos, integrity_events=events_count,
                          integrity_sha256=events_sha)
    db.session.add(purge)
    db.session.flush()
    record(None, "privacy.evidence_purge", registration, details={
        "candidate_id": registration.candidate_id,
        "pv_id": pv.id if pv else None,
        "pv_signed_at": _jsonable(pv.signed_at) if pv else None,
        "retention_days": days,
        "purged": {"photos": len(photos), "integrity_events": events_count},
        "kept_hashes": {"photos": {str(p["id"]): p["sha256"] for p in photos},
                        "integrity_log": events_sha},
    })
    return purge


def evidence_purge_for(registration_id: int) -> EvidencePurge | None:
    return db.session.scalar(select(EvidencePurge).where(
        EvidencePurge.registration_id == registration_id))


@dataclass
class UpcomingPurge:
    registration: Registration
    pv: ProcesVerbal
    due_at: dt.datetime


def purges_done(user: User, limit: int = 200) -> list[EvidencePurge]:
    """Purges of the candidates the user follows, latest first."""
    return list(db.session.scalars(
        select(EvidencePurge).join(Registration, Registration.id == EvidencePurge.registration_id)
        .where(partner_filter(user, Registration.partner_id))
        .options(joinedload(EvidencePurge.registration).joinedload(Registration.candidate),
                 joinedload(EvidencePurge.registration).joinedload(Registration.session))
        .order_by(EvidencePurge.purged_at.desc(), EvidencePurge.id.desc()).limit(limit)))


def purges_upcoming(user: User, limit: int = 500) -> list[UpcomingPurge]:
    """Signed decisions whose evidence is still stored, with the day it will be purged."""
    days = dt.timedelta(days=retention_days())
    rows = db.session.execute(
        _signed_unpurged().join(Registration, Registration.id == JuryReview.registration_id)
        .where(partner_filter(user, Registration.partner_id))
        .options(joinedload(JuryReview.registration).joinedload(Registration.candidate),
                 joinedload(JuryReview.registration).joinedload(Registration.session))
        .order_by(ProcesVerbal.signed_at, JuryReview.id).limit(limit)).all()
    return [UpcomingPurge(review.registration, pv, pv.signed_at + days) for review, pv in rows]


def erasures_done(user: User, limit: int = 200) -> list[CandidateErasure]:
    stmt = select(CandidateErasure).order_by(CandidateErasure.erased_at.desc()).limit(limit)
    if user.role != "coordinator":
        followed = select(Registration.candidate_id).where(
            partner_filter(user, Registration.partner_id))
        stmt = stmt.where(CandidateErasure.candidate_id.in_(followed))
    return list(db.session.scalars(stmt))


# --- export ---------------------------------------------------------------------------------------

EXPORT_FORMAT = "cloe-donnees-candidat/1"
NEVER_EXPORTED = {"password_hash", "pdf", "attestation_pdf", "pool_snapshot",
                  # item content as served holds the answer key of secure items
                  "content", "shown"}


def _row(obj: Any, exclude: set[str] | frozenset[str] = frozenset()) -> dict:
    """An object's columns as JSON values (secrets, item content and PDFs left out)."""
    out = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in NEVER_EXPORTED or attr.key in exclude:
            continue
        out[attr.key] = _jsonable(getattr(obj, attr.key))
    return out


def _about_targets(candidate: User, ids: dict[str, list[int]]) -> list:
    clauses = [and_(AuditEntry.object_type == "user_account",
                    AuditEntry.object_id == candidate.id),
               AuditEntry.actor_id == candidate.id]
    for object_type, object_ids in ids.items():
        if object_ids:
            clauses.append(and_(AuditEntry.object_type == object_type,
                                AuditEntry.object_id.in_(object_ids)))
    return clauses


def candidate_export(actor: User, candidate: User, now: dt.datetime | None = None) -> dict:
    """Everything the portal holds about a candidate, as JSON-ready data (audit-logged)."""
    from cloe_portal.access_extensions import services as access_extensions
    from cloe_portal.candidates.models import CandidateIdentity, CandidatePhoto, PracticeAnswer
    from cloe_portal.candidates.services import photo_path
    from cloe_portal.notifications.models import OutboxMessage
    from cloe_portal.orals.models import OralBooking, OralWaitlistEntry
    from cloe_portal.problem_reports import services as problem_reports
    from cloe_portal.results.models import Certificate, Result
    from cloe_portal.written.models import WrittenAttempt

    now = now or clock.now()
    registrations = list(db.session.scalars(select(Registration).where(
        Registration.candidate_id == candidate.id).order_by(Registration.id)))
    reg_ids = [r.id for r in registrations]
    identity = db.session.scalar(select(CandidateIdentity).where(
        CandidateIdentity.user_id == candidate.id))

    photos = []
    photo_rows = list(db.session.scalars(select(CandidatePhoto).where(
        CandidatePhoto.user_id == candidate.id).order_by(CandidatePhoto.id)))
    for photo in photo_rows:
        row = _row(photo, {"stored_name"})
        path = photo_path(photo)
        row["contenu_base64"] = (base64.b64encode(path.read_bytes()).decode()
                                 if photo.purged_at is None and path.exists() else None)
        photos.append(row)

    inscriptions = []
    for reg in registrations:
        row = _row(reg)
        row["session"] = {"id": reg.session.id, "nom": reg.session.name,
                          "langue": reg.session.language, "domaine": reg.session.domain,
                          "date_ecrit": _jsonable(reg.session.written_date)}
        row["organisme"] = reg.partner.name
        row["amenagements"] = [_row(a) for a in reg.accommodations]
        inscriptions.append(row)

    attempts = list(db.session.scalars(select(WrittenAttempt).where(
        WrittenAttempt.candidate_id == candidate.id).order_by(WrittenAttempt.id)))
    tests = []
    for attempt in attempts:
        row = _row(attempt)
        row["reponses"] = [_row(r) for r in attempt.responses]
        row["journal_integrite"] = [_row(e) for e in attempt.events]
        tests.append(row)

    bookings = list(db.session.scalars(select(OralBooking).where(
        OralBooking.registration_id.in_(reg_ids)).order_by(OralBooking.id))) if reg_ids else []
    oraux = []
    for booking in bookings:
        row = _row(booking)
        row["creneau"] = {"debut": _jsonable(booking.slot.starts_at),
                          "fin": _jsonable(booking.slot.ends_at),
                          "langue": booking.slot.language,
                          "evaluateur": booking.slot.assessor.full_name}
        row["grille"] = _row(booking.assessment) if booking.assessment else None
        oraux.append(row)
    waitlist = [_row(w) for w in db.session.scalars(select(OralWaitlistEntry).where(
        OralWaitlistEntry.registration_id.in_(reg_ids)))] if reg_ids else []

    reviews = list(db.session.scalars(select(JuryReview).where(
        JuryReview.registration_id.in_(reg_ids)).order_by(JuryReview.id))) if reg_ids else []
    decisions = []
    for review in reviews:
        row = _row(review)
        row["proces_verbal"] = ({"numero": review.pv.number,
                                 "signe_le": _jsonable(review.pv.signed_at),
                                 "signataire": review.pv.signer_name,
                                 "sha256": review.pv.pdf_sha256} if review.pv else None)
        decisions.append(row)
    results = list(db.session.scalars(select(Result).where(
        Result.candidate_id == candidate.id).order_by(Result.id)))
    certificates = list(db.session.scalars(select(Certificate).where(
        Certificate.candidate_id == candidate.id).order_by(Certificate.id)))

    mails = list(db.session.scalars(select(OutboxMessage).where(or_(
        OutboxMessage.recipient_id == candidate.id,
        OutboxMessage.to_email == candidate.email)).order_by(OutboxMessage.id)))
    emails = []
    for mail in mails:
        row = _row(mail, {"attachments"})
        row["pieces_jointes"] = [a.get("filename") for a in (mail.attachments or [])]
        emails.append(row)

    extensions = access_extensions.for_registrations(reg_ids)
    reports = problem_reports.for_registrations(reg_ids)
    ids = {
        "access_extension_request": [e.id for e in extensions],
        "problem_report": [r.id for r in reports],
        "registration": reg_ids,
        "candidate_identity": [identity.id] if identity else [],
        "candidate_photo": [p.id for p in photo_rows],
        "written_attempt": [a.id for a in attempts],
        "oral_booking": [b.id for b in bookings],
        "oral_assessment": [b.assessment.id for b in bookings if b.assessment],
        "jury_review": [r.id for r in reviews],
        "result": [r.id for r in results],
        "certificate": [c.id for c in certificates],
        "accommodation_request": [a.id for r in registrations for a in r.accommodations],
    }
    audit = list(db.session.scalars(select(AuditEntry).where(or_(*_about_targets(candidate, ids)))
                                    .options(joinedload(AuditEntry.actor))
                                    .order_by(AuditEntry.at, AuditEntry.id)))
    journal = []
    for entry in audit:
        row = _row(entry)
        row["auteur"] = entry.actor.full_name if entry.actor else "Système"
        journal.append(row)

    erasure = db.session.scalar(select(CandidateErasure).where(
        CandidateErasure.candidate_id == candidate.id))
    compte = _row(candidate)
    compte["organisme"] = candidate.organisation.name if candidate.organisation else None
    data = {
        "format": EXPORT_FORMAT,
        "genere_le": _jsonable(now),
        "genere_par": actor.full_name,
        "compte": compte,
        "identite": _row(identity) if identity else None,
        "photos": photos,
        "inscriptions": inscriptions,
        "entrainement": [_row(p) for p in db.session.scalars(select(PracticeAnswer).where(
            PracticeAnswer.user_id == candidate.id).order_by(PracticeAnswer.id))],
        "tests_ecrits": tests,
        "oraux": oraux,
        "liste_attente_oral": waitlist,
        "decisions_jury": decisions,
        "prolongations_acces": [_row(e) for e in extensions],
        "signalements": [{**_row(r, {"attachment_stored_name"}),
                          "echanges": [_row(m) for m in r.messages]} for r in reports],
        "resultats": [_row(r) for r in results],
        "certificats": [_row(c) for c in certificates],
        "emails": emails,
        "journal_audit": journal,
        "purges_preuves": [_row(p) for p in db.session.scalars(select(EvidencePurge).where(
            EvidencePurge.candidate_id == candidate.id).order_by(EvidencePurge.id))],
        "effacement": _row(erasure) if erasure else None,
    }
    record(actor, "privacy.export", candidate, details={
        "sections": [k for k in data if k not in ("format", "genere_le", "genere_par")],
        "registrations": reg_ids, "emails": len(emails), "audit_entries": len(journal)})
    return data


def export_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_jsonable).encode("utf-8")


# --- erasure --------------------------------------------------------------------------------------


def erasure_of(candidate: User) -> CandidateErasure | None:
    return db.session.scalar(select(CandidateErasure).where(
        CandidateErasure.candidate_id == candidate.id))


@dataclass
class ErasureStatus:
    """Whether a candidate may be erased now, and from when."""

    allowed: bool
    allowed_from: dt.datetime | None
    message: str | None


def erasure_status(candidate: User, now: dt.datetime | None = None) -> ErasureStatus:
    """Erasure waits until every registration is closed and its results' 3 years are over."""
    from cloe_portal.formatting import fr_date
    from cloe_portal.results.models import Result

    now = now or clock.now()
    done = erasure_of(candidate)
    if done is not None:
        return ErasureStatus(False, None, "Les données de ce candidat ont déjà été effacées le "
                             f"{fr_date(done.erased_at)}.")
    registrations = list(db.session.scalars(select(Registration).where(
        Registration.candidate_id == candidate.id)))
    open_regs = [r for r in registrations if r.status not in CLOSED_STATUSES]
    if open_regs:
        return ErasureStatus(False, None, "Le candidat a une inscription en cours "
                             f"({open_regs[0].session.name} : {open_regs[0].status_label}) : "
                             "ses données ne peuvent pas être effacées.")
    ends = []
    for reg in registrations:
        # A reissued result is online 3 years from its reissue: the latest end counts.
        until = db.session.scalar(select(func.max(Result.available_until)).where(
            Result.registration_id == reg.id))
        if until is not None:
            ends.append(until)
            continue
        pv_signed = db.session.scalar(
            select(func.max(ProcesVerbal.signed_at))
            .join(JuryReview, JuryReview.pv_id == ProcesVerbal.id)
            .where(JuryReview.registration_id == reg.id))
        ends.append(add_years(pv_signed or reg.status_changed_at, RESULTS_YEARS))
    allowed_from = max(ends) if ends else None
    if allowed_from is not None and now < allowed_from:
        return ErasureStatus(False, allowed_from, (
            "Les résultats de ce candidat restent en ligne 3 ans après leur publication, "
            f"jusqu'au {fr_date(allowed_from)} : ses données ne peuvent pas être effacées "
            "avant cette date."))
    return ErasureStatus(True, allowed_from, None)


def erased_email(candidate: User) -> str:
    return f"candidat-{candidate.id}@{ERASED_DOMAIN}"


def _mentions_registration(key: str | None, reg_ids: set[int]) -> bool:
    if not key:
        return False
    return any(part in {f"registration-{i}" for i in reg_ids} for part in key.split(":"))


def erase_candidate(actor: User, candidate: User, reason: str,
                    now: dt.datetime | None = None) -> CandidateErasure:
    """Delete or anonymise a candidate's personal data, keeping what verifies certificates."""
    from cloe_portal.access_extensions import services as access_extensions
    from cloe_portal.candidates.models import CandidateIdentity, CandidatePhoto, PracticeAnswer
    from cloe_portal.edof.models import EdofFile
    from cloe_portal.formatting import fr_date
    from cloe_portal.notifications.models import OutboxMessage
    from cloe_portal.orals.models import OralBooking
    from cloe_portal.problem_reports import services as problem_reports
    from cloe_portal.results.models import Result
    from cloe_portal.written.models import IntegrityEvent, WrittenAttempt

    now = now or clock.now()
    reason = (reason or "").strip()
    if not reason:
        raise PrivacyError("Indiquez le motif de l'effacement.")
    if candidate.role != "candidate":
        raise PrivacyError("Seules les données d'un candidat peuvent être effacées ici.")
    status = erasure_status(candidate, now)
    if not status.allowed:
        raise PrivacyError(status.message or "Effacement impossible.")

    summary: dict[str, int] = {}
    registrations = list(db.session.scalars(select(Registration).where(
        Registration.candidate_id == candidate.id)))
    reg_ids = {r.id for r in registrations}
    old_email = candidate.email

    files = 0
    for photo in db.session.scalars(select(CandidatePhoto).where(
            CandidatePhoto.user_id == candidate.id)):
        if _delete_photo_file(photo):
            files += 1
        photo.purged_at = photo.purged_at or now
    summary["photo_files_deleted"] = files

    attempts = list(db.session.scalars(select(WrittenAttempt).where(
        WrittenAttempt.candidate_id == candidate.id)))
    attempt_ids = [a.id for a in attempts]
    summary["integrity_events_deleted"] = db.session.execute(delete(IntegrityEvent).where(
        IntegrityEvent.attempt_id.in_(attempt_ids))).rowcount if attempt_ids else 0
    for attempt in attempts:
        attempt.identity_snapshot = None
        db.session.expire(attempt, ["events"])
    summary["practice_answers_deleted"] = db.session.execute(delete(PracticeAnswer).where(
        PracticeAnswer.user_id == candidate.id)).rowcount
    summary["identity_deleted"] = db.session.execute(delete(CandidateIdentity).where(
        CandidateIdentity.user_id == candidate.id)).rowcount
    from cloe_portal.appeals.services import erase_appeals
    from cloe_portal.results.rectification import erase_rectifications

    summary["appeal_texts_erased"] = erase_appeals(candidate)
    summary["rectifications_erased"] = erase_rectifications(candidate)

    for reg in registrations:
        reg.birth_date = None
        reg.cpf_file_number = None
        for accommodation in reg.accommodations:
            accommodation.details = None
            accommodation.comment = None
    summary["registrations_anonymised"] = len(registrations)
    summary["extension_requests_erased"] = access_extensions.erase_for(reg_ids)
    summary["problem_reports_erased"] = problem_reports.erase_for(reg_ids)

    if reg_ids:
        for booking in db.session.scalars(select(OralBooking).where(
                OralBooking.registration_id.in_(reg_ids))):
            booking.release_reason = None
            if booking.assessment is not None:
                booking.assessment.report = None
        for row in db.session.scalars(select(EdofFile).where(EdofFile.registration_id.in_(reg_ids))):
            row.last_name = "EFFACÉ"
            row.first_name = "—"
            row.file_number = f"EFFACE-{row.id}"
        attestations = 0
        for result in db.session.scalars(select(Result).where(Result.registration_id.in_(reg_ids))):
            result.attestation_pdf = b""  # its SHA-256 stays on the row
            attestations += 1
        summary["attestation_pdfs_deleted"] = attestations

    redacted = 0
    body = REDACTED_BODY.format(day=fr_date(now))
    about = [OutboxMessage.key.like(f"%registration-{i}%") for i in sorted(reg_ids)]
    for mail in db.session.scalars(select(OutboxMessage).where(or_(
            OutboxMessage.recipient_id == candidate.id, OutboxMessage.to_email == old_email,
            *about))):
        to_candidate = mail.recipient_id == candidate.id or mail.to_email == old_email
        if not to_candidate and not _mentions_registration(mail.key, reg_ids):
            continue
        if to_candidate:
            mail.to_email = erased_email(candidate)
        mail.subject = "[Message effacé]"
        mail.body_text = body
        mail.body_html = None
        mail.attachments = None
        mail.last_error = None
        redacted += 1
    summary["emails_redacted"] = redacted

    candidate.email = erased_email(candidate)
    candidate.first_name = "Candidat"
    candidate.last_name = f"effacé n° {candidate.id}"
    candidate.phone = None
    candidate.password_hash = None
    candidate.active = False
    candidate.last_login_at = None
    candidate.locked_until = None
    candidate.password_changed_at = now  # old password links die
    forget_sessions(candidate)  # open sessions end; their IP addresses and browsers go too
    erasure = CandidateErasure(candidate_id=candidate.id, erased_at=now, erased_by_id=actor.id,
                               reason=reason, summary=summary)
    db.session.add(erasure)
    db.session.flush()
    record(actor, "privacy.candidate_erased", candidate, reason=reason, details={
        **summary, "kept": "certificats (numéro, titulaire, niveau, langue, date, centre), "
        "registre, décisions du jury et procès-verbaux signés"})
    return erasure
