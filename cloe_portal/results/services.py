"""Issuing and publishing results: attestation, certificate, ledger, verification, retention,
and the Caisse des Dépôts export.

Decisions written down here:
- PDFs are stored in the database with their SHA-256 (one transaction with the decision that
  issues them; the same on SQLite and PostgreSQL).
- A certificate number reads ``CLOE-<year>-<LANG>-<6-digit sequence>-<5 random characters>``:
  the sequence makes it readable, the random part (32-letter alphabet, ≈ 33 million values)
  makes neighbours unguessable on the public verification page.
- The ledger entry hash is the SHA-256 of the canonical JSON of the entry (sorted keys,
  no spaces, UTF-8) including the previous entry's hash; the first entry's previous hash
  is 64 zeros. A revocation appends an entry; nothing is ever deleted.
- Results stay downloadable for 3 years after issue (then HTTP 410); certificates are
  valid for life and stay verifiable.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import secrets
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET  # noqa: S405 - we only build XML, never parse it

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, undefer

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.jury.models import JuryReview, ProcesVerbal
from cloe_portal.notifications.mail import queue_email
from cloe_portal.partners.scope import may_see_partner
from cloe_portal.reference.cefr_text import LEVEL_NAMES, sublevel_descriptor
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.results.models import Certificate, LedgerEntry, Result
from cloe_portal.results.pdf import qr_data_uri, render_pdf
from cloe_portal.rules.calendar import paris_date
from cloe_portal.rules.cefr import (
    CRITERION_LABELS_FR,
    LISTENING,
    ORAL_CRITERIA,
    SKILL_LABELS_FR,
    WRITTEN_SKILLS,
    LevelSummary,
    combine,
    earns_certificate,
    major_level,
)
from cloe_portal.sessions.models import Registration
from cloe_portal.sessions.status import set_status

RETENTION_YEARS = 3
GENESIS_HASH = "0" * 64
_CHECK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CHECK_LENGTH = 5


class ResultsError(Exception):
    """A refused action on results (French message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- levels ------------------------------------------------------------------------------------


def combine_levels(scores: dict[str, int], criteria: dict[str, str]) -> LevelSummary:
    """Écrit, Oral and Global levels from the 5 section scores and the 5 oral criteria."""
    return combine({s: scores[s] for s in WRITTEN_SKILLS}, scores[LISTENING], criteria)


def certificate_for(registration: Registration) -> tuple[LevelSummary, bool] | None:
    """The registration's levels and whether they earn the certificate; None if incomplete."""
    from cloe_portal.jury.services import _oral_outcome, _written_scores, completeness_problems

    scores = _written_scores(registration)
    outcome = _oral_outcome(registration)
    if completeness_problems(scores, outcome):
        return None
    levels = combine_levels(scores, outcome.criteria)
    return levels, earns_certificate(levels.global_level, registration.target_level)


# --- helpers ---------------------------------------------------------------------------------


def absolute_url(endpoint: str, **values: object) -> str:
    """BASE_URL + the endpoint's path (works in jobs and the CLI too)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)


def canonical_json(data: dict) -> bytes:
    """The byte form that is hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fr_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def add_years(moment: dt.datetime, years: int) -> dt.datetime:
    """Same day and time ``years`` later (29 February → 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def holder_identity(registration: Registration) -> tuple[str, dt.date | None]:
    """Name as on the identity form (first names + usage or birth name), and birth date."""
    identity = None
    try:
        from cloe_portal.candidates.services import identity_of

        identity = identity_of(registration.candidate)
    except ImportError:
        identity = None
    if identity is not None:
        last = identity.usage_name or identity.birth_name
        return f"{identity.first_names} {last.upper()}", identity.birth_date
    return registration.candidate.full_name, registration.birth_date


def centre_name(registration: Registration) -> str:
    """The CEL centre that certifies (the partner's referent centre)."""
    centre = registration.partner.referent_centre
    return centre.name if centre is not None else registration.partner.name


def test_date(registration: Registration) -> dt.date:
    if registration.written_done_at is not None:
        return paris_date(registration.written_done_at)
    return registration.session.written_date


# --- documents ---------------------------------------------------------------------------------


def attestation_doc(registration: Registration, levels: dict, *, issued_at: dt.datetime,
                    available_until: dt.datetime, certificate_number: str | None,
                    jury_date: dt.date) -> dict:
    """Everything the attestation template prints."""
    name, birth = holder_identity(registration)
    session = registration.session
    return {
        "holder_name": name,
        "birth_date": fr_date(birth) if birth else None,
        "centre_name": centre_name(registration),
        "partner_name": registration.partner.name,
        "test_date": fr_date(test_date(registration)),
        "language": session.language,
        "language_name": LANGUAGES.get(session.language, session.language),
        "domain": session.domain,
        "target_level": registration.target_level,
        "global": levels["global"],
        "ecrit": levels["ecrit"],
        "oral": levels["oral"],
        "level_name": LEVEL_NAMES[major_level(levels["global"])],
        "descriptor": sublevel_descriptor(levels["global"]),
        "written_rows": [(SKILL_LABELS_FR[s], levels["written"][s]) for s in WRITTEN_SKILLS],
        "oral_rows": [(SKILL_LABELS_FR[LISTENING], levels["listening"])]
        + [(CRITERION_LABELS_FR[c], levels["criteria"][c]) for c in ORAL_CRITERIA],
        "certificate_number": certificate_number,
        "jury_date": fr_date(jury_date),
        "issued_on": fr_date(paris_date(issued_at)),
        "available_until": fr_date(paris_date(available_until)),
    }


def render_attestation(doc: dict) -> bytes:
    return render_pdf("pdf/attestation.html", doc=doc)


def new_certificate_number(year: int, language: str) -> str:
    """Readable sequence per year and language plus a random check part."""
    prefix = f"CLOE-{year}-{language.upper()}-"
    count = db.session.scalar(select(func.count(Certificate.id)).where(
        Certificate.number.like(f"{prefix}%"))) or 0
    check = "".join(secrets.choice(_CHECK_ALPHABET) for _ in range(CHECK_LENGTH))
    return f"{prefix}{count + 1:06d}-{check}"


def normalise_number(number: str) -> str:
    return "".join((number or "").upper().split())


def certificate_data(number: str, registration: Registration, levels: dict,
                     certified_on: dt.date) -> dict:
    """The canonical data of a certificate (hashed into the ledger)."""
    name, birth = holder_identity(registration)
    session = registration.session
    return {
        "number": number,
        "holder_name": name,
        "birth_date": birth.isoformat() if birth else None,
        "language": session.language,
        "domain": session.domain,
        "level": major_level(levels["global"]),
        "global": levels["global"],
        "ecrit": levels["ecrit"],
        "oral": levels["oral"],
        "certified_on": certified_on.isoformat(),
        "organising_centre": registration.partner.name,
        "certifying_centre": centre_name(registration),
        "registration_id": registration.id,
    }


def certificate_doc(data: dict, issued_at: dt.datetime) -> dict:
    """Everything the certificate template prints."""
    verify_url = absolute_url("results.verify", number=data["number"])
    birth = dt.date.fromisoformat(data["birth_date"]) if data["birth_date"] else None
    return {
        **data,
        "birth_date": fr_date(birth) if birth else None,
        "language_name": LANGUAGES.get(data["language"], data["language"]),
        "level_name": LEVEL_NAMES[data["level"]],
        "certified_on": fr_date(dt.date.fromisoformat(data["certified_on"])),
        "centre_name": data["organising_centre"],
        "cel_name": data["certifying_centre"],
        "verify_url": verify_url,
        "qr": qr_data_uri(verify_url),
        "issued_on": fr_date(paris_date(issued_at)),
    }


def render_certificate(data: dict, issued_at: dt.datetime) -> bytes:
    return render_pdf("pdf/certificate.html", doc=certificate_doc(data, issued_at))


def pv_doc(pv: ProcesVerbal, reviews: list[JuryReview]) -> dict:
    """Everything the PV template prints."""
    session = pv.session
    rows = []
    for review in reviews:
        registration = review.registration
        levels = review.levels or {}
        result = db.session.scalar(select(Result).where(Result.review_id == review.id)
                                   .order_by(Result.id).limit(1))
        if review.decision != "validated":
            document = "Aucun"
        elif result is not None and result.certificate is not None:
            document = f"Attestation + certificat {result.certificate.number}"
        else:
            document = "Attestation"
        replaced = db.session.scalar(select(Result).where(
            Result.replaced_by_id == result.id)) if result is not None else None
        if replaced is not None and replaced.certificate is not None:
            document += f" (remplace le certificat {replaced.certificate.number})"
        elif replaced is not None:
            document += " (remplace l'attestation précédente)"
        rows.append({
            "name": holder_identity(registration)[0],
            "target": registration.target_level,
            "identity_ok": review.identity_ok, "written_ok": review.written_ok,
            "oral_ok": review.oral_ok, "fraud": review.fraud,
            "fraud_description": review.fraud_description,
            "ecrit": levels.get("ecrit"), "oral": levels.get("oral"),
            "global": levels.get("global"),
            "validated": review.decision == "validated",
            "decision": "Validé" if review.decision == "validated" else "Annulé",
            "document": document, "reason": review.reason,
        })
    signed = pv.signed_at.astimezone(clock.PARIS)
    return {
        "number": pv.number, "session_name": session.name, "session_id": session.id,
        "partner_name": session.partner.name,
        "centre_name": (session.partner.referent_centre.name
                        if session.partner.referent_centre else session.partner.name),
        "language_name": LANGUAGES.get(session.language, session.language),
        "domain": session.domain, "written_date": fr_date(session.written_date),
        "rows": rows, "signer_name": pv.signer_name,
        "signer_role": pv.signed_by.role_label if pv.signed_by else "",
        "signed_at": signed.strftime("%d/%m/%Y à %H:%M"), "confirmation": pv.confirmation,
    }


def render_pv(pv: ProcesVerbal, reviews: list[JuryReview]) -> bytes:
    return render_pdf("pdf/pv.html", doc=pv_doc(pv, reviews))


# --- the ledger --------------------------------------------------------------------------------


def entry_hash(seq: int, kind: str, number: str, pdf_sha: str, data_sha: str, prev: str,
               recorded_at: dt.datetime) -> str:
    """The hash of one ledger entry, chained to the previous one."""
    return sha256(canonical_json({
        "seq": seq, "kind": kind, "certificate_number": number, "pdf_sha256": pdf_sha,
        "data_sha256": data_sha, "prev_hash": prev,
        "recorded_at": clock.as_utc(recorded_at).isoformat(timespec="microseconds"),
    }))


def append_ledger(kind: str, certificate: Certificate) -> LedgerEntry:
    """Append an entry for a certificate (issue or revoke) at the end of the chain."""
    last = db.session.scalar(select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1))
    seq = (last.seq + 1) if last else 1
    prev = last.entry_hash if last else GENESIS_HASH
    now = clock.now()
    data_sha = sha256(canonical_json(
        certificate.data if kind == "issue"
        else {"number": certificate.number, "revoked_at": clock.as_utc(
            certificate.revoked_at).isoformat(), "reason": certificate.revoked_reason}))
    entry = LedgerEntry(seq=seq, kind=kind, certificate_number=certificate.number,
                        pdf_sha256=certificate.pdf_sha256, data_sha256=data_sha,
                        prev_hash=prev, recorded_at=now,
                        entry_hash=entry_hash(seq, kind, certificate.number,
                                              certificate.pdf_sha256, data_sha, prev, now))
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass
class LedgerReport:
    """The outcome of checking the ledger: entries read and problems found (French)."""

    entries: int = 0
    certificates: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_ledger() -> LedgerReport:
    """Walk the chain and check every link, every entry hash and every certificate."""
    report = LedgerReport()
    prev = GENESIS_HASH
    issued: dict[str, LedgerEntry] = {}
    revoked: set[str] = set()
    expected_seq = 1
    for entry in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)):
        report.entries += 1
        if entry.seq != expected_seq:
            report.problems.append(f"Entrée {entry.seq} : numéro attendu {expected_seq} "
                                   "(entrée manquante ou insérée).")
        expected_seq = entry.seq + 1
        if entry.prev_hash != prev:
            report.problems.append(f"Entrée {entry.seq} : le lien vers l'entrée précédente "
                                   "est rompu.")
        computed = entry_hash(entry.seq, entry.kind, entry.certificate_number, entry.pdf_sha256,
                              entry.data_sha256, entry.prev_hash, entry.recorded_at)
        if computed != entry.entry_hash:
            report.problems.append(f"Entrée {entry.seq} ({entry.certificate_number}) : "
                                   "son contenu a été modifié.")
        prev = entry.entry_hash
        if entry.kind == "issue":
            issued[entry.certificate_number] = entry
        else:
            revoked.add(entry.certificate_number)
    for cert in db.session.scalars(select(Certificate).options(
            undefer(Certificate.pdf)).order_by(Certificate.id)):
        report.certificates += 1
        entry = issued.get(cert.number)
        if entry is None:
            report.problems.append(f"Certificat {cert.number} : absent du registre.")
            continue
        if sha256(cert.pdf) != entry.pdf_sha256 or cert.pdf_sha256 != entry.pdf_sha256:
            report.problems.append(f"Certificat {cert.number} : le PDF ne correspond pas au "
                                   "registre.")
        if sha256(canonical_json(cert.data)) != entry.data_sha256:
            report.problems.append(f"Certificat {cert.number} : les données ne correspondent "
                                   "pas au registre.")
        if cert.revoked and cert.number not in revoked:
            report.problems.append(f"Certificat {cert.number} : révoqué sans entrée de "
                                   "révocation au registre.")
        if not cert.revoked and cert.number in revoked:
            report.problems.append(f"Certificat {cert.number} : révoqué au registre mais "
                                   "présenté comme valide.")
    missing = set(issued) - {c for c in db.session.scalars(select(Certificate.number))}
    for number in sorted(missing):
        report.problems.append(f"Certificat {number} : inscrit au registre mais supprimé.")
    return report


# --- issuing and publishing --------------------------------------------------------------------


def _create_result(actor: User, registration: Registration, review: JuryReview, levels: dict,
                   *, jury_date: dt.date, certified_on: dt.date, certificate: bool) -> Result:
    """Render and store an attestation, and the certificate (with its ledger entry) when one
    is earned."""
    now = clock.now()
    until = add_years(now, RETENTION_YEARS)
    number = None
    if certificate:
        number = new_certificate_number(certified_on.year, registration.session.language)
    doc = attestation_doc(registration, levels, issued_at=now, available_until=until,
                          certificate_number=number, jury_date=jury_date)
    pdf = render_attestation(doc)
    result = Result(registration_id=registration.id, partner_id=registration.partner_id,
                    candidate_id=registration.candidate_id, review_id=review.id,
                    global_level=levels["global"], ecrit_level=levels["ecrit"],
                    oral_level=levels["oral"], levels=levels, issued_at=now,
                    available_until=until, attestation_pdf=pdf, attestation_sha256=sha256(pdf),
                    holder_name=doc["holder_name"])
    db.session.add(result)
    db.session.flush()
    record(actor, "results.attestation.issue", result, details={
        "registration_id": registration.id, "sha256": result.attestation_sha256})
    if number is not None:
        data = certificate_data(number, registration, levels, certified_on)
        cert_pdf = render_certificate(data, now)
        cert = Certificate(number=number, result_id=result.id, registration_id=registration.id,
                           partner_id=registration.partner_id,
                           candidate_id=registration.candidate_id,
                           holder_name=data["holder_name"], level=data["level"],
                           global_sublevel=levels["global"], language=data["language"],
                           certified_on=certified_on, centre_name=data["organising_centre"],
                           data=data, pdf=cert_pdf, pdf_sha256=sha256(cert_pdf), issued_at=now)
        db.session.add(cert)
        db.session.flush()
        entry = append_ledger("issue", cert)
        record(actor, "results.certificate.issue", cert, details={
            "number": number, "sha256": cert.pdf_sha256, "ledger_seq": entry.seq})
    db.session.refresh(result)
    return result


def issue_result(actor: User, review: JuryReview, pv: ProcesVerbal) -> Result:
    """Create the attestation (and the certificate when earned) of a validated decision."""
    if review.decision != "validated" or review.fraud or not review.levels:
        raise ResultsError("Seul un résultat validé, sans fraude, donne lieu à des documents.")
    certified_on = paris_date(pv.signed_at)
    return _create_result(actor, review.registration, review, review.levels,
                          jury_date=certified_on, certified_on=certified_on,
                          certificate=review.certificate)


def current_result(registration: Registration) -> Result | None:
    """The registration's result in force (the latest, not replaced), if any."""
    return db.session.scalar(select(Result).where(
        Result.registration_id == registration.id, Result.replaced_at.is_(None))
        .order_by(Result.id.desc()).limit(1))


def first_results_at(registration: Registration) -> dt.datetime | None:
    """When the registration's results were first published (appeal deadlines count from it)."""
    return db.session.scalar(select(func.min(Result.issued_at)).where(
        Result.registration_id == registration.id))


def _summary(result: Result | None) -> dict | None:
    """What a result states, for the audit log's before → after."""
    if result is None:
        return None
    cert = result.certificate
    name = result.holder_name or (cert.holder_name if cert else None)
    return {"result_id": result.id, "holder_name": name,
            "global": result.global_level, "ecrit": result.ecrit_level,
            "oral": result.oral_level, "certificate": cert.number if cert else None}


def reissue(actor: User, result: Result, reason: str, *, levels: dict | None = None,
            review: JuryReview | None = None, pv: ProcesVerbal | None = None,
            appeal: object | None = None) -> Result:
    """Replace a published result by a new one (identity rectified, appeal decided).

    A new attestation is issued, and a certificate under a new number when the levels earn
    one; the old certificate gets a revocation entry « réédité sous le n° … » in the ledger.
    Nothing is deleted: the old result is marked replaced. Without ``levels`` the result's
    own levels are kept (identity rectification); ``review`` and ``pv`` are the new jury
    decision that changed them (appeal). The candidate and the partner are emailed the new
    PDFs.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ResultsError("Indiquez le motif de la réédition.")
    if result.replaced_at is not None:
        raise ResultsError("Ce résultat a déjà été remplacé : seul le résultat en vigueur peut "
                           "être réédité.")
    old_cert = result.certificate
    if old_cert is not None and old_cert.revoked:
        raise ResultsError(f"Le certificat {old_cert.number} a été révoqué : ce résultat ne "
                           "peut pas être réédité.")
    registration = result.registration
    review = review or db.session.get(JuryReview, result.review_id)
    levels = levels if levels is not None else result.levels
    jury_date = paris_date((pv or review.pv).signed_at)
    # A new jury decision certifies on its PV's date; a rectification keeps the original one.
    certified_on = old_cert.certified_on if (old_cert is not None and pv is None) else jury_date
    before = _summary(result)
    new = _create_result(actor, registration, review, levels, jury_date=jury_date,
                         certified_on=certified_on,
                         certificate=earns_certificate(levels["global"],
                                                       registration.target_level))
    now = clock.now()
    result.replaced_at = now
    result.replaced_by_id = new.id
    result.replace_reason = reason
    new_number = new.certificate.number if new.certificate is not None else None
    revoke_seq = None
    if old_cert is not None:
        old_cert.revoked_at = now
        old_cert.revoked_reason = (f"Réédité sous le n° {new_number} : {reason}" if new_number
                                   else f"Remplacé par une attestation de résultats : {reason}")
        old_cert.revoked_by_id = actor.id
        old_cert.replaced_by_number = new_number
        db.session.flush()
        revoke_seq = append_ledger("revoke", old_cert).seq
    db.session.flush()
    record(actor, "results.reissued", registration, reason=reason, details={
        "before": before, "after": _summary(new), "revocation_ledger_seq": revoke_seq,
        "appeal_id": getattr(appeal, "id", None)})
    _send_reissued(new, old_cert.number if old_cert is not None else None, reason, appeal)
    return new


def _send_reissued(result: Result, old_number: str | None, reason: str,
                   appeal: object | None) -> None:
    """The new documents, attached, to the candidate and the partner's admins."""
    registration = result.registration
    attachments = [(f"attestation-{result.id}.pdf", "application/pdf", result.attestation_pdf)]
    if result.certificate is not None:
        attachments.append((f"certificat-{result.certificate.number}.pdf", "application/pdf",
                            result.certificate.pdf))
    common = {"registration": registration, "result": result, "old_number": old_number,
              "reason": reason, "appeal": appeal, "links": download_links(result),
              "holder_name": holder_identity(registration)[0],
              "language_name": LANGUAGES.get(registration.session.language, "")}
    key = f"results-reissued:registration-{registration.id}:result-{result.id}"
    candidate = registration.candidate
    queue_email(candidate.email, "results_reissued", kind="results-reissued", key=key,
                recipient_id=candidate.id, attachments=attachments, for_partner=False,
                portal_link=absolute_url("results.candidate_results"), **common)
    for admin in partner_admins(registration.partner_id):
        queue_email(admin.email, "results_reissued", kind="results-reissued",
                    key=f"{key}:partner-{admin.id}", recipient_id=admin.id,
                    attachments=attachments, for_partner=True,
                    portal_link=absolute_url("results.partner_results"), **common)


def withdraw_result(actor: User, result: Result, reason: str) -> None:
    """The jury cancelled, on a new decision, a result already published: it stops being in
    force and its certificate is revoked (a ledger entry); nothing is deleted."""
    now = clock.now()
    before = _summary(result)
    result.replaced_at = now
    result.replace_reason = reason
    if result.certificate is not None and not result.certificate.revoked:
        revoke_certificate(actor, result.certificate, reason)
    record(actor, "results.withdrawn", result.registration, reason=reason,
           details={"before": before, "after": None})


def partner_admins(partner_id: int) -> list[User]:
    """The active admins of a partner organisation (they receive its candidates' results)."""
    return list(db.session.scalars(select(User).where(
        User.role == "partner", User.active.is_(True), User.organisation_id == partner_id)))


def publish(actor: User, review: JuryReview, pv: ProcesVerbal) -> Result | None:
    """Publish one decision of a signed PV: documents, status, emails to candidate and partner."""
    registration = review.registration
    previous = current_result(registration)
    if previous is not None:
        return _publish_revision(actor, review, pv, previous)
    result = None
    if review.decision == "validated" and not review.fraud:
        result = issue_result(actor, review, pv)
        set_status(registration, "results_issued", actor, reason=f"PV n° {pv.number} signé")
        template = "results_issued"
    else:
        registration.cancelled_reason = review.reason or review.fraud_description
        set_status(registration, "cancelled", actor,
                   reason=f"Résultat annulé par le jury (PV n° {pv.number}) : {review.reason}")
        template = "results_cancelled"
    _send_decision(registration, review, result, template)
    return result


def _send_decision(registration: Registration, review: JuryReview, result: Result | None,
                   template: str) -> None:
    """The jury's decision to the candidate and the partner's admins (once per review)."""
    links = download_links(result)
    name = holder_identity(registration)[0]
    common = {"registration": registration, "result": result, "review": review,
              "holder_name": name, "links": links,
              "language_name": LANGUAGES.get(registration.session.language, "")}
    # The first decision keeps its historical key; a later one (appeal) gets its own.
    key = f"results:registration-{registration.id}"
    if review.id != db.session.scalar(select(func.min(JuryReview.id)).where(
            JuryReview.registration_id == registration.id)):
        key += f":review-{review.id}"
    candidate = registration.candidate
    queue_email(candidate.email, template, kind="results", key=key,
                recipient_id=candidate.id, for_partner=False,
                portal_link=absolute_url("results.candidate_results"), **common)
    for admin in partner_admins(registration.partner_id):
        queue_email(admin.email, template, kind="results",
                    key=f"{key}:partner-{admin.id}",
                    recipient_id=admin.id, for_partner=True,
                    portal_link=absolute_url("results.partner_results"), **common)


def _publish_revision(actor: User, review: JuryReview, pv: ProcesVerbal,
                      previous: Result) -> Result | None:
    """A new decision on a registration whose results were already published (an appeal
    changed them): the result is reissued (or withdrawn if the jury cancels it)."""
    from cloe_portal.appeals.services import appeal_before_jury, revision_published

    registration = review.registration
    appeal = appeal_before_jury(registration)
    about = f"recours n° {appeal.id}, " if appeal is not None else ""
    result = None
    if review.decision == "validated" and not review.fraud:
        result = reissue(actor, previous, f"Résultat révisé ({about}PV n° {pv.number})",
                         levels=review.levels, review=review, pv=pv, appeal=appeal)
        set_status(registration, "results_issued", actor, reason=f"PV n° {pv.number} signé")
    else:
        reason = review.reason or review.fraud_description or "Résultat annulé par le jury"
        withdraw_result(actor, previous, f"{reason} ({about}PV n° {pv.number})")
        registration.cancelled_reason = reason
        set_status(registration, "cancelled", actor,
                   reason=f"Résultat annulé par le jury (PV n° {pv.number}) : {reason}")
        _send_decision(registration, review, None, "results_cancelled")
    if appeal is not None:
        revision_published(actor, appeal, review, result)
    return result


def download_links(result: Result | None) -> list[tuple[str, str]]:
    """(label, absolute URL) of a result's documents."""
    if result is None:
        return []
    links = [("Attestation de résultats", absolute_url("results.download",
                                                        result_id=result.id, kind="attestation"))]
    if result.certificate is not None:
        links.append(("Certificat CLOE", absolute_url("results.download", result_id=result.id,
                                                       kind="certificat")))
    return links


def revoke_certificate(actor: User, certificate: Certificate, reason: str) -> LedgerEntry:
    """Cancel a certificate after issue: a revocation entry is appended, nothing is deleted."""
    reason = (reason or "").strip()
    if not reason:
        raise ResultsError("Indiquez le motif de la révocation.")
    if certificate.revoked:
        raise ResultsError("Ce certificat est déjà révoqué.")
    certificate.revoked_at = clock.now()
    certificate.revoked_reason = reason
    certificate.revoked_by_id = actor.id
    db.session.flush()
    entry = append_ledger("revoke", certificate)
    record(actor, "results.certificate.revoke", certificate, reason=reason,
           details={"number": certificate.number, "ledger_seq": entry.seq})
    return entry


# --- access, retention, lists --------------------------------------------------------------------


def may_see_candidate_record(user: User, partner_id: int, candidate_id: int) -> bool:
    """A candidate its own records, a partner its own registrations', a referent those of the
    partners its centre follows, the coordinator every one (results, appeals)."""
    if user.role == "coordinator":
        return True
    if user.role == "referent":
        return may_see_partner(user, partner_id)
    if user.role == "candidate":
        return candidate_id == user.id
    if user.role == "partner":
        return user.organisation_id is not None and partner_id == user.organisation_id
    return False


def may_see_result(user: User, result: Result) -> bool:
    """Who may see a result and download its documents."""
    return may_see_candidate_record(user, result.partner_id, result.candidate_id)


def is_expired(result: Result, now: dt.datetime | None = None) -> bool:
    """Past the 3 years online: documents are no longer downloadable."""
    return (now or clock.now()) >= result.available_until


def results_of_candidate(user: User) -> list[Result]:
    """The candidate's results in force (replaced ones are history), newest first."""
    return list(db.session.scalars(
        select(Result).where(Result.candidate_id == user.id, Result.replaced_at.is_(None))
        .options(joinedload(Result.registration).joinedload(Registration.session),
                 joinedload(Result.certificate))
        .order_by(Result.issued_at.desc())).unique())


def cancelled_of_candidate(user: User) -> list[JuryReview]:
    """Results the jury cancelled in a signed PV (shown without documents)."""
    return list(db.session.scalars(
        select(JuryReview).join(Registration, Registration.id == JuryReview.registration_id)
        .where(Registration.candidate_id == user.id, JuryReview.pv_id.is_not(None),
               JuryReview.decision == "cancelled")
        .options(joinedload(JuryReview.registration).joinedload(Registration.session))))


def results_of_partner(partner_id: int, limit: int = 500) -> list[Result]:
    """The partner's candidates' results in force, newest first."""
    return list(db.session.scalars(
        select(Result).where(Result.partner_id == partner_id, Result.replaced_at.is_(None))
        .options(joinedload(Result.registration).joinedload(Registration.session),
                 joinedload(Result.registration).joinedload(Registration.candidate),
                 joinedload(Result.certificate))
        .order_by(Result.issued_at.desc()).limit(limit)).unique())


def find_certificate(number: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.number == normalise_number(number)))


# --- Caisse des Dépôts export ------------------------------------------------------------------

CDC_FIELDS = (
    "numero_certificat", "date_certification", "langue", "niveau_cecrl", "sous_niveau_global",
    "nom_naissance", "nom_usage", "prenoms", "sexe", "date_naissance", "commune_naissance",
    "departement_naissance", "pays_naissance", "email", "adresse", "code_postal", "commune",
    "pays", "numero_dossier_cpf", "siret_organisme", "organisme",
)


def cdc_rows(start: dt.date, end: dt.date) -> list[dict[str, str]]:
    """Certified holders (valid certificates) certified between two dates, inclusive."""
    from cloe_portal.candidates.models import CandidateIdentity

    certs = list(db.session.scalars(
        select(Certificate).where(Certificate.certified_on >= start,
                                  Certificate.certified_on <= end,
                                  Certificate.revoked_at.is_(None))
        .options(joinedload(Certificate.result).joinedload(Result.registration)
                 .joinedload(Registration.partner))
        .order_by(Certificate.certified_on, Certificate.number)).unique())
    identities = {i.user_id: i for i in db.session.scalars(select(CandidateIdentity).where(
        CandidateIdentity.user_id.in_([c.candidate_id for c in certs])))} if certs else {}
    rows = []
    for cert in certs:
        registration = cert.result.registration
        ident = identities.get(cert.candidate_id)
        rows.append({
            "numero_certificat": cert.number,
            "date_certification": cert.certified_on.isoformat(),
            "langue": cert.language,
            "niveau_cecrl": cert.level,
            "sous_niveau_global": cert.global_sublevel,
            "nom_naissance": ident.birth_name if ident else "",
            "nom_usage": (ident.usage_name or "") if ident else "",
            "prenoms": ident.first_names if ident else "",
            "sexe": ident.gender if ident else "",
            "date_naissance": ident.birth_date.isoformat() if ident else "",
            "commune_naissance": ident.birth_city if ident else "",
            "departement_naissance": (ident.birth_department or "") if ident else "",
            "pays_naissance": ident.birth_country if ident else "",
            "email": ident.email if ident else "",
            "adresse": ident.address if ident else "",
            "code_postal": ident.postcode if ident else "",
            "commune": ident.city if ident else "",
            "pays": ident.country if ident else "",
            "numero_dossier_cpf": registration.cpf_file_number or "",
            "siret_organisme": registration.partner.siret or "",
            "organisme": registration.partner.name,
        })
    return rows


def cdc_csv(rows: list[dict[str, str]]) -> bytes:
    """CSV: UTF-8 with BOM, semicolon separated, header row (docs/cdc-export.md)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CDC_FIELDS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_safe(v) for k, v in row.items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula in a spreadsheet: neutralise it.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def cdc_xml(rows: list[dict[str, str]], start: dt.date, end: dt.date) -> bytes:
    """XML: <certifications debut=… fin=… genere_le=…><titulaire>…</titulaire>…"""
    root = ET.Element("certifications", {
        "certification": "CLOE", "debut": start.isoformat(), "fin": end.isoformat(),
        "genere_le": clock.as_utc(clock.now()).isoformat(timespec="seconds"),
        "nombre": str(len(rows)),
    })
    for row in rows:
        holder = ET.SubElement(root, "titulaire")
        for key in CDC_FIELDS:
            ET.SubElement(holder, key).text = row[key]
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
