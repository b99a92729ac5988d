"""Rectifying a candidate's civil status after the fact (a misspelt name on a certificate).

Decisions written down here:
- Only the civil-status fields printed on the documents and sent to the Caisse des Dépôts
  change (names, sex, birth date and place); contact details stay the candidate's own.
- The identity is the person's: a rectification reissues every result in force of the
  candidate, whichever partner it came through. So, like the personal-data export and
  erasure, a referent may rectify only a candidate whose every registration is with a
  partner its centre follows (privacy.services.may_manage_candidate); the coordinator any.
- A reason and an evidence file (PDF, PNG or JPEG, stored privately) are compulsory.
- A result whose certificate was revoked (fraud found after issue) is not reissued.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.audit.services import record
from cloe_portal.candidates.services import identity_of
from cloe_portal.extensions import db
from cloe_portal.results import services
from cloe_portal.results.models import CIVIL_STATUS_FIELDS, IdentityRectification, Result
from cloe_portal.results.uploads import UploadRefused, store_private
from cloe_portal.rules.text import clean_labelled

EVIDENCE_FOLDER = "rectifications"


class RectificationError(Exception):
    """A refused rectification: the French message and the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def civil_status(identity: object) -> dict:
    """The civil-status fields of an identity as plain JSON."""
    return {name: _plain(getattr(identity, name)) for name in CIVIL_STATUS_FIELDS}


@dataclass
class Preview:
    """What a rectification will reissue (shown before the referent confirms)."""

    results: list[Result]
    skipped: list[Result]


def results_to_reissue(candidate: User) -> Preview:
    """The candidate's results in force; those with a revoked certificate are left alone."""
    results = list(db.session.scalars(select(Result).where(
        Result.candidate_id == candidate.id, Result.replaced_at.is_(None)).order_by(Result.id)))
    skipped = [r for r in results if r.certificate is not None and r.certificate.revoked]
    return Preview([r for r in results if r not in skipped], skipped)


def rectify_identity(actor: User, candidate: User, data: dict, reason: str | None,
                     evidence: tuple[str, bytes] | None) -> IdentityRectification:
    """Correct the civil status, keep the evidence, reissue the documents that print it."""
    reason, refusal = clean_labelled(reason, "Motif")
    if refusal:
        raise RectificationError(refusal, "reason")
    if not reason:
        raise RectificationError("Indiquez le motif de la rectification.", "reason")
    identity = identity_of(candidate)
    if identity is None:
        raise RectificationError("Ce candidat n'a pas encore rempli son identité : il n'y a "
                                 "rien à rectifier.")
    before = civil_status(identity)
    after = {name: _plain(data.get(name) or None) for name in CIVIL_STATUS_FIELDS}
    changed = [name for name in CIVIL_STATUS_FIELDS if before[name] != after[name]]
    if not changed:
        raise RectificationError("Aucun champ de l'état civil n'a changé : corrigez au moins "
                                 "un champ.")
    if evidence is None or not evidence[1]:
        raise RectificationError("Joignez le justificatif (pièce d'identité, acte d'état "
                                 "civil…).", "evidence")
    try:
        stored = store_private(EVIDENCE_FOLDER, evidence[0], evidence[1])
    except UploadRefused as exc:
        raise RectificationError(exc.message, "evidence") from None
    for name in changed:
        setattr(identity, name, data.get(name) or None)
    identity.updated_at = clock.now()
    rectification = IdentityRectification(
        candidate_id=candidate.id, actor_id=actor.id, reason=reason, before=before, after=after,
        evidence_name=stored.original_name, evidence_stored=stored.stored_name,
        evidence_mime=stored.mimetype, evidence_size=stored.size,
        evidence_sha256=stored.sha256, created_at=clock.now())
    db.session.add(rectification)
    db.session.flush()
    record(actor, "candidate.identity.rectified", identity, reason=reason, details={
        "candidate_id": candidate.id, "rectification_id": rectification.id,
        "before": {name: before[name] for name in changed},
        "after": {name: after[name] for name in changed},
        "evidence_sha256": stored.sha256})
    reissued = []
    for result in results_to_reissue(candidate).results:
        old_number = result.certificate.number if result.certificate else None
        new = services.reissue(actor, result, f"Rectification de l'état civil : {reason}")
        reissued.append({"result_id": result.id, "new_result_id": new.id,
                         "old_number": old_number,
                         "new_number": new.certificate.number if new.certificate else None})
    rectification.reissued = reissued
    db.session.flush()
    return rectification


def rectifications_of(candidate: User) -> list[IdentityRectification]:
    """The candidate's past rectifications, latest first."""
    return list(db.session.scalars(select(IdentityRectification).where(
        IdentityRectification.candidate_id == candidate.id)
        .order_by(IdentityRectification.id.desc())))


def erase_rectifications(candidate: User) -> int:
    """Erasure of a candidate: the evidence files and the civil status they recorded go; the
    dates, reasons' existence and reissued numbers stay."""
    from cloe_portal.results.uploads import folder_path

    done = rectifications_of(candidate)
    for rectification in done:
        (folder_path(EVIDENCE_FOLDER) / rectification.evidence_stored).unlink(missing_ok=True)
        rectification.before = {}
        rectification.after = {}
        rectification.evidence_name = "effacé"
    return len(done)
