"""The jury's use cases: the queue, one candidate's file, the decision, the PV and its signature.

Decisions written down here:
- The queue holds registrations at ``oral_done`` or ``awaiting_jury``; orals closed as not
  taken (absent, refused for lateness, late cancellation) are in it too: the jury records
  them, and can only cancel them (there is no oral grid to validate).
- A result can be validated only when the written scores and a validated oral grid with the
  5 criteria exist (validated at or after the slot start: never a result for an oral that
  did not happen), the three checks are ✓ and there is no fraud. Fraud forces a
  cancellation: no attestation, no certificate, and the PV records the description.
- Until the PV is signed a decision may be changed (each change is audit-logged); the
  signature freezes it and publishes the results at once.
- Several PVs per session: each covers the decisions taken since the previous one, so an
  early candidate never waits for the last oral of the session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.jury.models import DECISIONS, JuryReview, ProcesVerbal
from cloe_portal.rules import calendar
from cloe_portal.rules.cefr import ORAL_CRITERIA, LevelSummary, earns_certificate
from cloe_portal.sessions.models import ExamSession, Registration

QUEUE_STATUSES = ("oral_done", "awaiting_jury")
SIGN_CONFIRMATION = "JE CERTIFIE"


class JuryError(Exception):
    """A refused jury action, with the French message shown to the referent."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- who may see what ------------------------------------------------------------------------


def may_review(user: User, registration: Registration) -> bool:
    """The coordinator sees every candidate; a referent those of the partners it follows."""
    if user.role == "coordinator":
        return True
    return user.role == "referent" and registration.partner.referent_centre_id == (
        user.organisation_id)


def may_see_session(user: User, session: ExamSession) -> bool:
    """Same rule for a session's PV."""
    if user.role == "coordinator":
        return True
    return user.role == "referent" and session.partner.referent_centre_id == user.organisation_id


def may_see_pv(user: User, pv: ProcesVerbal) -> bool:
    return may_see_session(user, pv.session)


# --- the queue ---------------------------------------------------------------------------------


@dataclass
class QueueItem:
    """One candidate waiting for the jury, with the time left on the 3-working-day promise."""

    registration: Registration
    oral_end: dt.datetime | None
    deadline: dt.datetime | None
    time_left: dt.timedelta | None
    oral_taken: bool | None
    review: JuryReview | None
    oral_start: dt.datetime | None = None
    appeal: object | None = None  # the appeal that sent it back, if any

    @property
    def overdue(self) -> bool:
        return self.time_left is not None and self.time_left < dt.timedelta(0)


def _scope(stmt, user: User | None):  # noqa: ANN001, ANN202 - a Select in, a Select out
    if user is None or user.role == "coordinator":
        return stmt
    return stmt.join(Organisation, Organisation.id == Registration.partner_id).where(
        Organisation.referent_centre_id == user.organisation_id)


class OralTimes(NamedTuple):
    """When a registration's oral slot starts and ends, and whether the oral was taken."""

    end: dt.datetime
    taken: bool
    start: dt.datetime


def oral_ends(registration_ids: list[int]) -> dict[int, OralTimes]:
    """Slot end (and start) of the closed oral and whether it was taken, per registration,
    in one query."""
    from cloe_portal.orals.models import ATTENDED, OralAssessment, OralBooking, OralSlot

    if not registration_ids:
        return {}
    rows = db.session.execute(
        select(OralBooking.registration_id, OralBooking.id, OralBooking.status,
               OralSlot.ends_at, OralAssessment.attendance, OralSlot.starts_at)
        .join(OralSlot, OralSlot.id == OralBooking.slot_id)
        .outerjoin(OralAssessment, OralAssessment.booking_id == OralBooking.id)
        .where(OralBooking.registration_id.in_(registration_ids),
               OralBooking.status.in_(("booked", "late_cancelled")))
        .order_by(OralBooking.id)
    )
    ends: dict[int, OralTimes] = {}
    for reg_id, _booking_id, status, ends_at, attendance, starts_at in rows:
        ends[reg_id] = OralTimes(ends_at, status == "booked" and attendance in ATTENDED,
                                 starts_at)
    return ends


def jury_queue(user: User | None, now: dt.datetime | None = None) -> list[QueueItem]:
    """Candidates whose written and oral are complete, oldest oral first (3 queries in all)."""
    now = now or clock.now()
    stmt = _scope(
        select(Registration).where(Registration.status.in_(QUEUE_STATUSES))
        .options(joinedload(Registration.session), joinedload(Registration.candidate),
                 joinedload(Registration.partner)),
        user,
    )
    registrations = list(db.session.scalars(stmt).unique())
    ids = [r.id for r in registrations]
    ends = oral_ends(ids)
    # Draft decisions only: a registration back before the jury after an appeal has signed
    # reviews (history) and awaits a new one.
    reviews = {rv.registration_id: rv for rv in db.session.scalars(
        select(JuryReview).where(JuryReview.registration_id.in_(ids),
                                 JuryReview.pv_id.is_(None)))} if ids else {}
    appeals = _appeals_before_jury(ids)
    items = []
    for reg in registrations:
        end, taken, start = ends.get(reg.id, (None, None, None))
        appeal = appeals.get(reg.id)
        # After an appeal, the 3 working days run from the moment it came back to the jury.
        since = appeal.sent_to_jury_at if appeal is not None else end
        deadline = calendar.jury_deadline(since) if since else None
        items.append(QueueItem(reg, end, deadline, (deadline - now) if deadline else None,
                               taken, reviews.get(reg.id), start, appeal))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: (i.oral_end or far, i.registration.id))
    return items


def _appeals_before_jury(registration_ids: list[int]) -> dict[int, object]:
    from cloe_portal.appeals.models import Appeal

    if not registration_ids:
        return {}
    return {a.registration_id: a for a in db.session.scalars(select(Appeal).where(
        Appeal.registration_id.in_(registration_ids), Appeal.status == "jury"))}


def overdue_by_referent(now: dt.datetime) -> dict[User, list[QueueItem]]:
    """Overdue candidates per referent of the partner's centre (for the daily reminder)."""
    overdue = [i for i in jury_queue(None, now) if i.overdue]
    centre_ids = {i.registration.partner.referent_centre_id for i in overdue} - {None}
    if not centre_ids:
        return {}
    referents = list(db.session.scalars(select(User).where(
        User.role == "referent", User.active.is_(True), User.organisation_id.in_(centre_ids))))
    out: dict[User, list[QueueItem]] = {}
    for ref in referents:
        mine = [i for i in overdue if i.registration.partner.referent_centre_id == ref.organisation_id]
        if mine:
            out[ref] = mine
    return out


# --- one candidate's file ----------------------------------------------------------------------


@dataclass
class CandidateFile:
    """What the jury reads for one candidate."""

    registration: Registration
    identity: object | None
    photos: dict
    attempt: object | None
    scores: dict[str, int] | None
    outcome: object | None
    levels: LevelSummary | None
    certificate: bool | None
    problems: list[str] = field(default_factory=list)
    review: JuryReview | None = None
    oral_end: dt.datetime | None = None
    deadline: dt.datetime | None = None
    # Set when an appeal sent the registration back: the signed reviews are its history.
    appeal: object | None = None
    history: list[JuryReview] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems


def _written_scores(registration: Registration) -> dict[str, int] | None:
    from cloe_portal.written import services as written_services

    return written_services.section_scores(registration)


def _oral_outcome(registration: Registration):  # noqa: ANN202
    from cloe_portal.orals.services import oral_outcome

    return oral_outcome(registration)


def _closed_before_start(outcome) -> bool:  # noqa: ANN001 - an orals.services.OralOutcome
    """A grid validated (or an absence recorded) before the slot start: no oral took place.

    Recording is refused before the start since issue 17; this guards older data.
    """
    return (not outcome.cancelled_late and outcome.validated_at is not None
            and outcome.validated_at < outcome.slot_start)


def completeness_problems(scores: dict[str, int] | None, outcome: object | None) -> list[str]:
    """Why a candidate's result cannot be validated yet (French), empty when complete."""
    problems = []
    if not scores:
        problems.append("Le test écrit n'est pas terminé : aucun score de section.")
    if outcome is None:
        problems.append("L'oral n'est pas clos : aucune grille validée.")
    elif _closed_before_start(outcome):
        problems.append("La grille de l'oral a été close avant le début du créneau : ce n'est "
                        "pas le résultat d'un oral passé. Rouvrez la grille (page Oraux) pour "
                        "que l'évaluateur la reprenne.")
    elif not outcome.taken:
        problems.append(f"L'oral n'a pas été passé ({outcome.attendance_label}).")
    elif outcome.validated_at is None or set(outcome.criteria) != set(ORAL_CRITERIA):
        problems.append("La grille de l'oral n'est pas validée ou est incomplète.")
    return problems


def latest_review(registration: Registration) -> JuryReview | None:
    """The registration's latest review (the one in force once signed; earlier ones are the
    history of its passages before the jury)."""
    return db.session.scalar(select(JuryReview).where(
        JuryReview.registration_id == registration.id).order_by(JuryReview.id.desc()).limit(1))


def reviews_of(registration: Registration) -> list[JuryReview]:
    """Every review of the registration, oldest first."""
    return list(db.session.scalars(select(JuryReview).where(
        JuryReview.registration_id == registration.id).order_by(JuryReview.id)))


def _back_before_jury(registration: Registration):  # noqa: ANN202 - an Appeal or None
    """The appeal that sent the registration back to the jury (a new decision is due)."""
    from cloe_portal.appeals.services import appeal_before_jury

    return appeal_before_jury(registration)


def compute_levels(scores: dict[str, int], criteria: dict[str, str]) -> LevelSummary:
    """Combine written section scores and the oral criteria (rules.cefr.combine)."""
    from cloe_portal.results.services import combine_levels

    return combine_levels(scores, criteria)


def candidate_file(registration: Registration) -> CandidateFile:
    """Gather identity, photos, written part, oral outcome and computed levels."""
    identity = photos = attempt = None
    try:
        from cloe_portal.candidates.services import identity_of, latest_photos_any

        identity = identity_of(registration.candidate)
        photos = latest_photos_any(registration.candidate, registration.id)
    except ImportError:  # the candidates feature is optional for the jury
        photos = {}
    try:
        from cloe_portal.written import services as written_services

        attempt = written_services.attempt_for(registration)
    except (ImportError, AttributeError):
        attempt = None
    scores = _written_scores(registration)
    outcome = _oral_outcome(registration)
    problems = completeness_problems(scores, outcome)
    levels = certificate = None
    if not problems:
        levels = compute_levels(scores, outcome.criteria)
        certificate = earns_certificate(levels.global_level, registration.target_level)
    review = latest_review(registration)
    end = oral_ends([registration.id]).get(registration.id)
    deadline = calendar.jury_deadline(end[0]) if end else None
    appeal = _back_before_jury(registration)
    history = [r for r in reviews_of(registration) if r.frozen]
    if appeal is not None:
        deadline = calendar.jury_deadline(appeal.sent_to_jury_at)
        if review is not None and review.frozen:
            review = None  # the new decision is still to take
    return CandidateFile(registration, identity, photos or {}, attempt, scores, outcome,
                         levels, certificate, problems, review, end[0] if end else None,
                         deadline, appeal, history)


def levels_json(levels: LevelSummary, scores: dict[str, int]) -> dict:
    """The levels kept on the decision (and printed later)."""
    return {
        "scores": dict(scores),
        "ecrit_score": levels.ecrit_score,
        "ecrit": levels.ecrit,
        "oral_score": levels.oral_score,
        "oral": levels.oral,
        "global": levels.global_level,
        "written": dict(levels.written_sublevels),
        "listening": levels.listening_sublevel,
        "criteria": dict(levels.oral_sublevels),
    }


# --- deciding ----------------------------------------------------------------------------------


def decide(actor: User, registration: Registration, *, identity_ok: bool, written_ok: bool,
           oral_ok: bool, fraud: bool, fraud_description: str | None, decision: str,
           reason: str | None) -> JuryReview:
    """Record (or change, before the PV is signed) the jury's checks and decision."""
    if registration.status not in QUEUE_STATUSES:
        raise JuryError("Ce candidat n'est pas en attente du jury.")
    review = latest_review(registration)
    if review is not None and review.frozen and _back_before_jury(registration) is None:
        raise JuryError("Le procès-verbal est signé : cette décision ne peut plus être modifiée.")
    if review is not None and review.frozen:
        review = None  # a new passage before the jury (appeal): a new review, history kept
    if decision not in DECISIONS:
        raise JuryError("Choisissez une décision : valider ou annuler le résultat.")
    fraud_description = (fraud_description or "").strip() or None
    reason = (reason or "").strip() or None
    if fraud and not fraud_description:
        raise JuryError("Décrivez la fraude constatée.")
    if fraud and decision == "validated":
        raise JuryError("Une fraude a été constatée : le résultat doit être annulé "
                        "(aucune attestation ni aucun certificat n'est délivré).")
    if decision == "cancelled" and not reason:
        raise JuryError("Indiquez le motif de l'annulation.")
    scores = _written_scores(registration)
    outcome = _oral_outcome(registration)
    problems = completeness_problems(scores, outcome)
    levels = None
    if not problems:
        levels = compute_levels(scores, outcome.criteria)
    if decision == "validated":
        if problems:
            raise JuryError("Le dossier est incomplet, le résultat ne peut pas être validé : "
                            + " ".join(problems))
        if not (identity_ok and written_ok and oral_ok):
            raise JuryError("Pour valider, les trois contrôles (identité, écrit, oral) doivent "
                            "être conformes ; sinon annulez le résultat en indiquant le motif.")
    now = clock.now()
    previous = None
    if review is None:
        review = JuryReview(registration_id=registration.id, session_id=registration.session_id)
    else:
        previous = {"decision": review.decision, "fraud": review.fraud}
    review.identity_ok = identity_ok
    review.written_ok = written_ok
    review.oral_ok = oral_ok
    review.fraud = fraud
    review.fraud_description = fraud_description if fraud else None
    review.decision = decision
    review.reason = reason
    review.levels = levels_json(levels, scores) if levels else None
    review.certificate = bool(
        decision == "validated" and levels
        and earns_certificate(levels.global_level, registration.target_level))
    review.decided_by_id = actor.id
    review.decided_at = now
    db.session.add(review)
    db.session.flush()
    record(actor, "jury.decision", registration, reason=reason or fraud_description, details={
        "decision": decision, "identity_ok": identity_ok, "written_ok": written_ok,
        "oral_ok": oral_ok, "fraud": fraud, "fraud_description": review.fraud_description,
        "global": levels.global_level if levels else None, "certificate": review.certificate,
        "previous": previous,
    })
    return review


# --- the PV ------------------------------------------------------------------------------------


def draft_reviews(session: ExamSession) -> list[JuryReview]:
    """Decisions of the session not yet in a signed PV."""
    return list(db.session.scalars(
        select(JuryReview).where(JuryReview.session_id == session.id,
                                 JuryReview.pv_id.is_(None))
        .options(joinedload(JuryReview.registration).joinedload(Registration.candidate))
        .order_by(JuryReview.id)))


def undecided(session: ExamSession) -> list[Registration]:
    """Candidates of the session in the jury's queue without a decision yet."""
    # A registration back before the jury after an appeal has only signed reviews: undecided.
    decided = select(JuryReview.registration_id).where(JuryReview.session_id == session.id,
                                                       JuryReview.pv_id.is_(None))
    return list(db.session.scalars(
        select(Registration).where(Registration.session_id == session.id,
                                   Registration.status.in_(QUEUE_STATUSES),
                                   Registration.id.not_in(decided))
        .options(joinedload(Registration.candidate))))


def signed_pvs(session: ExamSession) -> list[ProcesVerbal]:
    return list(db.session.scalars(select(ProcesVerbal).where(
        ProcesVerbal.session_id == session.id).order_by(ProcesVerbal.number)))


def _check_still_matches(review: JuryReview) -> None:
    """Refuse to publish a decision whose candidate file changed after it was taken (a grid
    reopened, scores replaced): the levels published must be those of the file as it is."""
    registration = review.registration
    stale = registration.status not in QUEUE_STATUSES
    if not stale and review.decision == "validated":
        scores = _written_scores(registration)
        outcome = _oral_outcome(registration)
        stale = bool(completeness_problems(scores, outcome)) or (
            review.levels != levels_json(compute_levels(scores, outcome.criteria), scores))
    if stale:
        raise JuryError(
            f"La décision concernant {registration.candidate.full_name} ne correspond plus à son "
            "dossier (grille rouverte ou résultats modifiés depuis) : reprenez-la avant de "
            "signer le procès-verbal.")


def sign_pv(actor: User, session: ExamSession, signer_name: str, confirmation: str) -> ProcesVerbal:
    """Sign the PV: freeze its decisions, publish results, store the PDF and its SHA-256."""
    from cloe_portal.results import services as results

    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise JuryError("Indiquez le nom du signataire.")
    if " ".join((confirmation or "").upper().split()) != SIGN_CONFIRMATION:
        raise JuryError(f"Tapez « {SIGN_CONFIRMATION} » pour signer le procès-verbal.")
    reviews = draft_reviews(session)
    if not reviews:
        raise JuryError("Aucune décision à consigner : le procès-verbal serait vide.")
    for review in reviews:
        _check_still_matches(review)
    number = (db.session.scalar(select(func.max(ProcesVerbal.number)).where(
        ProcesVerbal.session_id == session.id)) or 0) + 1
    now = clock.now()
    pv = ProcesVerbal(session_id=session.id, number=number, signed_by_id=actor.id,
                      signer_name=signer_name, confirmation=SIGN_CONFIRMATION, signed_at=now,
                      pdf=b"", pdf_sha256="")
    db.session.add(pv)
    db.session.flush()
    for review in reviews:
        review.pv_id = pv.id
    db.session.flush()
    for review in reviews:
        results.publish(actor, review, pv)
    pv.pdf = results.render_pv(pv, reviews)
    pv.pdf_sha256 = hashlib.sha256(pv.pdf).hexdigest()
    record(actor, "jury.pv.sign", pv, details={
        "session_id": session.id, "number": number, "sha256": pv.pdf_sha256,
        "registrations": [r.registration_id for r in reviews], "signer_name": signer_name,
    })
    db.session.flush()
    return pv
