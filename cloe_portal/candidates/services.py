"""Candidate use cases before the test: identity, photos, practice."""

from __future__ import annotations

import hashlib
import random
import secrets
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.orm import joinedload

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.audit.services import record
from cloe_portal.candidates.models import (
    PHOTO_KINDS,
    CandidateIdentity,
    CandidatePhoto,
    PracticeAnswer,
)
from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item
from cloe_portal.partners.scope import may_see_partner
from cloe_portal.rules.cefr import SECTION_ORDER
from cloe_portal.rules.scoring import score_response
from cloe_portal.sessions.models import DROPPED_STATUSES, Registration
from cloe_portal.sessions.status import set_status

MAX_PHOTO_BYTES = 5 * 1024 * 1024
IDENTITY_FIELDS = ("birth_name", "usage_name", "first_names", "gender", "birth_date",
                   "birth_city", "birth_country", "birth_department", "email", "address",
                   "postcode", "city", "country")


class CandidateError(Exception):
    """A rule refuses the action; the message is French."""


def identity_of(user: User) -> CandidateIdentity | None:
    """The candidate's identity record, if filled."""
    return db.session.scalars(
        db.select(CandidateIdentity).where(CandidateIdentity.user_id == user.id)
    ).first()


# --- the candidate's registrations ------------------------------------------------------
# A candidate may hold several registrations at once (two languages, a retake, two
# partners). The identity is the person's (one row, snapshotted into each written attempt);
# photos are taken before a test, so they belong to one registration.

# Before the written test starts (mirrors written.services.STARTABLE_STATUSES).
NOT_STARTED_STATUSES = ("enrolled", "identity_done")
# Where the oral is to book, booked or just taken (the oral landing page chooses among them).
AFTER_WRITTEN_STATUSES = ("written_done", "oral_booked", "oral_done")
# Where the oral page has something to show: the above, then the jury and the results.
WITH_ORAL_PAGE_STATUSES = (*AFTER_WRITTEN_STATUSES, "awaiting_jury", "results_issued")


def registrations_of(user: User) -> list[Registration]:
    """Every registration of the candidate, newest first, with its session and partner."""
    stmt = (
        db.select(Registration).where(Registration.candidate_id == user.id)
        .options(joinedload(Registration.session), joinedload(Registration.partner))
        .order_by(Registration.created_at.desc(), Registration.id.desc())
    )
    return list(db.session.scalars(stmt))


def open_registrations(user: User) -> list[Registration]:
    """Registrations still under way (results not issued, not cancelled), first test first."""
    regs = [r for r in registrations_of(user) if not r.is_closed]
    return sorted(regs, key=lambda r: (r.session.written_date, r.id))


def closed_registrations(user: User) -> list[Registration]:
    """The candidate's history: results issued or cancelled, newest first."""
    return [r for r in registrations_of(user) if r.is_closed]


def _started_ids(user: User) -> set[int]:
    from cloe_portal.written.models import WrittenAttempt

    return set(db.session.scalars(
        db.select(WrittenAttempt.registration_id).where(
            WrittenAttempt.candidate_id == user.id, WrittenAttempt.registration_id.is_not(None))))


def registration_started(registration: Registration) -> bool:
    """True once the registration's written test has started (its photos are then final)."""
    from cloe_portal.written.services import attempt_for

    return (registration.status not in NOT_STARTED_STATUSES
            or attempt_for(registration) is not None)


def identity_locked(user: User) -> bool:
    """Whether the candidate's identity is read-only.

    It is locked while a certification is under way (a written test started and its results
    not yet issued: the jury checks it against the photos), and once every registration is
    over with results (the certificates use it). A new registration not started yet (a
    retake, another language) opens it again, as long as nothing else is under way. An
    identity not filled yet is never locked.
    """
    if identity_of(user) is None:
        return False
    registrations = [r for r in registrations_of(user) if r.status not in DROPPED_STATUSES]
    started = _started_ids(user)

    def under_way(r: Registration) -> bool:
        return not r.is_closed and (r.status not in NOT_STARTED_STATUSES or r.id in started)

    if any(under_way(r) for r in registrations):
        return True
    if any(r.status in NOT_STARTED_STATUSES and r.id not in started for r in registrations):
        return False
    return bool(registrations)


def save_identity(user: User, data: dict[str, Any]) -> CandidateIdentity:
    """Create or update the candidate's identity; moves every enrolled registration on."""
    if identity_locked(user):
        raise CandidateError("Votre test a commencé : vos informations d'identité ne peuvent plus "
                             "être modifiées. Contactez votre organisme de formation.")
    identity = identity_of(user)
    created = identity is None
    if created:
        identity = CandidateIdentity(user_id=user.id)
        db.session.add(identity)
    for name in IDENTITY_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip() or None
        setattr(identity, name, value)
    identity.updated_at = clock.now()
    db.session.flush()
    record(user, "candidate.identity_saved", identity, details={"created": created})
    for registration in open_registrations(user):
        if registration.status == "enrolled":
            set_status(registration, "identity_done", actor=user)
    return identity


# --- photos ---------------------------------------------------------------------------


def image_mime(data: bytes) -> str | None:
    """The image type from its magic bytes (JPEG or PNG), else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def photo_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "candidate_photos"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_photo(user: User, registration: Registration | None, kind: str, data: bytes,
               source: str) -> CandidatePhoto:
    """Store a face or ID photo privately under a random name, with its SHA-256."""
    if kind not in PHOTO_KINDS:
        raise CandidateError("Type de photo inconnu.")
    if registration is not None and registration.candidate_id != user.id:
        raise CandidateError("Cette inscription n'est pas la vôtre.")
    if registration is not None and registration_started(registration):
        raise CandidateError("Votre test a commencé : les photos ne peuvent plus être changées.")
    if not data:
        raise CandidateError("La photo est vide : recommencez.")
    if len(data) > MAX_PHOTO_BYTES:
        raise CandidateError("La photo dépasse 5 Mo : choisissez un fichier plus léger.")
    mime = image_mime(data)
    if mime is None:
        raise CandidateError("Le fichier n'est pas une image JPEG ou PNG.")
    name = secrets.token_hex(16) + (".jpg" if mime == "image/jpeg" else ".png")
    (photo_dir() / name).write_bytes(data)
    photo = CandidatePhoto(user_id=user.id, registration_id=registration.id if registration else None,
                           kind=kind, stored_name=name, sha256=hashlib.sha256(data).hexdigest(),
                           mime=mime, size_bytes=len(data), source=source, created_at=clock.now())
    db.session.add(photo)
    db.session.flush()
    record(user, "candidate.photo_saved", photo, details={"kind": kind, "source": source})
    return photo


def photo_path(photo: CandidatePhoto) -> Path:
    return photo_dir() / photo.stored_name


def may_see_photo(user: User, photo: CandidatePhoto) -> bool:
    """The candidate itself, the coordinator, or a referent following the photo's partner.

    A photo belongs to the registration it was taken for (its partner), not to the account:
    a candidate enrolled by two partners has photos for each."""
    if user.role == "candidate":
        return photo.user_id == user.id
    if user.role == "coordinator":
        return True
    if user.role == "referent":
        stmt = db.select(Registration.partner_id).where(Registration.candidate_id == photo.user_id)
        if photo.registration_id is not None:
            stmt = stmt.where(Registration.id == photo.registration_id)
        return any(may_see_partner(user, partner_id) for partner_id in db.session.scalars(stmt))
    return False


# --- practice ("Réussir CLOE") -------------------------------------------------------------


def practice_summary(user: User) -> dict[str, dict[str, float]]:
    """Per skill: how many practice answers and the share right."""
    rows = db.session.execute(
        db.select(PracticeAnswer.skill, db.func.count(PracticeAnswer.id),
                  db.func.avg(PracticeAnswer.score))
        .where(PracticeAnswer.user_id == user.id).group_by(PracticeAnswer.skill)
    ).all()
    found = {skill: (count, avg) for skill, count, avg in rows}
    return {skill: {"count": found.get(skill, (0, 0))[0],
                    "average": float(found.get(skill, (0, 0))[1] or 0.0)}
            for skill in SECTION_ORDER}


def next_practice_item(user: User, language: str, skill: str) -> Item | None:
    """A practice item of the skill, preferring those the candidate has not answered yet."""
    items = list(db.session.scalars(
        db.select(Item).where(Item.pool == "practice", Item.status == "live",
                              Item.language == language, Item.skill == skill).order_by(Item.id)
    ))
    if not items:
        return None
    seen = set(db.session.scalars(
        db.select(PracticeAnswer.item_id).where(PracticeAnswer.user_id == user.id)
    ))
    fresh = [i for i in items if i.id not in seen]
    # Practice order only: not a security matter.
    return random.choice(fresh or items)  # noqa: S311


def answer_practice(user: User, item: Item, response: Any) -> PracticeAnswer:
    """Score a practice answer and keep it for the progress summary."""
    if item.pool != "practice":
        raise CandidateError("Cette question n'est pas une question d'entraînement.")
    answer = PracticeAnswer(user_id=user.id, item_id=item.id, skill=item.skill,
                            response=response, score=score_response(item.type, item.content, response),
                            answered_at=clock.now())
    db.session.add(answer)
    db.session.flush()
    return answer


def correct_answer_text(item_type: str, content: dict) -> str:
    """The expected answer in words, shown after a practice item."""
    if item_type == "mcq":
        return content["options"][content["answer"]]
    if item_type == "gap_free":
        return " / ".join(a[0] for a in content["answers"])
    if item_type == "gap_dropdown":
        return " / ".join(c[a] for c, a in zip(content["choices"], content["answers"], strict=False))
    if item_type == "word_order":
        return " ".join(content["words"])
    if item_type == "sentence_order":
        return " ".join(content["sentences"])
    if item_type == "word_bank":
        return " / ".join(content["answers"])
    if item_type == "listening":
        question = content.get("question", {})
        if question.get("kind") == "mcq":
            return question["options"][question["answer"]]
        return " / ".join(a[0] for a in question.get("answers", []))
    return ""


def latest_photos_any(user: User, registration_id: int | None) -> dict[str, CandidatePhoto]:
    """The latest face and ID photos of a candidate for a registration (jury page)."""
    stmt = db.select(CandidatePhoto).where(CandidatePhoto.user_id == user.id)
    if registration_id is not None:
        stmt = stmt.where(CandidatePhoto.registration_id == registration_id)
    photos: dict[str, CandidatePhoto] = {}
    for photo in db.session.scalars(stmt.order_by(CandidatePhoto.id)):
        photos[photo.kind] = photo
    return photos
