"""Appeals against published results (contestation).

Decisions written down here:
- One appeal per registration, filed by the candidate or an admin of the registration's
  partner, within APPEAL_DAYS days (30 by default) of the first publication of its results,
  against results in force only (registration at ``results_issued``).
- The referent decides each case: reject it (with a reason); have the written test
  re-scored — the attempt is replayed from what was stored when it was taken (item
  versions, keys, time limits, seed: ``written.services.replay``); have the oral re-marked by
  a second assessor accredited in the language today, never the one who held the oral, who
  scores without seeing the first grid or report; or grant a free retake — a new
  registration with the same partner in a new individual session opening today, funded
  "other" with no CPF file: nothing is charged to the candidate's CPF.
- A re-scoring or re-marking that changes the levels sends the registration back to the
  jury (status ``awaiting_jury``): a new review, a new PV, then the result is reissued
  (``results.services.reissue``) and the appeal closed. Unchanged levels close the appeal
  at once: the result stands.
- A validated re-marking replaces the first grid in what the jury reads (the first stays
  visible to the jury as history).
- Every step is audit-logged on the registration (``appeal.filed``, ``appeal.decided``,
  ``appeal.sent_to_jury``, ``appeal.closed``, ``written.rescored``) with before → after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.appeals.models import (
    APPEAL_GROUNDS,
    APPEAL_OUTCOMES,
    OPEN_STATUSES,
    Appeal,
    AppealRemark,
)
from cloe_portal.assessors.models import Accreditation, is_accredited
from cloe_portal.audit.services import record
from cloe_portal.extensions import db
from cloe_portal.formatting import fr_date, fr_datetime
from cloe_portal.notifications.mail import queue_email
from cloe_portal.partners.scope import partner_filter
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.results import services as results
from cloe_portal.results.uploads import UploadRefused, store_private
from cloe_portal.rules.cefr import ORAL_CRITERIA, SKILL_LABELS_FR, sublevel_for_score
from cloe_portal.rules.text import clean_labelled
from cloe_portal.sessions.models import AccommodationRequest, ExamSession, Registration
from cloe_portal.sessions.status import set_status

ATTACHMENT_FOLDER = "appeals"


class AppealError(Exception):
    """A refused appeal action: the French message and the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- who may see and do what -------------------------------------------------------------------


def may_file(user: User, registration: Registration) -> bool:
    """The candidate itself, or an admin of the registration's partner."""
    if user.role == "candidate":
        return registration.candidate_id == user.id
    return user.role == "partner" and user.organisation_id is not None and (
        registration.partner_id == user.organisation_id)


def may_see_appeal(user: User, appeal: Appeal) -> bool:
    """Its candidate, its partner's admins, the referents following the partner, the
    coordinator (the second assessor reaches only its grid, through may_remark)."""
    return results.may_see_candidate_record(user, appeal.partner_id, appeal.candidate_id)


def may_decide(user: User, appeal: Appeal) -> bool:
    return user.role in ("coordinator", "referent") and may_see_appeal(user, appeal)


def may_remark(user: User, remark: AppealRemark) -> bool:
    """Only the second assessor the referent assigned."""
    return user.role == "assessor" and remark.assessor_id == user.id


# --- filing ----------------------------------------------------------------------------------


def appeal_days() -> int:
    return int(current_app.config["APPEAL_DAYS"])


def deadline(registration: Registration) -> dt.datetime | None:
    """The last instant an appeal may be filed: APPEAL_DAYS after the first publication."""
    first = results.first_results_at(registration)
    return first + dt.timedelta(days=appeal_days()) if first is not None else None


def appeal_of(registration: Registration) -> Appeal | None:
    return db.session.scalar(select(Appeal).where(Appeal.registration_id == registration.id))


def filing_blocker(registration: Registration, now: dt.datetime | None = None) -> str | None:
    """Why no appeal can be filed against this registration's result now (French), or None."""
    existing = appeal_of(registration)
    if existing is not None:
        return (f"Un recours a déjà été déposé pour ce résultat le {fr_date(existing.filed_at)} "
                f"(n° {existing.id}, {existing.status_label.lower()}) : suivez-le depuis la "
                "page des résultats.")
    if registration.status != "results_issued" or results.current_result(registration) is None:
        return ("Seuls des résultats publiés peuvent faire l'objet d'un recours : ce n'est pas "
                "le cas de cette inscription.")
    limit = deadline(registration)
    if (now or clock.now()) > limit:
        return (f"Le délai de recours est dépassé : un recours pouvait être déposé jusqu'au "
                f"{fr_datetime(limit)}, {appeal_days()} jours après la publication des "
                "résultats.")
    return None


def file_appeal(actor: User, registration: Registration, ground: str | None, text: str | None,
                attachment: tuple[str, bytes] | None = None) -> Appeal:
    """File an appeal; the candidate, the partner and the centre's referents are emailed."""
    if not may_file(actor, registration):
        raise AppealError("Vous ne pouvez pas déposer de recours pour ce résultat.")
    blocker = filing_blocker(registration)
    if blocker:
        raise AppealError(blocker)
    if ground not in APPEAL_GROUNDS:
        raise AppealError("Choisissez le motif du recours.", "ground")
    text, refusal = clean_labelled(text, "Exposé du recours")
    if refusal:
        raise AppealError(refusal, "text")
    if not text:
        raise AppealError("Exposez les faits et ce que vous demandez.", "text")
    stored = None
    if attachment is not None and attachment[1]:
        try:
            stored = store_private(ATTACHMENT_FOLDER, attachment[0], attachment[1])
        except UploadRefused as exc:
            raise AppealError(exc.message, "attachment") from None
    result = results.current_result(registration)
    appeal = Appeal(
        registration_id=registration.id, result_id=result.id, partner_id=registration.partner_id,
        candidate_id=registration.candidate_id, session_id=registration.session_id,
        filed_by_id=actor.id, filed_at=clock.now(), ground=ground, text=text, status="filed",
        attachment_name=stored.original_name if stored else None,
        attachment_stored=stored.stored_name if stored else None,
        attachment_mime=stored.mimetype if stored else None,
        attachment_size=stored.size if stored else None,
        attachment_sha256=stored.sha256 if stored else None)
    db.session.add(appeal)
    db.session.flush()
    record(actor, "appeal.filed", registration, reason=text, details={
        "appeal_id": appeal.id, "ground": ground, "filed_by_role": actor.role,
        "result_id": result.id, "attachment_sha256": appeal.attachment_sha256,
        "before": {"appeal": None}, "after": {"appeal": "filed"}})
    _notify_filed(appeal)
    return appeal


@dataclass
class AppealState:
    """A published result's appeal, or whether one can still be filed (results pages)."""

    appeal: Appeal | None
    deadline: dt.datetime | None
    can_file: bool


def appeal_states(results_shown: list, now: dt.datetime | None = None) -> dict[int, AppealState]:
    """Registration id → AppealState for the results shown, in two queries."""
    now = now or clock.now()
    ids = [r.registration_id for r in results_shown]
    if not ids:
        return {}
    appeals = {a.registration_id: a for a in db.session.scalars(
        select(Appeal).where(Appeal.registration_id.in_(ids)))}
    from cloe_portal.results.models import Result

    firsts = dict(db.session.execute(
        select(Result.registration_id, func.min(Result.issued_at))
        .where(Result.registration_id.in_(ids)).group_by(Result.registration_id)).all())
    days = dt.timedelta(days=appeal_days())
    states = {}
    for result in results_shown:
        appeal = appeals.get(result.registration_id)
        limit = firsts[result.registration_id] + days
        states[result.registration_id] = AppealState(
            appeal, limit, appeal is None and now <= limit
            and result.registration.status == "results_issued")
    return states


# --- the referent's queue and decisions --------------------------------------------------------


def appeal_queue(user: User, status: str | None = None) -> list[Appeal]:
    """The appeals of the partners the user follows: open ones first (oldest first)."""
    stmt = (select(Appeal).where(partner_filter(user, Appeal.partner_id))
            .options(joinedload(Appeal.registration).joinedload(Registration.candidate),
                     joinedload(Appeal.registration).joinedload(Registration.partner),
                     joinedload(Appeal.session), joinedload(Appeal.second_assessor)))
    if status == "open":
        stmt = stmt.where(Appeal.status.in_(OPEN_STATUSES))
    elif status:
        stmt = stmt.where(Appeal.status == status)
    appeals = list(db.session.scalars(stmt.limit(500)).unique())
    appeals.sort(key=lambda a: (not a.is_open,
                                a.filed_at if a.is_open else -a.filed_at.timestamp()))
    return appeals


def _reason(reason: str | None) -> str:
    text, refusal = clean_labelled(reason, "Motif")
    if refusal:
        raise AppealError(refusal, "reason")
    if not text:
        raise AppealError("Indiquez le motif de la décision.", "reason")
    return text


def _require_filed(appeal: Appeal) -> None:
    if appeal.status != "filed":
        raise AppealError(f"Ce recours n'est plus à instruire ({appeal.status_label.lower()}) : "
                          "cette décision n'est plus possible.")


def _decided(actor: User, appeal: Appeal, decision: str, reason: str, before: str,
             **details: object) -> None:
    """Stamp the referent's decision and log it with the appeal's status before → after."""
    appeal.decision_reason = reason
    appeal.decided_by_id = actor.id
    appeal.decided_at = clock.now()
    db.session.flush()
    record(actor, "appeal.decided", appeal.registration, reason=reason, details={
        "appeal_id": appeal.id, "decision": decision,
        "before": {"status": before}, "after": {"status": appeal.status,
                                                 "outcome": appeal.outcome},
        **details})


def _close(appeal: Appeal, outcome: str, changed: bool) -> None:
    appeal.status = "closed"
    appeal.outcome = outcome
    appeal.result_changed = changed
    appeal.closed_at = clock.now()


def reject(actor: User, appeal: Appeal, reason: str | None) -> None:
    """Reject the appeal: the result stands."""
    reason = _reason(reason)
    _require_filed(appeal)
    _close(appeal, "rejected", False)
    _decided(actor, appeal, "rejected", reason, "filed")
    _notify_decision(appeal, "rejected")


# --- written re-scoring ------------------------------------------------------------------------


@dataclass
class ScoreRow:
    """One skill's score before and after re-scoring."""

    skill: str
    label: str
    before: int
    after: int

    @property
    def before_level(self) -> str:
        return sublevel_for_score(self.before)

    @property
    def after_level(self) -> str:
        return sublevel_for_score(self.after)

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class Rescore:
    """The replay of an attempt next to the scores it had."""

    rows: list[ScoreRow]
    path_matches: bool = True
    mismatches: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(r.changed for r in self.rows)


def score_rows(before: dict, after: dict) -> list[ScoreRow]:
    return [ScoreRow(skill, SKILL_LABELS_FR.get(skill, skill), int(before[skill]),
                     int(after[skill])) for skill in before]


def rescore_preview(appeal: Appeal) -> Rescore | None:
    """Replay the registration's written attempt (None without a finished one)."""
    from cloe_portal.written import services as written

    attempt = written.attempt_for(appeal.registration)
    if attempt is None or attempt.status != "finished" or not attempt.section_scores:
        return None
    replay = written.replay(attempt)
    return Rescore(score_rows(attempt.section_scores, replay.scores), replay.path_matches,
                   replay.mismatches)


def rescore(actor: User, appeal: Appeal, reason: str | None) -> Rescore:
    """Re-score the written test by replaying it; a changed result goes back to the jury."""
    from cloe_portal.written import services as written

    reason = _reason(reason)
    _require_filed(appeal)
    preview = rescore_preview(appeal)
    if preview is None:
        raise AppealError("Aucun test écrit terminé pour cette inscription : il n'y a rien à "
                          "recorriger.")
    registration = appeal.registration
    attempt = written.attempt_for(registration)
    before = {r.skill: r.before for r in preview.rows}
    after = {r.skill: r.after for r in preview.rows}
    appeal.scores_before, appeal.scores_after = before, after
    appeal.outcome = "rescored"
    if preview.changed:
        attempt.section_scores = {**attempt.section_scores, **after}
        record(actor, "written.rescored", registration, reason=reason, details={
            "appeal_id": appeal.id, "attempt_id": attempt.id, "before": before,
            "after": after, "path_matches": preview.path_matches})
    _decided(actor, appeal, "rescored", reason, "filed", scores_before=before,
             scores_after=after, path_matches=preview.path_matches)
    _after_reassessment(actor, appeal)
    return preview


# --- oral re-marking ---------------------------------------------------------------------------


def _first_outcome(registration: Registration):  # noqa: ANN202 - an OralOutcome or None
    from cloe_portal.orals.services import oral_outcome

    return oral_outcome(registration)


def first_assessor_id(appeal: Appeal) -> int | None:
    """Who held (and scored) the oral: never the second assessor."""
    from cloe_portal.orals.services import latest_booking

    booking = latest_booking(appeal.registration)
    return booking.slot.assessor_id if booking is not None else None


def assign_blocker(appeal: Appeal) -> str | None:
    """Why the oral cannot go to a second assessor now (French), or None."""
    if appeal.status not in ("filed", "remark"):
        return (f"Ce recours n'est plus à instruire ({appeal.status_label.lower()}) : l'oral ne "
                "peut plus être confié à un second évaluateur.")
    if appeal.remark is not None and appeal.remark.validated_at is not None:
        return "La seconde évaluation est déjà validée."
    outcome = _first_outcome(appeal.registration)
    if outcome is None or not outcome.taken or set(outcome.criteria) != set(ORAL_CRITERIA):
        return "L'oral n'a pas été passé et noté : il n'y a pas de grille à faire réévaluer."
    return None


def second_assessor_choices(appeal: Appeal) -> list[User]:
    """Assessors accredited today in the appeal's language, except the one who held it."""
    today = clock.today_paris()
    first = first_assessor_id(appeal)
    return list(db.session.scalars(
        select(User).join(Accreditation, Accreditation.assessor_id == User.id)
        .where(User.role == "assessor", User.active.is_(True), User.id != first,
               Accreditation.language == appeal.session.language,
               Accreditation.status == "accredited", Accreditation.validated_on <= today,
               Accreditation.valid_until >= today)
        .order_by(User.last_name, User.first_name)).unique())


def assign_second_assessor(actor: User, appeal: Appeal, assessor: User | None,
                           reason: str | None) -> AppealRemark:
    """Give the oral to a second accredited assessor, who scores it blind."""
    from cloe_portal.orals.services import latest_booking

    reason = _reason(reason)
    blocker = assign_blocker(appeal)
    if blocker:
        raise AppealError(blocker)
    language = appeal.session.language
    if assessor is None:
        raise AppealError("Choisissez le second évaluateur.", "assessor_id")
    if assessor.id == first_assessor_id(appeal):
        raise AppealError(f"{assessor.full_name} a fait passer cet oral : la seconde évaluation "
                          "doit être confiée à un autre évaluateur, qui n'a pas vu la première "
                          "grille.", "assessor_id")
    if assessor.role != "assessor" or not assessor.active or not is_accredited(assessor.id,
                                                                                language):
        raise AppealError(f"{assessor.full_name} n'est pas habilité(e) aujourd'hui en "
                          f"{LANGUAGES.get(language, language).lower()} : choisissez un autre "
                          "évaluateur.", "assessor_id")
    before = appeal.status
    previous = appeal.second_assessor_id
    remark = appeal.remark
    if remark is None:
        remark = AppealRemark(appeal_id=appeal.id, booking_id=latest_booking(
            appeal.registration).id, created_at=clock.now())
        db.session.add(remark)
    if previous != assessor.id:
        # A new second assessor starts from an empty grid (the other's draft is not shown).
        for criterion in ORAL_CRITERIA:
            setattr(remark, criterion, None)
        remark.report = None
        remark.saved_at = None
    remark.assessor_id = assessor.id
    appeal.second_assessor_id = assessor.id
    appeal.assigned_at = clock.now()
    appeal.status = "remark"
    appeal.outcome = "remarked"
    _decided(actor, appeal, "remark_assigned", reason, before,
             second_assessor_id=assessor.id, previous_second_assessor_id=previous)
    db.session.refresh(appeal)
    _notify_assessor(appeal)
    _notify_decision(appeal, "remark")
    return remark


def remarks_of(assessor: User) -> list[AppealRemark]:
    """The re-markings assigned to an assessor: to do first, then done."""
    remarks = list(db.session.scalars(
        select(AppealRemark).join(Appeal, Appeal.id == AppealRemark.appeal_id)
        .where(AppealRemark.assessor_id == assessor.id)
        .options(joinedload(AppealRemark.appeal).joinedload(Appeal.registration)
                 .joinedload(Registration.candidate))
        .order_by(Appeal.assigned_at)).unique())
    return sorted(remarks, key=lambda r: r.validated_at is not None)


def remark_blocker(actor: User, remark: AppealRemark) -> str | None:
    """Why the second assessor cannot write the grid now (French), or None."""
    language = remark.appeal.session.language
    if remark.validated_at is not None:
        return "La grille est validée : elle n'est plus modifiable."
    if remark.appeal.status != "remark":
        return "Ce recours n'attend plus de seconde évaluation."
    if not is_accredited(actor.id, language):
        return ("Vous devez être habilité(e) aujourd'hui en "
                f"{LANGUAGES.get(language, language).lower()} pour évaluer cet oral.")
    return None


def _check_can_remark(actor: User, remark: AppealRemark) -> None:
    if not may_remark(actor, remark):
        raise AppealError("Cette seconde évaluation ne vous est pas confiée.")
    blocker = remark_blocker(actor, remark)
    if blocker:
        raise AppealError(blocker)


def save_remark(actor: User, remark: AppealRemark, levels: dict[str, str | None],
                report: str | None) -> AppealRemark:
    """Autosave the second assessor's grid (partial grids are fine)."""
    from cloe_portal.orals.services import OralError, apply_grid_input

    _check_can_remark(actor, remark)
    try:
        apply_grid_input(remark, levels, report)
    except OralError as exc:
        raise AppealError(exc.message) from None
    remark.saved_at = clock.now()
    db.session.flush()
    return remark


def remark_errors(remark: AppealRemark) -> dict[str, str]:
    from cloe_portal.orals.services import criteria_errors

    return criteria_errors(remark)


def validate_remark(actor: User, remark: AppealRemark) -> Appeal:
    """Validate the second grid; a changed result goes back to the jury."""
    _check_can_remark(actor, remark)
    if remark_errors(remark):
        raise AppealError("La grille est incomplète : complétez les champs signalés.")
    appeal = remark.appeal
    first = _first_outcome(appeal.registration)
    remark.validated_at = clock.now()
    db.session.flush()
    after = {c: getattr(remark, c) for c in ORAL_CRITERIA}
    appeal.scores_before = dict(first.criteria)
    appeal.scores_after = after
    record(actor, "appeal.remark_validated", appeal.registration, details={
        "appeal_id": appeal.id, "remark_id": remark.id, "before": dict(first.criteria),
        "after": after, "first_assessor_id": first.assessor_id})
    _after_reassessment(actor, appeal)
    return appeal


# --- after a re-scoring or a re-marking: back to the jury, or closed -----------------------------


def recomputed_levels(registration: Registration) -> dict | None:
    """The levels of the candidate file as it stands now (None if incomplete)."""
    from cloe_portal.jury.services import levels_json
    from cloe_portal.written.services import section_scores

    found = results.certificate_for(registration)
    if found is None:
        return None
    return levels_json(found[0], section_scores(registration))


def _after_reassessment(actor: User, appeal: Appeal) -> None:
    registration = appeal.registration
    current = results.current_result(registration)
    levels = recomputed_levels(registration)
    now = clock.now()
    if levels is not None and current is not None and levels != current.levels:
        before = appeal.status
        appeal.status = "jury"
        appeal.sent_to_jury_at = now
        appeal.result_changed = True
        set_status(registration, "awaiting_jury", actor,
                   reason=f"Recours n° {appeal.id} : résultat à réviser par le jury")
        record(actor, "appeal.sent_to_jury", registration, details={
            "appeal_id": appeal.id, "before": {"status": before, "global": current.global_level,
                                               "ecrit": current.ecrit_level,
                                               "oral": current.oral_level},
            "after": {"status": "jury", "global": levels["global"], "ecrit": levels["ecrit"],
                      "oral": levels["oral"]}})
        _notify_decision(appeal, "jury")
        return
    before = appeal.status
    _close(appeal, appeal.outcome, False)
    record(actor, "appeal.closed", registration, details={
        "appeal_id": appeal.id, "result_changed": False, "before": {"status": before},
        "after": {"status": "closed", "outcome": appeal.outcome}})
    _notify_decision(appeal, "unchanged")


def appeal_before_jury(registration: Registration) -> Appeal | None:
    """The appeal that sent this registration back to the jury, if any."""
    return db.session.scalar(select(Appeal).where(Appeal.registration_id == registration.id,
                                                  Appeal.status == "jury"))


def revision_published(actor: User, appeal: Appeal, review: object,
                       result: object | None) -> None:
    """The PV holding the new decision is signed: the appeal is closed (the reissue emailed
    the new documents)."""
    appeal.review_id = review.id
    appeal.new_result_id = result.id if result is not None else None
    _close(appeal, appeal.outcome, True)
    record(actor, "appeal.closed", appeal.registration, details={
        "appeal_id": appeal.id, "result_changed": True, "review_id": review.id,
        "decision": review.decision, "new_result_id": appeal.new_result_id,
        "before": {"status": "jury"}, "after": {"status": "closed", "outcome": appeal.outcome}})


# --- free retake ---------------------------------------------------------------------------------


def grant_retake(actor: User, appeal: Appeal, reason: str | None) -> Registration:
    """A new registration with the same partner, in a new individual session opening today,
    at no charge (funding "other", no CPF file); flagged on the appeal."""
    from cloe_portal.sessions.services import SessionRefused, create_session, send_enrolment_email

    reason = _reason(reason)
    _require_filed(appeal)
    registration = appeal.registration
    session = registration.session
    try:
        retake_session = create_session(
            actor, registration.partner, kind="individual", language=session.language,
            domain=session.domain, written_date=clock.today_paris(),
            name=f"Reprise sur recours n° {appeal.id} — {registration.candidate_name}")
    except SessionRefused as exc:
        raise AppealError(str(exc)) from None
    now = clock.now()
    retake = Registration(
        session_id=retake_session.id, candidate_id=registration.candidate_id,
        partner_id=registration.partner_id, first_name=registration.first_name,
        last_name=registration.last_name, target_level=registration.target_level,
        training_hours=registration.training_hours, funding="other", cpf_file_number=None,
        birth_date=registration.birth_date, status="enrolled", status_changed_at=now,
        created_at=now)
    db.session.add(retake)
    db.session.flush()
    for request in registration.accommodations:
        if request.status == "approved":
            db.session.add(AccommodationRequest(
                registration_id=retake.id, kind=request.kind, details=request.details,
                status="approved", decided_by_id=actor.id, decided_at=now, created_at=now,
                comment=f"Repris de l'inscription précédente (recours n° {appeal.id})"))
    record(actor, "registration.enrolled", retake, details={
        "session_id": retake_session.id, "retake_of": registration.id, "appeal_id": appeal.id,
        "free_retake": True})
    appeal.retake_registration_id = retake.id
    _close(appeal, "retake", False)
    _decided(actor, appeal, "retake", reason, "filed", retake_registration_id=retake.id)
    db.session.refresh(appeal)
    send_enrolment_email(retake, existing_account=True)
    _notify_decision(appeal, "retake")
    return retake


def retake_appeals(registration_ids: list[int]) -> dict[int, Appeal]:
    """Registration id → the appeal that granted it as a free retake (for the flags)."""
    if not registration_ids:
        return {}
    return {a.retake_registration_id: a for a in db.session.scalars(select(Appeal).where(
        Appeal.retake_registration_id.in_(registration_ids)))}


# --- the dashboard -----------------------------------------------------------------------------


@dataclass
class CountRow:
    """Appeals of one partner or one session: by ground and by outcome ("open" if not closed)."""

    label: str
    total: int = 0
    grounds: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)

    def add(self, ground: str, outcome: str, n: int) -> None:
        self.total += n
        self.grounds[ground] = self.grounds.get(ground, 0) + n
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + n


@dataclass
class Dashboard:
    """Counts by ground × outcome, then per partner and per session."""

    matrix: dict[str, CountRow]
    total: CountRow
    partners: list[CountRow]
    sessions: list[CountRow]
    outcomes: dict[str, str]
    grounds: dict[str, str]


def dashboard(user: User) -> Dashboard:
    """Appeals of the partners the user follows, counted in one grouped query."""
    outcome = func.coalesce(Appeal.outcome, "open")
    rows = db.session.execute(
        select(Appeal.partner_id, Appeal.session_id, Appeal.ground, Appeal.status, outcome,
               func.count(Appeal.id))
        .where(partner_filter(user, Appeal.partner_id))
        .group_by(Appeal.partner_id, Appeal.session_id, Appeal.ground, Appeal.status, outcome)
    ).all()
    partner_names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({r[0] for r in rows}))).all()) if rows else {}
    sessions = {s.id: s for s in db.session.scalars(select(ExamSession).where(
        ExamSession.id.in_({r[1] for r in rows})))} if rows else {}
    matrix = {g: CountRow(label) for g, label in APPEAL_GROUNDS.items()}
    total = CountRow("Total")
    by_partner: dict[int, CountRow] = {}
    by_session: dict[int, CountRow] = {}
    for partner_id, session_id, ground, status, out, n in rows:
        key = out if status == "closed" else "open"
        for row in (matrix.setdefault(ground, CountRow(ground)), total,
                    by_partner.setdefault(partner_id, CountRow(partner_names.get(partner_id, ""))),
                    by_session.setdefault(session_id, CountRow(
                        f"{sessions[session_id].name} — {partner_names.get(partner_id, '')}"))):
            row.add(ground, key, n)
    return Dashboard(matrix, total, sorted(by_partner.values(), key=lambda r: r.label),
                     sorted(by_session.values(), key=lambda r: r.label),
                     {**APPEAL_OUTCOMES, "open": "En cours"}, dict(APPEAL_GROUNDS))


# --- emails ---------------------------------------------------------------------------------------


def _context(appeal: Appeal) -> dict:
    registration = appeal.registration
    return {"appeal": appeal, "registration": registration,
            "holder_name": results.holder_identity(registration)[0],
            "language_name": LANGUAGES.get(registration.session.language, ""),
            "appeal_days": appeal_days()}


def _to_candidate_and_partner(appeal: Appeal, template: str, kind: str, key: str,
                              **context: object) -> None:
    registration = appeal.registration
    candidate = registration.candidate
    common = _context(appeal) | context
    queue_email(candidate.email, template, kind=kind, key=key, recipient_id=candidate.id,
                for_partner=False, link=results.absolute_url(
                    "appeals.follow", appeal_id=appeal.id), **common)
    for admin in results.partner_admins(registration.partner_id):
        queue_email(admin.email, template, kind=kind, key=f"{key}:partner-{admin.id}",
                    recipient_id=admin.id, for_partner=True, link=results.absolute_url(
                        "appeals.follow", appeal_id=appeal.id), **common)


def _notify_filed(appeal: Appeal) -> None:
    registration = appeal.registration
    key = f"appeal-filed:registration-{registration.id}:appeal-{appeal.id}"
    _to_candidate_and_partner(appeal, "appeal_filed", "appeal-filed", key, for_referent=False)
    centre_id = registration.partner.referent_centre_id
    referents = list(db.session.scalars(select(User).where(
        User.role == "referent", User.active.is_(True),
        User.organisation_id == centre_id))) if centre_id else []
    for referent in referents:
        queue_email(referent.email, "appeal_filed", kind="appeal-filed-referent",
                    key=f"{key}:referent-{referent.id}", recipient_id=referent.id,
                    for_partner=False, for_referent=True,
                    link=results.absolute_url("appeals.follow", appeal_id=appeal.id),
                    **_context(appeal))


def _notify_decision(appeal: Appeal, what: str) -> None:
    """what: rejected, remark, jury, unchanged, retake."""
    n = appeal.second_assessor_id if what == "remark" else 0
    key = f"appeal-{what}:registration-{appeal.registration_id}:appeal-{appeal.id}:{n}"
    _to_candidate_and_partner(appeal, "appeal_decided", "appeal-decided", key, what=what)


def _notify_assessor(appeal: Appeal) -> None:
    assessor = appeal.second_assessor
    queue_email(assessor.email, "appeal_remark_assigned", kind="appeal-remark",
                key=(f"appeal-remark:registration-{appeal.registration_id}:appeal-{appeal.id}"
                     f":assessor-{assessor.id}"),
                recipient_id=assessor.id, assessor=assessor,
                link=results.absolute_url("appeals.assessor_remark", remark_id=appeal.remark.id),
                **_context(appeal))


# --- personal data ---------------------------------------------------------------------------------


def erase_appeals(candidate: User) -> int:
    """Erasure of a candidate: its appeals' statements and attachments go (the decisions and
    their dates stay, like the jury's)."""
    from cloe_portal.results.uploads import folder_path

    appeals = list(db.session.scalars(select(Appeal).where(Appeal.candidate_id == candidate.id)))
    for appeal in appeals:
        if appeal.attachment_stored:
            (folder_path(ATTACHMENT_FOLDER) / appeal.attachment_stored).unlink(missing_ok=True)
            appeal.attachment_name = "effacé"
        appeal.text = "[Exposé effacé]"
    for remark in db.session.scalars(select(AppealRemark).where(
            AppealRemark.appeal_id.in_([a.id for a in appeals]))) if appeals else []:
        remark.report = None
    return len(appeals)
